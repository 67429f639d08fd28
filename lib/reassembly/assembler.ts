/**
 * The Assembler: feeds TCP segments into their connections' streams in order, driven by capture time.
 *
 * gopacket's reassembly design (in-order data handed over without copying, out-of-order data copied into pages,
 * overlap cases resolved with "delivered data wins, newer data replaces buffered data"), with its faults fixed:
 * exact sequence arithmetic across the wrap, an RST the receiver could accept closing both directions whenever it
 * arrives (a blind RST outside the window is counted and ignored, see `rstPolicy`), tombstones instead
 * of phantom connections, roles from SYN / SYN-ACK, real overlap lengths, conflict detection, bounded memory,
 * captureInfo exact on every page, FIN honoured only once the data before it is complete or flushed.
 */
import { TcpFlag, type TcpPacket } from '../decode/packet.js';
import { isNewIncarnation, noteAdvertisedWindow, outOfWindow, rstOutsideWindow, sourceIsClient } from './acceptance.js';
import { ConflictScanner } from './conflict-scanner.js';
import { hitDir, hitSlot } from './flow-table.js';
import { type Connection, type Direction, type EndReason, type HalfConnection, SuspiciousRst } from './connection.js';
import { OverlapEvents } from './events.js';
import { BufferedPages } from './buffered-pages.js';
import { FlushList, flushable } from './flush-list.js';
import { copyPageInfo, PageCache } from './memory.js';
import { OutOfOrderQueue } from './out-of-order.js';
import { assemblerOptions, type AssemblerOptions } from './options.js';
import type { StreamPool } from './pool.js';
import { ScatterGatherImpl } from './scatter-gather.js';
import { seqAdd, seqDiff } from './sequence.js';
import { AssemblerStats } from './stats.js';
import { endKey } from '../schema/states.js';
import { type AssemblerContext, FlushContext, type OverlapObserver, type StartFlag } from './stream.js';
import { WindowStore } from './window.js';

const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const FIN = TcpFlag.FIN;
const RST = TcpFlag.RST;

/** Capture times for `flushWithOptions`, in seconds since the Unix epoch (tsSec + tsNsec / 1e9). */
export interface FlushOptions {
  /** Buffered data queued before this time is delivered over its gap (the gap is skipped). */
  t: number;
  /** Connections idle since before this time are closed (`timed-out`); tombstones older than it are dropped. */
  tc?: number;
  /**
   * The current capture time (usually that of the packet that prompted the flush). When given, the context
   * passed to streams for what this flush delivers or closes carries it, so their output shows when the engine
   * acted; otherwise the context carries the later of `t` and `tc`, which are thresholds in the past.
   */
  now?: number;
}

/** What a flush did. */
export interface FlushResult {
  /** Directions whose buffered data was pushed out over a gap. */
  flushed: number;
  /** Connections closed. */
  closed: number;
}

/** Reassembles TCP connections. Not reentrant: do not call it from inside a stream callback. */
export class Assembler {
  readonly options: AssemblerOptions;
  readonly pool: StreamPool;
  readonly stats = new AssemblerStats();
  private readonly events = new OverlapEvents();
  private readonly pc: PageCache;
  private readonly win: WindowStore;
  private readonly sg = new ScatterGatherImpl();
  private readonly startFlag: StartFlag = { value: false };
  private readonly flushCtx = new FlushContext();
  private readonly conflicts: ConflictScanner;
  private readonly pages: BufferedPages;
  private readonly ooo: OutOfOrderQueue;
  /** Connections that may have something for a flush to push out. */
  private readonly flushList = new FlushList();

  constructor(pool: StreamPool, options?: Partial<AssemblerOptions>) {
    this.pool = pool;
    this.options = assemblerOptions(options);
    this.pc = new PageCache(this.options.pageSize, this.options.maxFreePages);
    this.win = new WindowStore(this.pc, this.stats, this.options.deliveredWindowBytes, this.options.maxWindowPagesTotal);
    this.conflicts = new ConflictScanner(this.events, this.win, this.options.maxConflictRecordsPerConnection);
    this.pages = new BufferedPages(this.pc, this.stats);
    this.ooo = new OutOfOrderQueue(this.pages, this.conflicts, this.events, this.flushList);
  }

  /** Optional overlap observer (the overlap report); null costs nothing. */
  get observer(): OverlapObserver | null {
    return this.events.observer;
  }

  set observer(o: OverlapObserver | null) {
    this.events.observer = o;
  }

  /**
   * Reassembles one TCP segment. The packet (and its payload) is only read during the call.
   * @param ctx passed through to the stream; defaults to the packet itself (it carries the capture info)
   */
  assemble(pkt: TcpPacket, ctx: AssemblerContext = pkt): void {
    this.stats.packets++;
    const now = pkt.tsSec + pkt.tsNsec * 1e-9;
    const hit = this.route(pkt, ctx, now);
    if (hit < 0) return;
    const conn = this.pool.connectionAt(hit)!;
    const dir = hitDir(hit);
    const half = dir === 0 ? conn.half0 : conn.half1;
    const rev = dir === 0 ? conn.half1 : conn.half0;
    if (now >= conn.lastSeen) {
      conn.lastSeen = now;
      conn.lastTsSec = pkt.tsSec;
      conn.lastTsNsec = pkt.tsNsec;
    }
    this.pool.touch(conn);
    const wireLen = countPacket(half, pkt);
    const flags = pkt.flags;
    const start = this.startFlag;
    start.value = !half.started && (flags & SYN) !== 0;
    if (!conn.stream!.accept(pkt, dir, half.started ? half.nextSeq : -1, start, ctx)) {
      half.stats.rejected++;
      return;
    }
    // An RST the receiver would have dropped is dropped whole, before its acknowledgement can release anything.
    if ((flags & RST) !== 0 && this.options.rstPolicy === 'in-window' && this.rstIgnored(conn, half, rev, pkt)) return;
    if ((flags & ACK) !== 0) {
      half.ackValid = true;
      half.ackSeq = pkt.ack;
      if (rev.winBytes > 0 && this.options.releaseWindowOnAck) this.win.trimTo(rev, pkt.ack);
    }
    if ((flags & RST) !== 0) {
      half.stats.rst++;
      this.resetConnection(conn, ctx);
      return;
    }
    noteAdvertisedWindow(half, rev, pkt);
    if (half.closed) {
      half.stats.packetsAfterClose++;
      return;
    }
    let seq = pkt.seq;
    if ((flags & SYN) !== 0) {
      seq = this.syn(conn, half, rev, pkt, ctx);
      if (conn.closed) return;
    } else if (start.value && !half.started) {
      this.startHalf(half, seq);
    }
    if (half.started && (flags & SYN) === 0 && (wireLen > 0 || (flags & FIN) !== 0) && outOfWindow(half, rev, seq, this.options.outOfWindowDistance)) {
      // The receiver drops it: no data, no FIN, and not a retransmission of anything.
      half.stats.outOfWindowPackets++;
      half.stats.outOfWindowBytes += wireLen;
      return;
    }
    if ((flags & FIN) !== 0) this.fin(conn, half, pkt, seq, wireLen);
    if (wireLen > 0) this.data(conn, half, rev, pkt, seq, wireLen, ctx);
    else if (half.started && (flags & (SYN | FIN)) === 0 && seqDiff(half.nextSeq, seq) === -1) half.stats.keepAlives++;
    if (half.first !== null || half.finPending) this.drain(conn, half, ctx);
  }

  /**
   * The open connection of a packet and the packet's direction in it, as a hit of the pool (-1: the packet hit
   * a tombstone and was absorbed). Makes the connection when the packet starts one: first packet of a 4-tuple,
   * a SYN with a new ISN on a tombstone or an open connection (port reuse), and lets a SYN settle guessed roles.
   */
  private route(pkt: TcpPacket, ctx: AssemblerContext, now: number): number {
    const pool = this.pool;
    const h = pool.hash(pkt);
    const hit = pool.lookup(pkt, h);
    const syn = (pkt.flags & SYN) !== 0;
    const conn = hit >= 0 ? pool.connectionAt(hit) : null;
    if (conn === null) {
      if (hit >= 0) {
        // A closed connection's 4-tuple: late packets are absorbed; a SYN with a new ISN is port reuse.
        const t = hitSlot(hit);
        if (!syn || !pool.tombstoneNewIncarnation(t, hitDir(hit), pkt.seq)) {
          this.tombstoneHit(t, hitDir(hit), pkt, ctx, now);
          return -1;
        }
        pool.stats.portReuses++;
        pool.removeTombstone(t);
      }
      return this.createConnection(pkt, h, ctx, null);
    }
    if (!syn) return hit;
    if (isNewIncarnation(conn, hitDir(hit), pkt.seq)) return this.createConnection(pkt, h, ctx, conn);
    return conn.serverGuessed ? this.adoptHandshake(conn, hit, pkt) : hit;
  }

  /** A SYN of `half`: its ISN starts the direction; a SYN-ACK starts the other one too. Returns the seq after the SYN. */
  private syn(conn: Connection, half: HalfConnection, rev: HalfConnection, pkt: TcpPacket, ctx: AssemblerContext): number {
    const st = half.stats;
    const seq = pkt.seq;
    st.syn++;
    if (half.synSeen) {
      if (seq === half.isn) st.synRetransmits++;
    } else {
      half.synSeen = true;
      half.isn = seq;
      if (!half.started) this.startHalf(half, seqAdd(seq, 1));
    }
    // The SYN-ACK acknowledges the client's ISN + 1: the client direction starts there even if its SYN was lost.
    if ((pkt.flags & ACK) !== 0 && !rev.started && !rev.closed) {
      this.startHalf(rev, pkt.ack);
      this.drain(conn, rev, ctx);
    }
    return seqAdd(seq, 1);
  }

  /** A FIN at the end of `wireLen` bytes from `seq`: noted, and honoured once the data before it is complete. */
  private fin(conn: Connection, half: HalfConnection, pkt: TcpPacket, seq: number, wireLen: number): void {
    half.stats.fin++;
    const finSeq = seqAdd(seq, wireLen);
    if (half.finPending || (half.started && seqDiff(half.nextSeq, finSeq) < 0)) return;
    half.finPending = true;
    this.flushList.note(conn);
    half.finSeq = finSeq;
    half.finTsSec = pkt.tsSec;
    half.finTsNsec = pkt.tsNsec;
  }

  /** A segment's payload: delivered when in order (or over a known hole), else queued. */
  private data(conn: Connection, half: HalfConnection, rev: HalfConnection, pkt: TcpPacket, seq: number, wireLen: number, ctx: AssemblerContext): void {
    const capLen = pkt.payloadLength;
    if (!half.started) {
      if (capLen > 0) {
        this.ooo.insert(conn, half, pkt, seq, capLen, wireLen);
        this.enforceLimits(conn, half, ctx);
      }
      return;
    }
    const st = half.stats;
    const flags = pkt.flags;
    const d = seqDiff(half.nextSeq, seq);
    if (wireLen === 1 && rev.window === 0 && (d === 0 || d === -1)) st.windowProbes++;
    if (d === -1 && wireLen === 1 && rev.window !== 0 && (flags & (SYN | FIN)) === 0) {
      // Keep-alive with one byte of garbage at nextSeq - 1: not data, never a conflict.
      st.keepAlives++;
    } else if (d <= 0 || (this.inHole(half, seq) && (half.first === null || seqDiff(seq, half.first.seq) >= 0))) {
      this.deliverPacket(conn, half, pkt, seq, capLen, wireLen, ctx);
    } else {
      this.ooo.insert(conn, half, pkt, seq, capLen, wireLen);
      this.enforceLimits(conn, half, ctx);
    }
  }

  /**
   * Pushes out buffered data queued before `t` over its gap, and closes connections idle since before `tc`
   * (reason `timed-out`). Times are capture times in seconds. Streams get a context with recordNumber 0,
   * fileOffset -1 and the time `now` (or, without it, the later of `t` and `tc`).
   */
  flushWithOptions(opts: FlushOptions): FlushResult {
    const t = opts.t;
    const tc = opts.tc;
    const now = opts.now;
    const ctx = this.flushCtx.setTime(
      now !== undefined && Number.isFinite(now) ? now : tc !== undefined && tc > t ? tc : t,
    );
    const pool = this.pool;
    let flushed = 0;
    let closed = 0;
    if (tc !== undefined) {
      // Idle connections sit at the head of the LRU list: while it is sorted by lastSeen, stop at the first
      // connection seen since tc. Timestamps that went backwards unsort it: then walk it all, as a full scan
      // would, and find out whether it is sorted again.
      const full = pool.lruUnsorted;
      let prevSeen = -Infinity;
      let inversions = false;
      for (let c = pool.lruHead; c !== null; ) {
        const next = c.listNext;
        if (c.lastSeen < tc) {
          this.finishConnection(c, 'timed-out', ctx);
          closed++;
        } else if (!full) {
          break;
        } else {
          if (c.lastSeen < prevSeen) inversions = true;
          prevSeen = c.lastSeen;
        }
        c = next;
      }
      if (full && !inversions) pool.lruUnsorted = false;
    }
    // Buffered data and waiting FINs: only connections on the flush list can have any (see noteFlushable).
    for (let c = this.flushList.head; c !== null; ) {
      const next = c.flushNext;
      for (let i = 0; i < 2 && !c.closed; i++) {
        if (this.flushHalfOlderThan(c, c.halves[i]!, t, ctx)) flushed++;
      }
      if (c.closed) closed++;
      else if (!flushable(c)) this.flushList.unlist(c);
      c = next;
    }
    if (tc !== undefined) pool.expireTombstones(tc);
    return { flushed, closed };
  }

  /** Closes connections idle since before capture time `t` (and flushes data older than `t`); returns how many closed. */
  flushCloseOlderThan(t: number): number {
    return this.flushWithOptions({ t, tc: t }).closed;
  }

  /**
   * End of capture: delivers everything buffered (skipping gaps), closes all connections with `reason`
   * (`open-at-end`; `interrupted` when the run was stopped before the capture's end).
   */
  flushAll(reason: 'open-at-end' | 'interrupted' = 'open-at-end'): number {
    let closed = 0;
    while (this.pool.lruHead !== null) {
      const c = this.pool.lruHead;
      this.finishConnection(c, reason, this.flushCtx.setTime(c.lastSeen));
      closed++;
    }
    this.pool.clearTombstones();
    return closed;
  }

  /** Debug text: assembler counters and every open connection with its queued pages. */
  dump(): string {
    const lines: string[] = [];
    const s = this.stats;
    lines.push(
      `assembler: packets=${s.packets} pagesInUse=${s.pagesInUse} (buffered ${s.bufferedPages}, window ${s.windowPages}) peak=${s.pagesPeak} cacheFree=${this.pc.freeCount} allocated=${this.pc.allocated}`,
    );
    const ps = this.pool.stats;
    lines.push(
      `pool: created=${ps.connectionsCreated} open=${ps.connectionsOpen} peak=${ps.connectionsPeakOpen} tombstones=${ps.tombstones}`,
    );
    for (let c = this.pool.lruHead; c !== null; c = c.listNext) {
      lines.push(
        `#${c.id} ${c.client.addressString(c.ipVersion)}:${c.client.port} -> ${c.server.addressString(c.ipVersion)}:${c.server.port}${c.midStream ? ' mid-stream' : ''}${c.serverGuessed ? ' roles-guessed' : ''}`,
      );
      for (const h of c.halves) {
        lines.push(
          `  dir ${h.dir}: ${h.started ? `nextSeq=${h.nextSeq}` : 'not started'}${h.closed ? ' closed' : ''}${h.finPending ? ` fin@${h.finSeq}` : ''} queuedPages=${h.queuedPages} keptBytes=${h.keptBytes} window=${h.winBytes}@${h.winStart}`,
        );
        for (let p = h.first; p !== null; p = p.next) {
          lines.push(`    page seq=${p.seq} len=${p.len}${p.missingAfter ? ` missingAfter=${p.missingAfter}` : ''} record=${p.recordNumber}`);
        }
      }
    }
    return lines.join('\n');
  }

  // ---------------------------------------------------------------- connections

  /**
   * A new connection for `pkt` (flow hash `h`), ending `previous` (the open connection on the same 4-tuple, on
   * port reuse) and the idlest connections beyond the bound. Returns the packet's hit in it.
   */
  private createConnection(pkt: TcpPacket, h: number, ctx: AssemblerContext, previous: Connection | null): number {
    const pool = this.pool;
    if (previous !== null) {
      // Port reuse while the previous connection is open: it ends, and its tombstone gives way to the new one.
      pool.stats.portReuses++;
      const t = this.finishConnection(previous, 'superseded', ctx);
      if (t >= 0) pool.removeTombstone(t);
    }
    while (pool.stats.connectionsOpen >= pool.options.maxConnections && pool.lruHead !== null) {
      const idlest = pool.lruHead;
      this.finishConnection(idlest, 'evicted', this.flushCtx.setTime(idlest.lastSeen));
    }
    const clientIsSource = sourceIsClient(pkt);
    const conn = pool.make(pkt, h, clientIsSource);
    conn.midStream = (pkt.flags & SYN) === 0;
    conn.serverGuessed = conn.midStream;
    if (conn.midStream) pool.stats.midStreamPickups++;
    pool.add(conn);
    conn.stream = pool.factory.new(pkt, ctx, conn);
    return (conn.slot << 1) | (clientIsSource ? 0 : 1);
  }

  /**
   * A SYN arrived on a connection whose roles were guessed and nothing was delivered yet: let it decide.
   * Returns the packet's hit, its direction swapped when the roles were.
   */
  private adoptHandshake(conn: Connection, hit: number, pkt: TcpPacket): number {
    const srcIsClient = (pkt.flags & ACK) === 0;
    conn.serverGuessed = false;
    conn.midStream = false;
    this.pool.stats.midStreamPickups--;
    if ((hitDir(hit) === 0) === srcIsClient) return hit;
    conn.swapRoles();
    this.pool.rekey(conn);
    return hit ^ 1;
  }

  /** A packet on a closed connection's 4-tuple: counted; the stream sees it if complete() returned false. */
  private tombstoneHit(t: number, dir: Direction, pkt: TcpPacket, ctx: AssemblerContext, now: number): void {
    const wire = pkt.wireLength > pkt.payloadLength ? pkt.wireLength : pkt.payloadLength;
    const kept = this.pool.tombstoneHit(t, dir, wire, now);
    if (kept !== null && kept.stream !== null) {
      this.startFlag.value = false;
      kept.stream.accept(pkt, dir, -1, this.startFlag, ctx);
    }
  }

  /**
   * rstPolicy 'in-window': an RST outside every receive window the receiver could have had (see
   * rstOutsideWindow) is counted and listed, and dropped. Returns true when it was.
   */
  private rstIgnored(conn: Connection, half: HalfConnection, rev: HalfConnection, pkt: TcpPacket): boolean {
    const win = rstOutsideWindow(half, rev, pkt.seq, this.options.rstUnknownWindow);
    if (win < 0) return false;
    const st = half.stats;
    st.rst++;
    st.rstIgnored++;
    conn.suspiciousRsts++;
    if (conn.suspiciousRstRecords.length < this.options.maxSuspiciousRstsPerConnection) {
      const r = new SuspiciousRst();
      r.direction = half.dir;
      r.seq = pkt.seq;
      r.expected = half.nextSeq;
      r.window = win;
      r.tsSec = pkt.tsSec;
      r.tsNsec = pkt.tsNsec;
      r.recordNumber = pkt.recordNumber;
      r.fileOffset = pkt.fileOffset;
      conn.suspiciousRstRecords.push(r);
    }
    return true;
  }

  private startHalf(half: HalfConnection, nextSeq: number): void {
    half.started = true;
    half.nextSeq = nextSeq;
  }

  /** Accepted RST: both directions end now, whatever arrived before; buffered data is delivered over its gaps. */
  private resetConnection(conn: Connection, ctx: AssemblerContext): void {
    conn.ending = true;
    for (let i = 0; i < 2; i++) {
      const h = conn.halves[i]!;
      if (h.closed) continue;
      while (h.first !== null && !h.closed) {
        this.skipGap(conn, h, ctx, false);
        this.drain(conn, h, ctx);
      }
      if (!h.closed) this.deliverEnd(conn, h, 0, ctx);
    }
    this.finishConnection(conn, 'reset', ctx);
  }

  /**
   * Ends a connection: delivers what is buffered, calls complete() once, leaves a tombstone. Returns the
   * tombstone's slot (-1: none).
   */
  private finishConnection(conn: Connection, reason: EndReason, ctx: AssemblerContext): number {
    if (conn.closed) return -1;
    conn.ending = true;
    conn.endReason = reason;
    for (let i = 0; i < 2; i++) {
      const h = conn.halves[i]!;
      while (!h.closed && h.first !== null) this.skipGap(conn, h, ctx, false);
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
    while (half.first !== null) {
      const p = half.first;
      this.ooo.unlink(half, p);
      this.pages.freeQueued(half, p);
    }
    this.releaseKept(half);
    this.win.clear(half);
  }

  // ---------------------------------------------------------------- delivery

  private inHole(half: HalfConnection, seq: number): boolean {
    return half.holeValid && seqDiff(half.nextSeq, seq) > 0 && seqDiff(seq, half.holeEnd) >= 0;
  }

  /** In-order (or overlapping-delivered, or just past a known hole) segment: deliver without copying. */
  private deliverPacket(
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
    if (this.win.maxBytes > 0) {
      for (let i = sg.keptChunks; i < sg.count; i++) {
        const p = sg.pages[i]!;
        const len = sg.chunkLength(i);
        if (p === null) {
          const pkt = sg.packet!;
          const segLen = pkt.wireLength > pkt.payloadLength ? pkt.wireLength : pkt.payloadLength;
          this.win.append(half, sg.chunkBuffer(i), sg.chunkOffset(i), len, sg.chunkSeq(i), pkt.tsSec, pkt.tsNsec, pkt.recordNumber, segLen);
        } else {
          this.win.append(half, p.buf, p.off, p.len, p.seq, p.tsSec, p.tsNsec, p.recordNumber, p.pktLen);
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
      if (Math.ceil(n / this.pc.pageSize) > this.options.maxBufferedPagesPerConnection) {
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
          p.tsSec = pkt.tsSec;
          p.tsNsec = pkt.tsNsec;
          p.recordNumber = pkt.recordNumber;
          p.fileOffset = pkt.fileOffset;
          p.interfaceId = pkt.interfaceId;
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
  private drain(conn: Connection, half: HalfConnection, ctx: AssemblerContext): void {
    for (;;) {
      if (half.closed || !half.started) return;
      const p = half.first;
      if (p === null) break;
      const d = seqDiff(half.nextSeq, p.seq);
      if (d < 0) {
        this.ooo.trimFront(half, p, -d);
        continue;
      }
      if (d > 0 && !this.inHole(half, p.seq)) break;
      this.deliverPages(conn, half, d, ctx);
    }
    if (half.finPending && !half.closed) {
      const d = seqDiff(half.nextSeq, half.finSeq);
      if (d <= 0) this.deliverEnd(conn, half, 0, ctx);
      else if (this.inHole(half, half.finSeq) && (half.first === null || seqDiff(half.finSeq, half.first.seq) >= 0)) {
        this.deliverEnd(conn, half, d, ctx);
      }
    }
  }

  /** Skips the gap before the first queued page and delivers the run there (limits, flushes, close). */
  private skipGap(conn: Connection, half: HalfConnection, ctx: AssemblerContext, byLimit: boolean): void {
    const p = half.first!;
    let skip: number;
    if (half.started) {
      skip = seqDiff(half.nextSeq, p.seq);
      if (skip < 0) {
        this.ooo.trimFront(half, p, -skip);
        return;
      }
    } else {
      skip = -1;
      this.startHalf(half, p.seq);
    }
    if (byLimit && skip > 0) {
      half.stats.bytesSkippedByLimits += skip;
      this.stats.bytesSkippedByLimits += skip;
    }
    this.deliverPages(conn, half, skip, ctx);
  }

  /** Flush of one direction by age; returns true when something was pushed out. */
  private flushHalfOlderThan(conn: Connection, half: HalfConnection, t: number, ctx: AssemblerContext): boolean {
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

  private enforceLimits(conn: Connection, half: HalfConnection, ctx: AssemblerContext): void {
    const o = this.options;
    const other = conn.halves[half.dir ^ 1]!;
    for (;;) {
      if (conn.closed) return;
      const perConn =
        half.queuedPages + half.keptPages + other.queuedPages + other.keptPages > o.maxBufferedPagesPerConnection;
      const total = this.stats.bufferedPages > o.maxBufferedPagesTotal;
      if (!perConn && !total) return;
      const h = half.first !== null ? half : other.first !== null ? other : null;
      if (h === null) return;
      if (perConn) this.stats.limitHitsPerConnection++;
      else this.stats.limitHitsTotal++;
      this.skipGap(conn, h, ctx, true);
      this.drain(conn, h, ctx);
    }
  }
}

/** Counts a packet of `half` (packets, wire bytes, what snaplen cut); returns its payload length on the wire. */
function countPacket(half: HalfConnection, pkt: TcpPacket): number {
  const st = half.stats;
  st.packets++;
  const capLen = pkt.payloadLength;
  const wireLen = pkt.wireLength > capLen ? pkt.wireLength : capLen;
  st.wireBytes += wireLen;
  if (wireLen > capLen) {
    st.truncatedPackets++;
    st.truncatedBytes += wireLen - capLen;
  }
  return wireLen;
}
