/**
 * Segments past the receiver's window but within any window it could have had (acceptance.ts `windowVerdict`
 * PAST_WINDOW): a forgery the receiver dropped, or real data after the capture lost a stretch of both
 * directions (a trace with gigabytes cut out, a drop burst at 10 Gb/s). One such segment a direction is held
 * aside, copied, until the receiver decides: an acknowledgement reaching its start while the stream has not got
 * there shows the receiver had everything before it, so it is taken as arriving then; the stream reaching it
 * first, another one replacing it, or the connection ending, and it is dropped as out of window. Bounded in all
 * (`MAX_DOUBTFUL_BYTES`); beyond, such segments are dropped at once.
 */
import type { TcpPacket } from '../decode/packet.js';
import type { HalfConnection } from './connection.js';
import { seqDiff } from './sequence.js';

/** Bytes of held segments, all connections together. */
export const MAX_DOUBTFUL_BYTES = 4 * 1024 * 1024;

/** A segment held aside: a copy of the packet, its sequence number and wire length. */
export interface DoubtfulSegment {
  readonly pkt: TcpPacket;
  readonly seq: number;
  readonly wireLen: number;
}

/** The held segments' budget and their fate. */
export class DoubtfulSegments {
  /** Bytes held now. */
  bytes = 0;

  constructor(private readonly maxBytes = MAX_DOUBTFUL_BYTES) {}

  /** Holds a copy of `pkt` for `half` (replacing the one it held: dropped); false when the budget is spent. */
  hold(half: HalfConnection, pkt: TcpPacket, seq: number, wireLen: number): boolean {
    this.drop(half);
    if (this.bytes + pkt.payloadLength > this.maxBytes) return false;
    this.bytes += pkt.payloadLength;
    half.doubtful = { pkt: pkt.clone(), seq, wireLen };
    return true;
  }

  /**
   * The receiver acknowledged `ack`: the held segment of `half` if that reaches its start while the stream is
   * still before it (to be taken now), else null; a segment the stream already passed is dropped.
   */
  acknowledged(half: HalfConnection, ack: number): DoubtfulSegment | null {
    const d = half.doubtful;
    if (d === null || seqDiff(d.seq, ack) < 0) return null;
    if (half.started && seqDiff(half.nextSeq, d.seq) <= 0) {
      this.drop(half);
      return null;
    }
    half.doubtful = null;
    this.bytes -= d.pkt.payloadLength;
    return d;
  }

  /** Drops what `half` holds, counting it as out of window. */
  drop(half: HalfConnection): void {
    const d = half.doubtful;
    if (d === null) return;
    half.doubtful = null;
    this.bytes -= d.pkt.payloadLength;
    half.stats.outOfWindowPackets++;
    half.stats.outOfWindowBytes += d.wireLen;
  }
}
