/**
 * Overlap events for the optional observer (the overlaps report): one reused event object, nothing done when
 * no observer is set.
 */
import type { TcpPacket } from '../decode/packet.js';
import type { ConflictRecord, Connection, Direction } from './connection.js';
import { OverlapEventImpl, type OverlapKind, type OverlapObserver } from './stream.js';

export class OverlapEvents {
  /** The observer; null costs nothing. */
  observer: OverlapObserver | null = null;
  private readonly ev = new OverlapEventImpl();

  /** A segment's event: `length` bytes at `seq` of which `overlap` overlapped data already seen. */
  segment(kind: OverlapKind, conn: Connection, dir: Direction, pkt: TcpPacket, seq: number, length: number, overlap: number): void {
    const o = this.observer;
    if (o === null) return;
    const ev = this.ev;
    ev.kind = kind;
    ev.tsSec = pkt.tsSec;
    ev.tsNsec = pkt.tsNsec;
    ev.recordNumber = pkt.recordNumber;
    ev.connection = conn;
    ev.direction = dir;
    ev.seq = seq;
    ev.length = length;
    ev.overlapBytes = overlap;
    o.onOverlap(ev);
  }

  /** A conflict found while the segment of that time and record was compared (`r` is complete by now). */
  conflict(conn: Connection, r: ConflictRecord, tsSec: number, tsNsec: number, recordNumber: number, losingCopy?: Buffer): void {
    const o = this.observer;
    if (o === null) return;
    const ev = this.ev;
    ev.kind = 'conflict';
    ev.tsSec = tsSec;
    ev.tsNsec = tsNsec;
    ev.recordNumber = recordNumber;
    ev.connection = conn;
    ev.direction = r.direction;
    ev.seq = r.seq;
    ev.length = r.length;
    ev.overlapBytes = r.length;
    ev.conflict = r;
    ev.losingCopy = losingCopy;
    o.onOverlap(ev);
    ev.conflict = undefined;
    ev.losingCopy = undefined;
  }
}
