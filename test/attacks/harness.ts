/**
 * Runs attacks against the engine and the decoder with counting streams (no per-call allocation), and measures
 * time and memory. Shared by the attack tests and `npm run fuzz -- --attacks`.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { TcpPacket } from '../../lib/decode/packet.js';
import { Decoder, type DecoderOptions } from '../../lib/decode/decoder.js';
import { TcpPacket as Packet } from '../../lib/decode/packet.js';
import type { CaptureRecord } from '../../lib/capture/record.js';
import { Assembler } from '../../lib/reassembly/assembler.js';
import { StreamPool } from '../../lib/reassembly/pool.js';
import type { AssemblerOptions, StreamPoolOptions } from '../../lib/reassembly/options.js';
import type { ConnectionInfo, Direction } from '../../lib/reassembly/connection.js';
import type { ScatterGather } from '../../lib/reassembly/scatter-gather.js';
import type { AssemblerContext, StartFlag, Stream, StreamFactory } from '../../lib/reassembly/stream.js';

/** Totals over all connections, gathered by the counting streams. */
export class Totals {
  connections = 0;
  completed = 0;
  bytesDelivered = 0;
  /** Sum of positive skips (bytes missing before delivered data). */
  bytesSkipped = 0;
  deliveries = 0;
  /** Connections by end reason, filled as they complete. */
  readonly endReasons: Record<string, number> = {};
  /** Conflict records kept and dropped, summed at completion. */
  conflictRecords = 0;
  conflictsDropped = 0;
  conflicts = 0;
  /** Connections by reuse index > 0. */
  reused = 0;
}

class CountingStream implements Stream {
  constructor(
    private readonly t: Totals,
    private readonly conn: ConnectionInfo,
  ) {}
  accept(_p: TcpPacket, _d: Direction, _n: number, _s: StartFlag): boolean {
    return true;
  }
  reassembled(sg: ScatterGather): void {
    const { available, saved } = sg.lengths();
    const skip = sg.info().skip;
    this.t.deliveries++;
    this.t.bytesDelivered += available - saved;
    if (skip > 0) this.t.bytesSkipped += skip;
  }
  complete(_ctx: AssemblerContext): boolean {
    const t = this.t;
    const c = this.conn;
    t.completed++;
    const r = c.endReason ?? 'none';
    t.endReasons[r] = (t.endReasons[r] ?? 0) + 1;
    t.conflictRecords += c.conflicts.length;
    t.conflictsDropped += c.conflictsDropped;
    t.conflicts += c.stats[0].conflicts + c.stats[1].conflicts;
    return true;
  }
}

/** An engine with counting streams. */
export function engine(opts?: Partial<AssemblerOptions>, poolOpts?: Partial<StreamPoolOptions>) {
  const totals = new Totals();
  const factory: StreamFactory = {
    new: (_p, _c, conn) => {
      totals.connections++;
      if (conn.reuseIndex > 0) totals.reused++;
      return new CountingStream(totals, conn);
    },
  };
  const pool = new StreamPool(factory, poolOpts);
  const asm = new Assembler(pool, opts);
  /** Engine stats that must stay within bounds, sampled while the attack runs. */
  const peaks = { pagesInUse: 0, bufferedPages: 0, open: 0, tombstones: 0 };
  const feed = (pkt: TcpPacket): void => {
    asm.assemble(pkt);
    const s = asm.stats;
    if (s.pagesInUse > peaks.pagesInUse) peaks.pagesInUse = s.pagesInUse;
    if (s.bufferedPages > peaks.bufferedPages) peaks.bufferedPages = s.bufferedPages;
    const ps = pool.stats;
    if (ps.connectionsOpen > peaks.open) peaks.open = ps.connectionsOpen;
    if (ps.tombstones > peaks.tombstones) peaks.tombstones = ps.tombstones;
  };
  return { asm, pool, totals, feed, peaks };
}

/** A decoder feeding an engine: for the attacks that come as link frames (IP fragments). */
export function decoderEngine(decOpts?: DecoderOptions, opts?: Partial<AssemblerOptions>) {
  const e = engine(opts);
  const decoder = new Decoder(decOpts);
  const pkt = new Packet();
  const payloads: Buffer[] = [];
  let keep = false;
  const feed = (rec: CaptureRecord): void => {
    if (!decoder.decode(rec, pkt)) return;
    if (keep) payloads.push(Buffer.from(pkt.payload()));
    e.feed(pkt);
  };
  return { ...e, decoder, feedRecord: feed, payloads, keepPayloads: (v: boolean) => (keep = v) };
}

let forcedGc: (() => void) | null | undefined;

/**
 * A full garbage collection: `global.gc` when the process runs with --expose-gc, else the same function obtained
 * by turning the flag on at run time (V8 honours it for new contexts). Null when neither works.
 */
export function getGc(): (() => void) | null {
  if (forcedGc !== undefined) return forcedGc;
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return (forcedGc = g);
  try {
    setFlagsFromString('--expose-gc');
    const f = runInNewContext('gc') as unknown;
    forcedGc = typeof f === 'function' ? (f as () => void) : null;
  } catch {
    forcedGc = null;
  }
  return forcedGc;
}

/** Heap in use now, after a full collection when one can be forced. */
export function heapUsed(): number {
  getGc()?.();
  return process.memoryUsage().heapUsed;
}
