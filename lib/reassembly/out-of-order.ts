/**
 * The out-of-order queue of a direction: bytes that arrived ahead of the next expected sequence number, copied
 * into pages, sorted by sequence number, never overlapping. New bytes that overlap buffered ones replace them
 * (gopacket's rule: the later copy wins while nothing was delivered), and the overlapped bytes are compared
 * for conflicts.
 */
import type { TcpPacket } from '../decode/packet.js';
import type { BufferedPages } from './buffered-pages.js';
import type { ConflictScanner } from './conflict-scanner.js';
import type { Connection, HalfConnection } from './connection.js';
import type { OverlapEvents } from './events.js';
import type { FlushList } from './flush-list.js';
import { copyBytes, copyPageInfo, setFilePosition, setPacketInfo, type Page } from './memory.js';
import { seqAdd, seqDiff } from './sequence.js';

export class OutOfOrderQueue {
  constructor(
    private readonly pages: BufferedPages,
    private readonly conflicts: ConflictScanner,
    private readonly events: OverlapEvents,
    private readonly flushList: FlushList,
  ) {}

  /**
   * Copies an out-of-order segment (`capLen` captured of `wireLen` bytes at `seq`) into pages, replacing what it
   * overlaps. `held`: the bytes are not out of order but held back (a SYN's data until it is acknowledged, data
   * after a pending RST): not counted as queued unless they overlap.
   */
  insert(conn: Connection, half: HalfConnection, pkt: TcpPacket, seq: number, capLen: number, wireLen: number, held = false): void {
    const off = pkt.payloadOffset;
    const ov = half.first !== null ? this.carve(conn, half, pkt, seq, off, capLen) : 0;
    // The range is clear now: the new pages go after the last page before it.
    const prev = pageBefore(half, seq);
    const next = prev !== null ? prev.next : half.first;
    // A known hole after the previous page ends where these bytes start.
    if (prev !== null && prev.missingAfter > 0) {
      const room = seqDiff(seqAdd(prev.seq, prev.len), seq);
      if (prev.missingAfter > room) prev.missingAfter = room;
    }
    const last = this.copyIn(half, pkt, off, seq, capLen, wireLen, prev);
    if (wireLen > capLen && last !== null) {
      let missing = wireLen - capLen;
      if (next !== null) {
        const room = seqDiff(seqAdd(seq, capLen), next.seq);
        if (missing > room) missing = room;
      }
      last.missingAfter = missing;
    }
    if (!held || ov > 0) this.count(conn, half, pkt, seq, capLen, wireLen, ov);
    half.notePages();
  }

  /** Drops queued bytes before `end` from the front of the queue (data the receiver did not take). */
  discardBefore(half: HalfConnection, end: number): void {
    for (let p = half.first; p !== null && seqDiff(p.seq, end) > 0; p = half.first) {
      const k = seqDiff(p.seq, end);
      if (k < p.len) {
        p.off += k;
        p.len -= k;
        p.seq = end;
        return;
      }
      this.unlink(half, p);
      this.pages.freeQueued(half, p);
    }
  }

  /** Drops queued bytes from `from` on (data after an RST that ended the connection). */
  discardFrom(half: HalfConnection, from: number): void {
    for (let p = half.last; p !== null; p = half.last) {
      const keep = seqDiff(p.seq, from);
      if (keep >= p.len) return;
      if (keep > 0) {
        p.len = keep;
        p.missingAfter = 0;
        return;
      }
      this.unlink(half, p);
      this.pages.freeQueued(half, p);
    }
  }

  /**
   * Removes from the queue the range [s, s + len) that new bytes (pkt payload at `off`) are about to take,
   * comparing overlapped bytes for conflicts (newer data replaces buffered data). The six cases of gopacket's
   * checkOverlap become: no overlap before (1) or after (5); page tail cut (2); page dropped (3); page head cut
   * (4); page split around the new bytes (6). Returns the overlapped byte count.
   */
  carve(conn: Connection, half: HalfConnection, pkt: TcpPacket, s: number, off: number, len: number): number {
    const e = seqAdd(s, len);
    let overlapped = 0;
    let cur = half.last;
    this.conflicts.begin(pkt);
    while (cur !== null) {
      // (5) the page lies after the new bytes.
      if (seqDiff(e, cur.seq) >= 0) {
        cur = cur.prev;
        continue;
      }
      const curEnd = seqAdd(cur.seq, cur.len);
      if (seqDiff(curEnd, s) >= 0) break; // (1) the page lies before: nothing more to carve.
      const startsInside = seqDiff(s, cur.seq) >= 0; // s <= cur.seq
      const endsInside = seqDiff(curEnd, e) >= 0; // curEnd <= e
      const ovS = startsInside ? cur.seq : s;
      const ovLen = seqDiff(ovS, endsInside ? curEnd : e);
      overlapped += ovLen;
      this.conflicts.compareBuffered(conn, half, cur, ovS, ovLen, pkt, off + seqDiff(s, ovS));
      if (startsInside && endsInside) {
        // (3) the new bytes cover the page: drop it.
        const prev = cur.prev;
        if (cur.first && cur.next !== null && !cur.next.first && cur.next.recordNumber === cur.recordNumber) cur.next.first = true;
        this.unlink(half, cur);
        this.pages.freeQueued(half, cur);
        cur = prev;
      } else if (!startsInside && !endsInside) {
        // (6) the new bytes fall inside the page: split it around them.
        this.split(half, cur, s, e);
        break;
      } else if (!startsInside) {
        // (2) the new bytes cover the page's tail.
        cur.len = seqDiff(cur.seq, s);
        cur.missingAfter = 0;
        break;
      } else {
        // (4) the new bytes cover the page's head.
        const cut = seqDiff(cur.seq, e);
        cur.off += cut;
        cur.len -= cut;
        cur.seq = e;
        cur = cur.prev;
      }
    }
    this.conflicts.end();
    half.notePages();
    return overlapped;
  }

  /** A queued page reaching back before nextSeq (only after odd input): drops its first `n` bytes, or all of it. */
  trimFront(half: HalfConnection, p: Page, n: number): void {
    const k = n < p.len ? n : p.len;
    half.stats.overlapBytes += k;
    p.off += k;
    p.len -= k;
    p.seq = seqAdd(p.seq, k);
    if (p.len === 0) {
      this.unlink(half, p);
      this.pages.freeQueued(half, p);
    }
  }

  /** Links a page into the queue after `after` (null: at the head). */
  link(half: HalfConnection, p: Page, after: Page | null): void {
    if (half.first === null) this.flushList.note(half.conn!);
    p.prev = after;
    p.next = after !== null ? after.next : half.first;
    if (p.next !== null) p.next.prev = p;
    else half.last = p;
    if (after !== null) after.next = p;
    else half.first = p;
    half.queuedPages++;
  }

  /** Unlinks a page from the queue (its page count goes when it is freed). */
  unlink(half: HalfConnection, p: Page): void {
    if (p.prev !== null) p.prev.next = p.next;
    else half.first = p.next;
    if (p.next !== null) p.next.prev = p.prev;
    else half.last = p.prev;
    p.prev = p.next = null;
  }

  /** Case (6): page `cur` loses [s, e) from its middle; its tail after `e` becomes a page of its own. */
  private split(half: HalfConnection, cur: Page, s: number, e: number): void {
    const tail = this.pages.alloc();
    const cut = seqDiff(cur.seq, e);
    cur.buf.copy(tail.buf, 0, cur.off + cut, cur.off + cur.len);
    tail.len = cur.len - cut;
    tail.seq = e;
    copyPageInfo(tail, cur);
    tail.readBack = cur.readBack;
    tail.bufPosition = cur.bufPosition + cur.off + cut;
    tail.first = false;
    tail.missingAfter = cur.missingAfter;
    cur.missingAfter = 0;
    cur.len = seqDiff(cur.seq, s);
    this.link(half, tail, cur);
  }

  /** Copies the payload into new pages linked after `after`; returns the last one. */
  private copyIn(half: HalfConnection, pkt: TcpPacket, off: number, seq: number, capLen: number, wireLen: number, after: Page | null): Page | null {
    let written = 0;
    while (written < capLen) {
      const p = this.pages.alloc();
      const k = capLen - written < p.buf.length ? capLen - written : p.buf.length;
      copyBytes(pkt.payloadBuf, off + written, p.buf, 0, k);
      p.len = k;
      p.seq = seqAdd(seq, written);
      p.first = written === 0;
      p.pktLen = wireLen;
      setPacketInfo(p, pkt);
      if (pkt.readBack !== null) setFilePosition(p, pkt, off + written);
      this.link(half, p, after);
      after = p;
      written += k;
    }
    return after;
  }

  /** The counters and the event of a queued segment that overlapped `ov` buffered bytes. */
  private count(conn: Connection, half: HalfConnection, pkt: TcpPacket, seq: number, capLen: number, wireLen: number, ov: number): void {
    const st = half.stats;
    st.queuedPackets++;
    st.queuedBytes += capLen;
    if (ov === 0) {
      this.events.segment('out-of-order', conn, half.dir, pkt, seq, wireLen, 0);
      return;
    }
    st.overlapPackets++;
    st.overlapBytes += ov;
    if (ov >= capLen) {
      st.retransmittedPackets++;
      st.retransmittedBytes += wireLen;
      this.events.segment('retransmission', conn, half.dir, pkt, seq, wireLen, ov);
    } else {
      this.events.segment('partial-overlap', conn, half.dir, pkt, seq, wireLen, ov);
    }
  }
}

/** The last queued page before `seq`, walking back from the end (where new data mostly goes); null: none. */
function pageBefore(half: HalfConnection, seq: number): Page | null {
  let p = half.last;
  while (p !== null && seqDiff(seq, p.seq) > 0) p = p.prev;
  return p;
}
