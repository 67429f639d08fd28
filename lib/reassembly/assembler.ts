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
import { isNewIncarnation, noteAdvertisedWindow, OUT_OF_WINDOW, PLAUSIBLE, sourceIsClient, windowVerdict } from './acceptance.js';
import { DoubtfulSegments } from './doubtful.js';
import { ConflictScanner } from './conflict-scanner.js';
import { hitDir, hitSlot } from './flow-table.js';
import { type Connection, type Direction, type HalfConnection } from './connection.js';
import { OverlapEvents } from './events.js';
import { BufferedPages } from './buffered-pages.js';
import { FlushList, flushable } from './flush-list.js';
import { PageCache } from './memory.js';
import { PendingRsts } from './pending-rsts.js';
import { RstJudge } from './rst-judge.js';
import { OutOfOrderQueue } from './out-of-order.js';
import { acceptSynData, Delivery, inHole, isHeld, startHalf } from './delivery.js';
import { assemblerOptions, type AssemblerOptions } from './options.js';
import type { StreamPool } from './pool.js';
import { ScatterGatherImpl } from './scatter-gather.js';
import { seqAdd, seqDiff } from './sequence.js';
import { AssemblerStats } from './stats.js';
import { type AssemblerContext, FlushContext, type OverlapObserver, type StartFlag } from './stream.js';
import { DeliveredWindow } from './delivered-window.js';

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
  private readonly delivered: DeliveredWindow;
  private readonly sg = new ScatterGatherImpl();
  private readonly startFlag: StartFlag = { value: false };
  private readonly flushCtx = new FlushContext();
  private readonly conflicts: ConflictScanner;
  private readonly pages: BufferedPages;
  private readonly ooo: OutOfOrderQueue;
  private readonly delivery: Delivery;
  private readonly doubtful = new DoubtfulSegments();
  /** Connections that may have something for a flush to push out. */
  private readonly flushList = new FlushList();
  private readonly rsts: RstJudge;

  constructor(pool: StreamPool, options?: Partial<AssemblerOptions>) {
    this.pool = pool;
    this.options = assemblerOptions(options);
    this.pc = new PageCache(this.options.pageSize, this.options.maxFreePages);
    this.delivered = new DeliveredWindow(this.pc, this.stats, this.options.deliveredWindowBytes, this.options.maxWindowPagesTotal);
    this.conflicts = new ConflictScanner(
      this.events,
      this.delivered,
      this.options.maxConflictRecordsPerConnection,
      this.options.pageSize,
      this.options.keepLosingCopies,
    );
    this.pages = new BufferedPages(this.pc, this.stats);
    const pending = new PendingRsts();
    this.ooo = new OutOfOrderQueue(this.pages, this.conflicts, this.events, this.flushList);
    this.delivery = new Delivery(this.options, this.stats, pool, this.pages, this.delivered, this.sg, this.ooo, this.conflicts, this.events, this.flushList, pending, this.doubtful);
    this.rsts = new RstJudge(this.options, this.delivery, this.flushList, pending);
    this.delivery.rstSettler = this.rsts;
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
    if (this.rsts.pending.head !== null) this.rsts.expire(now, this.flushCtx);
    const hit = this.route(pkt, this.pool.hash(pkt), ctx, now);
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
    half.packetsSincePeer++;
    rev.packetsSincePeer = 0;
    const flags = pkt.flags;
    const start = this.startFlag;
    start.value = !half.started && (flags & SYN) !== 0;
    if (!conn.stream!.accept(pkt, dir, half.started ? half.nextSeq : -1, start, ctx)) {
      half.stats.rejected++;
      return;
    }
    // An RST the receiver would have dropped is dropped whole, before its acknowledgement can release anything.
    if ((flags & RST) !== 0 && this.options.rstPolicy !== 'any' && this.rsts.ignored(conn, half, rev, pkt)) return;
    if ((flags & ACK) !== 0) {
      half.ackValid = true;
      half.ackSeq = pkt.ack;
      if (rev.deliveredBytes > 0 && this.options.releaseWindowOnAck) this.delivered.trimTo(rev, pkt.ack);
      // The receiver's acknowledgement says what it took: the peer's SYN data, and whether an RST sent its way
      // ended anything (acknowledging data sent after it, it is alive).
      if (rev.synDataPending) this.settleSynData(conn, rev, pkt.ack, ctx);
      // The receiver had everything before a segment held past its window: the capture lost the stretch.
      if (rev.doubtful !== null) this.takeDoubtful(conn, rev, half, pkt.ack, ctx);
      // Either end acknowledging what the other sent after the RST shows both alive.
      // (The RST's sender acknowledging: only once the other side's sequence numbers are known.)
      if (conn.rstPending && (flags & RST) === 0 && (conn.rstDir !== dir || rev.started) && seqDiff(conn.rstDir !== dir ? conn.rstSeq : rev.holdSeq, pkt.ack) > 0) {
        this.rsts.notTaken(conn, pkt.recordNumber, ctx);
      }
    }
    if ((flags & RST) !== 0) {
      half.stats.rst++;
      // Stacks discard an RST's payload (RFC 9293 leaves it to diagnostics): never part of the stream.
      if (wireLen > 0) half.stats.rstPayloadBytes += wireLen;
      this.rsts.rst(conn, half, pkt, ctx);
      return;
    }
    if (conn.rstPending && dir === conn.rstDir && (wireLen > 0 || (flags & FIN) !== 0)) this.rsts.senderWentOn(conn, half, pkt.seq, wireLen, pkt.recordNumber, ctx);
    else if (conn.rstPending && wireLen > 0) this.rsts.targetWentOn(conn, half, pkt.seq, now, pkt.recordNumber, ctx);
    if (conn.rstPending) {
      half.heldPackets++;
      half.heldWire += wireLen;
    }
    noteAdvertisedWindow(half, rev, pkt);
    if (half.closed) {
      half.stats.packetsAfterClose++;
      return;
    }
    let seq = pkt.seq;
    if ((flags & SYN) !== 0) {
      seq = this.syn(conn, half, rev, pkt, wireLen, ctx);
      if (conn.closed) return;
    } else if (half.synDataPending) {
      // The SYN's sender moved on: from after its data (the data was taken) or from the SYN again (refused).
      this.settleSynData(conn, half, seq, ctx);
    } else if (start.value && !half.started) {
      startHalf(half, seq);
    }
    if (half.started && (flags & SYN) === 0 && (wireLen > 0 || (flags & FIN) !== 0)) {
      const v = windowVerdict(half, rev, seq, this.options.outOfWindowDistance);
      if (v !== PLAUSIBLE) {
        // Past the window, data waits for the receiver to say (doubtful.ts); else the receiver drops it: no
        // data, no FIN, and not a retransmission of anything.
        if (v === OUT_OF_WINDOW || !this.doubtful.hold(half, pkt, seq, wireLen)) {
          half.stats.outOfWindowPackets++;
          half.stats.outOfWindowBytes += wireLen;
        }
        return;
      }
    }
    if ((flags & FIN) !== 0) this.fin(conn, half, pkt, seq, wireLen);
    if (wireLen > 0) this.data(conn, half, rev, pkt, seq, wireLen, ctx);
    else if (half.started && (flags & (SYN | FIN)) === 0 && seqDiff(half.nextSeq, seq) === -1) half.stats.keepAlives++;
    if (half.first !== null || half.finPending) this.delivery.drain(conn, half, ctx);
  }

  /**
   * The open connection of a packet and the packet's direction in it, as a hit of the pool (-1: the packet hit
   * a tombstone and was absorbed). Makes the connection when the packet starts one: first packet of a 4-tuple,
   * a SYN with a new ISN on a tombstone or an open connection (port reuse), and lets a SYN settle guessed roles.
   */
  private route(pkt: TcpPacket, h: number, ctx: AssemblerContext, now: number): number {
    const pool = this.pool;
    const hit = pool.lookup(pkt, h);
    // A SYN that also carries RST is an RST: RFC 9293 checks RST before SYN, so it never starts a connection.
    const syn = (pkt.flags & (SYN | RST)) === SYN;
    const conn = hit >= 0 ? pool.connectionAt(hit) : null;
    // A SYN after a pending RST: the RST did end the connection; the SYN meets its tombstone.
    if (conn !== null && syn && conn.rstPending) {
      this.delivery.takeRst(conn, ctx);
      return this.route(pkt, h, ctx, now);
    }
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

  /**
   * A SYN of `half`: its ISN starts the direction; a SYN-ACK starts the other one too. A SYN carrying data (TCP
   * Fast Open) leaves the direction unstarted, its data held until the receiver's acknowledgement (or the
   * sender's next segment) says whether it was taken. Returns the seq after the SYN.
   */
  private syn(conn: Connection, half: HalfConnection, rev: HalfConnection, pkt: TcpPacket, wireLen: number, ctx: AssemblerContext): number {
    const st = half.stats;
    const seq = pkt.seq;
    st.syn++;
    if (half.synSeen) {
      if (seq === half.isn) st.synRetransmits++;
    } else {
      half.synSeen = true;
      half.isn = seq;
      // A direction started by a stray segment before its SYN (a challenge ACK from old state, say) with nothing
      // delivered: the SYN is where it really starts.
      if (half.started && !half.deliveredAny && half.first === null) half.started = false;
      if (!half.started) {
        if (wireLen > 0) {
          half.synDataPending = true;
          half.synDataEnd = seqAdd(seq, 1 + wireLen);
        } else {
          startHalf(half, seqAdd(seq, 1));
        }
      }
    }
    // The SYN-ACK acknowledges the client's ISN + 1: the client direction starts there even if its SYN was lost.
    if ((pkt.flags & ACK) !== 0 && !rev.started && !rev.closed) {
      startHalf(rev, pkt.ack);
      this.delivery.drain(conn, rev, ctx);
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

  /** The held segment of `half` when the receiver's acknowledgement `ack` reached it: taken as arriving now. */
  private takeDoubtful(conn: Connection, half: HalfConnection, rev: HalfConnection, ack: number, ctx: AssemblerContext): void {
    if (half.closed) return this.doubtful.drop(half);
    const d = this.doubtful.acknowledged(half, ack);
    if (d === null) return;
    if ((d.pkt.flags & FIN) !== 0) this.fin(conn, half, d.pkt, d.seq, d.wireLen);
    if (d.wireLen > 0) this.data(conn, half, rev, d.pkt, d.seq, d.wireLen, ctx);
    if (!conn.closed && (half.first !== null || half.finPending)) this.delivery.drain(conn, half, ctx);
  }

  /** A segment's payload: delivered when in order (or over a known hole), else queued. */
  private data(conn: Connection, half: HalfConnection, rev: HalfConnection, pkt: TcpPacket, seq: number, wireLen: number, ctx: AssemblerContext): void {
    const capLen = pkt.payloadLength;
    if (!half.started) {
      if (capLen > 0) {
        this.ooo.insert(conn, half, pkt, seq, capLen, wireLen, half.synDataPending);
        this.delivery.enforceLimits(conn, half, ctx);
      }
      return;
    }
    if (isHeld(half, seq)) {
      // After a pending RST: kept aside until the capture shows whether the RST took effect.
      this.ooo.insert(conn, half, pkt, seq, capLen, wireLen, true);
      this.delivery.enforceLimits(conn, half, ctx);
      return;
    }
    const st = half.stats;
    const flags = pkt.flags;
    const d = seqDiff(half.nextSeq, seq);
    if (wireLen === 1 && rev.window === 0 && (d === 0 || d === -1)) st.windowProbes++;
    if (d === -1 && wireLen === 1 && rev.window !== 0 && (flags & (SYN | FIN)) === 0) {
      // Keep-alive with one byte of garbage at nextSeq - 1: not data, never a conflict.
      st.keepAlives++;
    } else if (d <= 0 || (inHole(half, seq) && (half.first === null || seqDiff(seq, half.first.seq) >= 0))) {
      this.delivery.deliverPacket(conn, half, pkt, seq, capLen, wireLen, ctx);
    } else {
      this.ooo.insert(conn, half, pkt, seq, capLen, wireLen);
      this.delivery.enforceLimits(conn, half, ctx);
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
          this.delivery.finishConnection(c, 'timed-out', ctx);
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
      // An RST pending longer than data may wait for its hole: nothing showed it did not take effect.
      if (c.rstPending && c.rstTsSec + c.rstTsNsec * 1e-9 < t) this.rsts.settle(c, ctx);
      for (let i = 0; i < 2 && !c.closed; i++) {
        if (this.delivery.flushHalfOlderThan(c, c.halves[i]!, t, ctx)) flushed++;
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
      this.delivery.finishConnection(c, reason, this.flushCtx.setTime(c.lastSeen));
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
      `assembler: packets=${s.packets} pagesInUse=${s.pagesInUse} (buffered ${s.bufferedPages}, window ${s.windowPages}) peak=${s.pagesPeak} windowRuns=${s.windowRuns} cacheFree=${this.pc.freeCount} allocated=${this.pc.allocated}`,
    );
    const ps = this.pool.stats;
    lines.push(
      `pool: created=${ps.connectionsCreated} open=${ps.connectionsOpen} peak=${ps.connectionsPeakOpen} tombstones=${ps.tombstones}`,
    );
    for (let c = this.pool.lruHead; c !== null; c = c.listNext) {
      lines.push(
        `#${c.id} ${c.client} -> ${c.server}${c.midStream ? ' mid-stream' : ''}${c.serverGuessed ? ' roles-guessed' : ''}`,
      );
      for (const h of c.halves) {
        lines.push(
          `  dir ${h.dir}: ${h.started ? `nextSeq=${h.nextSeq}` : 'not started'}${h.closed ? ' closed' : ''}${h.finPending ? ` fin@${h.finSeq}` : ''} queuedPages=${h.queuedPages} keptBytes=${h.keptBytes} window=${h.deliveredBytes}@${h.deliveredStart}`,
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
      const t = this.delivery.finishConnection(previous, 'superseded', ctx);
      if (t >= 0) pool.removeTombstone(t);
    }
    while (pool.stats.connectionsOpen >= pool.options.maxConnections && pool.lruHead !== null) {
      const idlest = pool.lruHead;
      this.delivery.finishConnection(idlest, 'evicted', this.flushCtx.setTime(idlest.lastSeen));
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
   * The SYN data of `half` is settled by `end`: the receiver's acknowledgement, or the sender's next sequence
   * number. Past the SYN it was taken and starts the stream; at the SYN it was refused (RFC 7413: the server
   * drops it and the client sends it again), and it is dropped so the retransmission appears once.
   */
  private settleSynData(conn: Connection, half: HalfConnection, end: number, ctx: AssemblerContext): void {
    const start = seqAdd(half.isn, 1);
    if (seqDiff(start, end) > 0) {
      acceptSynData(half);
    } else {
      half.synDataPending = false;
      half.stats.synDataRefused += seqDiff(start, half.synDataEnd);
      this.ooo.discardBefore(half, half.synDataEnd);
    }
    startHalf(half, start);
    this.delivery.drain(conn, half, ctx);
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
