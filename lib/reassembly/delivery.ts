/**
 * In-order delivery and the end of a connection: segments and queued pages handed to the stream through the
 * ScatterGather (without a copy when in order), the delivered-data window fed, kept bytes copied, holes
 * skipped (by age, by a page limit, at the end), FINs honoured once the data before them is complete, and
 * connections finished (complete() called once, tombstone left).
 */
import type { DoubtfulSegments } from './doubtful.js';
import type { TcpPacket } from '../decode/packet.js';
import { endKey } from '../schema/states.js';
import type { BufferedPages } from './buffered-pages.js';
import type { ConflictScanner } from './conflict-scanner.js';
import type { Connection, EndReason, HalfConnection } from './connection.js';
import type { OverlapEvents } from './events.js';
import type { FlushList } from './flush-list.js';
import type { PendingRsts } from './pending-rsts.js';
import { copyPageInfo, setPacketInfo } from './memory.js';
import type { AssemblerOptions } from './options.js';
import type { OutOfOrderQueue } from './out-of-order.js';
import type { StreamPool } from './pool.js';
import type { ScatterGatherImpl } from './scatter-gather.js';
import { seqAdd, seqDiff } from './sequence.js';
import type { AssemblerStats } from './stats.js';
import type { AssemblerContext } from './stream.js';
import type { DeliveredWindow } from './delivered-window.js';

/** A direction's next sequence number becomes known. */
export function startHalf(half: HalfConnection, nextSeq: number): void {
  half.started = true;
  half.nextSeq = nextSeq;
}

/** Is data at `seq` held back by a pending RST (Connection.rstPending)? */
export function isHeld(half: HalfConnection, seq: number): boolean {
  return half.holdActive && seqDiff(half.holdSeq, seq) >= 0;
}

/** A SYN's held data is taken as accepted (its receiver acknowledged it, or nothing says otherwise). */
export function acceptSynData(half: HalfConnection): void {
  half.synDataPending = false;
  half.stats.synDataBytes += seqDiff(seqAdd(half.isn, 1), half.synDataEnd);
}

/** Is `seq` past nextSeq but within a hole known to be missing (snaplen), so data there is delivered at once? */
export function inHole(half: HalfConnection, seq: number): boolean {
  return half.holeValid && seqDiff(half.nextSeq, seq) > 0 && seqDiff(seq, half.holeEnd) >= 0;
}

/** Delivers in order and ends connections; one per Assembler, sharing its pages, window and lists. */
export class Delivery {
  constructor(
    private readonly options: AssemblerOptions,
    private readonly stats: AssemblerStats,
    private readonly pool: StreamPool,
    private readonly pages: BufferedPages,
    private readonly delivered: DeliveredWindow,
    private readonly sg: ScatterGatherImpl,
    private readonly ooo: OutOfOrderQueue,
    private readonly conflicts: ConflictScanner,
    private readonly events: OverlapEvents,
    private readonly flushList: FlushList,
    private readonly pendingRsts: PendingRsts,
    private readonly doubtful: DoubtfulSegments,
  ) {}

  /** Decides an RST nothing proved either way (the Assembler's RstJudge; set once after construction). */
  rstSettler: { settle(conn: Connection, ctx: AssemblerContext): number } | null = null;

  /** A pending RST nothing proved either way: the settler's decision, or taken when there is none. */
  private settleRst(conn: Connection, ctx: AssemblerContext): number {
    return this.rstSettler === null ? this.takeRst(conn, ctx) : this.rstSettler.settle(conn, ctx);
  }

  
  /** Accepted RST: both directions end now, whatever arrived before; buffered data is delivered over its gaps. */
  /**
   * An RST sent by `rstHalf` at `rstSeq` ended the connection: everything queued is delivered over its holes,
   * and the sender's bytes between the last one delivered and the RST count as missing (the RST proves they
   * were sent). Returns the tombstone slot.
   */
  resetConnection(conn: Connection, ctx: AssemblerContext, rstHalf: HalfConnection, rstSeq: number): number {
    conn.ending = true;
    for (let i = 0; i < 2; i++) {
      const h = conn.halves[i]!;
      if (h.closed) continue;
      while (h.first !== null && !h.closed) {
        this.skipGap(conn, h, ctx, false);
        this.drain(conn, h, ctx);
      }
      if (h.closed) continue;
      // Beyond rstUnknownWindow the RST proves nothing about the bytes before it (it passed the window check
      // on an acknowledgement far ahead, and such a number says nothing about data seen).
      const hole = h === rstHalf && h.started && !h.finPending ? seqDiff(h.nextSeq, rstSeq) : 0;
      this.deliverEnd(conn, h, hole > 0 && hole <= this.options.rstUnknownWindow ? hole : 0, ctx);
    }
    return this.finishConnection(conn, 'reset', ctx);
  }

  /**
   * The pending RST took effect (the receiver answered with an RST, a new SYN came, time or memory ran out, the
   * capture ended): what arrived after it is not part of the stream; its packets count as after the close.
   */
  takeRst(conn: Connection, ctx: AssemblerContext): number {
    conn.rstPending = false;
    this.pendingRsts.remove(conn);
    for (let i = 0; i < 2; i++) {
      const h = conn.halves[i]!;
      if (!h.holdActive) continue;
      h.holdActive = false;
      this.ooo.discardFrom(h, h.holdSeq);
      if (h.finPending && seqDiff(h.holdSeq, h.finSeq) >= 0) h.finPending = false;
      h.stats.packetsAfterClose += h.heldPackets;
      h.heldPackets = 0;
      h.heldWire = 0;
    }
    conn.lastTsSec = conn.rstTsSec;
    conn.lastTsNsec = conn.rstTsNsec;
    const rstHalf = conn.halves[conn.rstDir]!;
    return this.resetConnection(conn, ctx, rstHalf, conn.rstSeq);
  }

  /** The pending RST did not take effect (the receiver acknowledged data sent after it): held data flows. */
  releaseHold(conn: Connection, ctx: AssemblerContext): void {
    conn.rstPending = false;
    this.pendingRsts.remove(conn);
    for (let i = 0; i < 2; i++) {
      const h = conn.halves[i]!;
      h.holdActive = false;
      h.heldPackets = 0;
      h.heldWire = 0;
    }
    for (let i = 0; i < 2 && !conn.closed; i++) this.drain(conn, conn.halves[i]!, ctx);
  }

  /**
   * Ends a connection: delivers what is buffered, calls complete() once, leaves a tombstone. Returns the
   * tombstone's slot (-1: none).
   */
  finishConnection(conn: Connection, reason: EndReason, ctx: AssemblerContext): number {
    if (conn.closed) return -1;
    // An RST still waiting for evidence is decided now (RstJudge.settle): taken, it ends the connection.
    if (conn.rstPending) {
      const slot = this.settleRst(conn, ctx);
      if (conn.closed) return slot;
    }
    conn.ending = true;
    conn.endReason = reason;
    for (let i = 0; i < 2; i++) {
      const h = conn.halves[i]!;
      while (!h.closed && h.first !== null) this.skipGap(conn, h, ctx, false);
      // A FIN proves the bytes before it existed: the hole up to it counts as missing.
      if (!h.closed && h.finPending && h.started) {
        const d = seqDiff(h.nextSeq, h.finSeq);
        if (d > 0) this.deliverEnd(conn, h, d, ctx);
      }
      this.releaseHalf(h);
      h.closed = true;
    }
    conn.closed = true;
    this.flushList.unlist(conn);
    this.pool.stats.ended[endKey(reason)]++;
    const stream = conn.stream;
    const drop = stream === null ? true : stream.complete(ctx);
    conn.keepStream = !drop;
    if (drop) conn.stream = null;
    return this.pool.bury(conn);
  }

  /** Closes one direction (FIN reached or RST); the connection completes when both are closed. */
  private closeHalf(conn: Connection, half: HalfConnection, ctx: AssemblerContext): void {
    half.closed = true;
    if (half.finPending) half.nextSeq = seqAdd(half.finSeq, 1);
    this.releaseHalf(half);
    if (!conn.ending && conn.half0.closed && conn.half1.closed) {
      this.finishConnection(conn, 'closed', ctx);
    }
  }

  /** Returns every page a direction holds. */
  private releaseHalf(half: HalfConnection): void {
    this.doubtful.drop(half);
    while (half.first !== null) {
      const p = half.first;
      this.ooo.unlink(half, p);
      this.pages.freeQueued(half, p);
    }
    this.releaseKept(half);
    this.delivered.release(half);
  }

  /** In-order (or overlapping-delivered, or just past a known hole) segment: deliver without copying. */
  deliverPacket(
    conn: Connection,
    half: HalfConnection,
    pkt: TcpPacket,
    seq: number,
    capLen: number,
    wireLen: number,
    ctx: AssemblerContext,
  ): void {
    const st = half.stats;
    const pktSeq = seq;
    const pktWire = wireLen;
    let off = pkt.payloadOffset;
    const d = seqDiff(half.nextSeq, seq);
    let skip = 0;
    let ov = 0;
    if (d < 0) {
      // Overlap with delivered data: delivered data wins; compare what the window still holds.
      ov = -d < wireLen ? -d : wireLen;
      const capOv = -d < capLen ? -d : capLen;
      if (capOv > 0) this.conflicts.checkDelivered(conn, half, pkt, seq, off, capOv);
      seq = seqAdd(seq, ov);
      off += capOv;
      capLen -= capOv;
      wireLen -= ov;
      if (wireLen === 0) {
        st.overlapPackets++;
        st.overlapBytes += ov;
        st.retransmittedPackets++;
        st.retransmittedBytes += pktWire;
        this.events.segment('retransmission', conn, half.dir, pkt, pktSeq, pktWire, ov);
        return;
      }
    } else {
      skip = d;
    }
    let qov = 0;
    if (half.first !== null && capLen > 0) qov = this.ooo.carve(conn, half, pkt, seq, off, capLen);
    if (ov + qov > 0) {
      st.overlapPackets++;
      st.overlapBytes += ov + qov;
      this.events.segment('partial-overlap', conn, half.dir, pkt, pktSeq, pktWire, ov + qov);
    }
    if (capLen === 0) {
      // Nothing captured past the overlap: the rest is a known hole.
      this.markHole(half, seqAdd(seq, wireLen));
      return;
    }
    const sg = this.sg;
    sg.begin(half.dir, skip, seq);
    this.addKept(half);
    sg.addPacket(pkt, off, capLen, seq, ov === 0);
    let next = seqAdd(seq, capLen);
    if (wireLen > capLen) this.markHole(half, seqAdd(seq, wireLen));
    else next = this.collectContiguous(half, next);
    this.dispatch(conn, half, next, false, ctx);
  }

  private markHole(half: HalfConnection, end: number): void {
    if (!half.holeValid || seqDiff(half.holeEnd, end) > 0) {
      half.holeEnd = end;
      half.holeValid = true;
    }
  }

  /** Appends queued pages starting exactly at `next` (stopping after a page followed by a known hole). */
  private collectContiguous(half: HalfConnection, next: number): number {
    const sg = this.sg;
    for (let p = half.first; p !== null && p.seq === next; p = half.first) {
      this.ooo.unlink(half, p);
      sg.addPage(p);
      next = seqAdd(next, p.len);
      if (p.missingAfter > 0) {
        this.markHole(half, seqAdd(next, p.missingAfter));
        break;
      }
    }
    return next;
  }

  /** Delivers the queue's first run of pages, after a gap of `skip` bytes (-1: unknown). */
  private deliverPages(conn: Connection, half: HalfConnection, skip: number, ctx: AssemblerContext): void {
    const p = half.first!;
    this.sg.begin(half.dir, skip, p.seq);
    this.addKept(half);
    const next = this.collectContiguous(half, p.seq);
    this.dispatch(conn, half, next, false, ctx);
  }

  /** Delivers an empty end-of-direction call (FIN reached after a gap, or RST). */
  private deliverEnd(conn: Connection, half: HalfConnection, skip: number, ctx: AssemblerContext): void {
    const at = half.finPending ? half.finSeq : half.nextSeq;
    this.sg.begin(half.dir, skip, at);
    this.addKept(half);
    this.dispatch(conn, half, skip >= 0 && half.started ? seqAdd(half.nextSeq, skip) : half.nextSeq, true, ctx);
  }

  private addKept(half: HalfConnection): void {
    for (let p = half.keptFirst; p !== null; p = p.next) this.sg.addKept(p);
  }

  /** Hands the sg to the stream, then keeps/release pages and advances nextSeq to `next`. */
  private dispatch(conn: Connection, half: HalfConnection, next: number, forceEnd: boolean, ctx: AssemblerContext): void {
    const sg = this.sg;
    const st = half.stats;
    if (sg.skip > 0) {
      st.gaps++;
      st.missingBytes += sg.skip;
    } else if (sg.skip < 0) {
      st.startMissing = true;
    }
    sg.start = half.synSeen && !half.deliveredAny && sg.skip === 0;
    const end = forceEnd || (half.finPending && next === half.finSeq);
    sg.end = end;
    sg.overlapBytes = st.overlapBytes;
    sg.overlapPackets = st.overlapPackets;
    if (this.delivered.maxBytes > 0) {
      for (let i = sg.keptChunks; i < sg.count; i++) {
        const p = sg.pages[i]!;
        const len = sg.chunkLength(i);
        if (p === null) {
          const pkt = sg.packet!;
          const segLen = pkt.wireLength > pkt.payloadLength ? pkt.wireLength : pkt.payloadLength;
          const at = sg.chunkOffset(i);
          // The chunk is a piece of the packet's payload: its file position follows from its offset in it.
          const filePosition = pkt.readBack !== null ? pkt.payloadFileOffset + (at - pkt.payloadOffset) : -1;
          this.delivered.append(half, sg.chunkBuffer(i), at, len, sg.chunkSeq(i), pkt.tsSec, pkt.tsNsec, pkt.recordNumber, segLen, pkt.readBack, filePosition);
        } else {
          // A queued page of a packet in the file is read back from there too.
          const filePosition = p.readBack !== null ? p.bufPosition + p.off : -1;
          this.delivered.append(half, p.buf, p.off, p.len, p.seq, p.tsSec, p.tsNsec, p.recordNumber, p.pktLen, p.readBack, filePosition);
        }
      }
    }
    half.deliveredAny = true;
    conn.stream!.reassembled(sg, ctx);
    st.bytes += sg.available - sg.saved;
    half.nextSeq = next;
    if (half.holeValid && seqDiff(half.holeEnd, next) >= 0) half.holeValid = false;
    this.afterDelivery(half);
    if (end) this.closeHalf(conn, half, ctx);
  }

  /** After a delivery: copy what the stream kept, release kept and delivered pages. */
  private afterDelivery(half: HalfConnection): void {
    const sg = this.sg;
    const keep = sg.toKeep;
    // Detach the old kept pages (they are chunks of this sg) before making new ones.
    let oldKept = half.keptFirst;
    half.keptFirst = half.keptLast = null;
    half.keptBytes = 0;
    if (keep >= 0 && keep < sg.available) {
      const n = sg.available - keep;
      if (Math.ceil(n / this.pages.pageSize) > this.options.maxBufferedPagesPerConnection) {
        half.stats.keptBytesDropped += n;
      } else {
        this.keepRange(half, keep);
      }
    }
    while (oldKept !== null) {
      const next = oldKept.next;
      half.keptPages--;
      this.pages.free(half, oldKept);
      oldKept = next;
    }
    for (let i = sg.keptChunks; i < sg.count; i++) {
      const p = sg.pages[i];
      if (p) this.pages.freeQueued(half, p);
    }
    sg.clear();
    half.notePages();
  }

  /** Copies sg bytes from `from` on into kept pages, one run per chunk so capture info stays exact. */
  private keepRange(half: HalfConnection, from: number): void {
    const sg = this.sg;
    let pos = 0;
    for (let i = 0; i < sg.count; i++) {
      const len = sg.chunkLength(i);
      if (from >= pos + len) {
        pos += len;
        continue;
      }
      const within = from > pos ? from - pos : 0;
      const src = sg.pages[i] ?? null;
      const pkt = sg.packet;
      let o = sg.chunkOffset(i) + within;
      let remaining = len - within;
      let seq = seqAdd(sg.chunkSeq(i), within);
      let firstPiece = true;
      while (remaining > 0) {
        const p = this.pages.alloc();
        const k = remaining < p.buf.length ? remaining : p.buf.length;
        sg.chunkBuffer(i).copy(p.buf, 0, o, o + k);
        p.len = k;
        p.seq = seq;
        if (src !== null) copyPageInfo(p, src);
        else if (pkt !== null) {
          setPacketInfo(p, pkt);
          p.pktLen = pkt.wireLength;
        }
        p.first = firstPiece && within === 0 && (src === null || src.first);
        firstPiece = false;
        p.prev = half.keptLast;
        if (half.keptLast !== null) half.keptLast.next = p;
        else half.keptFirst = p;
        half.keptLast = p;
        half.keptPages++;
        half.keptBytes += k;
        o += k;
        seq = seqAdd(seq, k);
        remaining -= k;
      }
      pos += len;
    }
  }

  private releaseKept(half: HalfConnection): void {
    let p = half.keptFirst;
    half.keptFirst = half.keptLast = null;
    half.keptBytes = 0;
    while (p !== null) {
      const next = p.next;
      half.keptPages--;
      this.pages.free(half, p);
      p = next;
    }
  }

  /**
   * Delivers whatever has become deliverable: queued pages at nextSeq (or just past a known hole), and the end
   * of the direction once its FIN is reached.
   */
  drain(conn: Connection, half: HalfConnection, ctx: AssemblerContext): void {
    for (;;) {
      if (half.closed || !half.started) return;
      const p = half.first;
      if (p === null) break;
      const d = seqDiff(half.nextSeq, p.seq);
      if (d < 0) {
        this.ooo.trimFront(half, p, -d);
        continue;
      }
      if (d > 0 && !inHole(half, p.seq)) break;
      if (isHeld(half, p.seq)) break;
      this.deliverPages(conn, half, d, ctx);
    }
    if (half.finPending && !half.closed && !isHeld(half, half.finSeq)) {
      const d = seqDiff(half.nextSeq, half.finSeq);
      if (d <= 0) this.deliverEnd(conn, half, 0, ctx);
      else if (inHole(half, half.finSeq) && (half.first === null || seqDiff(half.finSeq, half.first.seq) >= 0)) {
        this.deliverEnd(conn, half, d, ctx);
      }
    }
  }

  /** Skips the gap before the first queued page and delivers the run there (limits, flushes, close). */
  private skipGap(conn: Connection, half: HalfConnection, ctx: AssemblerContext, byLimit: boolean): void {
    const p = half.first!;
    let skip: number;
    // A SYN was seen: the direction starts after it, whatever came first.
    if (!half.started && half.synSeen) {
      if (half.synDataPending) acceptSynData(half);
      startHalf(half, seqAdd(half.isn, 1));
    }
    if (half.started) {
      skip = seqDiff(half.nextSeq, p.seq);
      if (skip < 0) {
        this.ooo.trimFront(half, p, -skip);
        return;
      }
    } else {
      skip = -1;
      startHalf(half, p.seq);
    }
    if (byLimit && skip > 0) {
      half.stats.bytesSkippedByLimits += skip;
      this.stats.bytesSkippedByLimits += skip;
    }
    this.deliverPages(conn, half, skip, ctx);
  }

  /** Flush of one direction by age; returns true when something was pushed out. */
  flushHalfOlderThan(conn: Connection, half: HalfConnection, t: number, ctx: AssemblerContext): boolean {
    if (half.closed) return false;
    let did = false;
    while (half.first !== null && !half.closed && half.first.time < t) {
      this.skipGap(conn, half, ctx, false);
      this.drain(conn, half, ctx);
      did = true;
      if (conn.closed) return did;
    }
    // A FIN waiting behind data that never came: close over the gap once the FIN is old enough.
    if (!half.closed && half.finPending && half.first === null && half.finTsSec + half.finTsNsec * 1e-9 < t) {
      const d = half.started ? seqDiff(half.nextSeq, half.finSeq) : -1;
      this.deliverEnd(conn, half, d < 0 && half.started ? 0 : d, ctx);
      did = true;
    }
    return did;
  }

  enforceLimits(conn: Connection, half: HalfConnection, ctx: AssemblerContext): void {
    const o = this.options;
    const other = conn.halves[half.dir ^ 1]!;
    for (;;) {
      if (conn.closed) return;
      const perConn =
        half.queuedPages + half.keptPages + other.queuedPages + other.keptPages > o.maxBufferedPagesPerConnection;
      const total = this.stats.bufferedPages > o.maxBufferedPagesTotal;
      if (!perConn && !total) return;
      // Memory ran out while an RST waited for evidence: it is taken as having ended the connection.
      if (conn.rstPending) {
        this.settleRst(conn, ctx);
        return;
      }
      const h = half.first !== null ? half : other.first !== null ? other : null;
      if (h === null) return;
      if (perConn) this.stats.limitHitsPerConnection++;
      else this.stats.limitHitsTotal++;
      this.skipGap(conn, h, ctx, true);
      this.drain(conn, h, ctx);
    }
  }
}
