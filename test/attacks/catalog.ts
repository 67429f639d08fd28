/**
 * The attacks as the measurement runner (`npm run fuzz -- --attacks`) runs them: each at a size given in segments
 * (or frames), with the engine options it runs under, returning time, memory and the counts the report shows.
 */
import * as g from './generators.js';
import { decoderEngine, engine, heapUsed } from './harness.js';

/** Options the attacks run under: small bounds, so the bounds are what the attack hits. */
export const ATTACK_POOL = { maxConnections: 10_000, maxTombstones: 10_000, maxRememberedTuples: 100_000 };
export const ATTACK_ASSEMBLER = { maxBufferedPagesPerConnection: 4096, maxBufferedPagesTotal: 16384 };
export const ATTACK_DECODER = { maxFragmentBytes: 4 << 20, maxFragmentDatagrams: 1024 };

export interface AttackMeasure {
  attack: string;
  segments: number;
  ms: number;
  nsPerSegment: number;
  /** Highest heapUsed sampled during the run (every 16384 segments), bytes. */
  peakHeap: number;
  /** Heap live at the end of the attack (forced gc, engine still holding its state, before flushAll), minus before. */
  liveHeap: number;
  /** Process peak RSS (resourceUsage maxRSS), bytes: meaningful when each run has its own process. */
  maxRss: number;
  /** What the report must show for this attack. */
  counts: Record<string, number>;
}

type Runner = (segments: number, sample: () => void, settle: () => void) => Record<string, number>;

function tcp(gen: (n: number, emit: (p: import('../../lib/decode/packet.js').TcpPacket) => void) => unknown, unitsPerSegment = 1): Runner {
  return (segments, sample, settle) => {
    const e = engine(ATTACK_ASSEMBLER, ATTACK_POOL);
    let k = 0;
    gen(Math.max(1, Math.round(segments * unitsPerSegment)), (p) => {
      e.feed(p);
      if ((++k & 16383) === 0) sample();
    });
    settle();
    const before = {
      connectionsCreated: e.pool.stats.connectionsCreated,
      peakOpen: e.peaks.open,
      evicted: e.pool.stats.ended.evicted,
      pagesPeak: e.asm.stats.pagesPeak,
      bufferedPagesPeak: e.asm.stats.bufferedPagesPeak,
      bytesSkippedByLimits: e.asm.stats.bytesSkippedByLimits,
      limitHits: e.asm.stats.limitHitsPerConnection + e.asm.stats.limitHitsTotal,
      portReuses: e.pool.stats.portReuses,
      packetsToTombstones: e.pool.stats.packetsToTombstones,
    };
    e.asm.flushAll();
    const t = e.totals;
    return { ...before, bytesDelivered: t.bytesDelivered, bytesSkipped: t.bytesSkipped, conflicts: t.conflicts, conflictRecords: t.conflictRecords, conflictsDropped: t.conflictsDropped, reset: t.endReasons.reset ?? 0, superseded: t.endReasons.superseded ?? 0 };
  };
}

function frames(gen: (n: number, emit: (r: import('../../lib/capture/record.js').CaptureRecord) => void) => unknown, perUnit: number): Runner {
  return (segments, sample, settle) => {
    const e = decoderEngine(ATTACK_DECODER);
    let k = 0;
    gen(Math.max(1, Math.round(segments / perUnit)), (r) => {
      e.feedRecord(r);
      if ((++k & 16383) === 0) sample();
    });
    settle();
    e.decoder.finish();
    e.asm.flushAll();
    const s = e.decoder.stats;
    return {
      fragments: s.fragments,
      reassembled: s.reassembled,
      fragmentEvictions: s.fragmentEvictions,
      fragmentBytesPeak: s.fragmentBytesPeak,
      fragmentOverlapConflicts: s.fragmentOverlapConflicts,
      fragmentsUnfinished: s.fragmentsUnfinished,
      bytesDelivered: e.totals.bytesDelivered,
    };
  };
}

export const ATTACKS: Record<string, Runner> = {
  'syn-flood': tcp(g.synFlood),
  'seq-jump-2^31': tcp((n, f) => g.seqJump(n, f)),
  'conflicting-retransmissions': tcp((n, f) => g.conflictingRetransmissions(n, f)),
  'conflicts-vs-delivered': tcp((n, f) => g.conflictingDelivered(n, f), 0.5),
  'ooo-queue': tcp((n, f) => g.oooQueue(n, f)),
  'ooo-queue-reverse': tcp((n, f) => g.oooQueue(n, f, 100, true)),
  'every-other-lost': tcp((n, f) => g.everyOtherLost(n, f)),
  'tiny-segments': tcp((n, f) => g.tinySegments(n, f)),
  'tiny-segments-ooo': tcp((n, f) => g.tinySegments(n, f, true)),
  'port-reuse': tcp(g.portReuse, 1 / 5.5),
  'blind-rst': tcp(g.blindRst, 1 / 5),
  'fragment-flood': frames(g.fragmentFlood, 1),
  'tunnel-flood': frames(g.tunnelFlood, 1),
  'overlapping-fragments': frames(g.overlappingFragments, 2),
};

/** Runs one attack at one size and measures it. */
export function measure(attack: string, segments: number): AttackMeasure {
  const run = ATTACKS[attack];
  if (run === undefined) throw new Error(`unknown attack ${attack}; known: ${Object.keys(ATTACKS).join(', ')}`);
  const base = heapUsed();
  let peak = process.memoryUsage().heapUsed;
  const sample = (): void => {
    const h = process.memoryUsage().heapUsed;
    if (h > peak) peak = h;
  };
  let live = 0;
  let settleNs = 0n;
  const settle = (): void => {
    const s0 = process.hrtime.bigint();
    sample();
    live = heapUsed() - base;
    settleNs += process.hrtime.bigint() - s0;
  };
  const t0 = process.hrtime.bigint();
  const counts = run(segments, sample, settle);
  // The forced gc inside settle() is not the attack's time.
  const ns = Number(process.hrtime.bigint() - t0 - settleNs);
  return {
    attack,
    segments,
    ms: ns / 1e6,
    nsPerSegment: ns / segments,
    peakHeap: peak,
    liveHeap: live,
    maxRss: process.resourceUsage().maxRSS * 1024,
    counts,
  };
}
