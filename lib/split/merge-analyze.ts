/**
 * The reduce step for `analyze --format json`: the documents of the shard runs made into the one a single run
 * over the whole input gives. Connections are renumbered in Wireshark's `tcp.stream` order (first packet time;
 * at the same time, the order of the results given, then each result's own order), counters are added up, and
 * what cannot be added is said: a peak over shards run apart is not the peak of one run, so each `...Peak` field
 * is the largest shard's and `merged.notes` says so; timings are the slowest shard's.
 */
import { compareEpoch } from '../report/time.js';

/** A connection row of analyze JSON (only what the merge reads is typed). */
interface ConnectionJson {
  id: number;
  firstEpoch: string;
  [k: string]: unknown;
}

/** An analyze JSON document. */
export interface AnalyzeJson {
  connections: ConnectionJson[];
  summary: Record<string, unknown>;
  merged?: unknown;
}

/** Fields not summed over shards: measured per process (peaks, time), or the same in each (the page size). */
const LARGEST = /peak|Peak|^elapsedNs$|^pageSize$/;
/** Rates are recomputed from the sums and the slowest shard's time. */
const RATES = new Set(['packetsPerSecond', 'bytesPerSecond']);

/** What `split --format json` printed: the records it did not send to any shard. */
export interface SplitJson {
  nonTcp: number;
  perShard: unknown[];
}

/**
 * Merges `docs` (named by `names`, in the order given). `splits`, the split runs' own results, add the records no
 * shard saw (not TCP) to `packetsRead` and the decoder's counts, so those match the single run too.
 */
export function mergeAnalyze(docs: readonly AnalyzeJson[], names: readonly string[], splits: readonly SplitJson[] = []): AnalyzeJson {
  const ids = renumber(docs);
  const connections = docs.flatMap((d, r) => d.connections.map((c) => ({ ...c, id: ids[r]!.get(c.id)! }))).sort((a, b) => a.id - b.id);
  return { connections, summary: mergeSummaries(docs.map((d) => d.summary), splits), merged: provenance(names, splits) };
}

/** An overlaps JSON document. */
export interface OverlapsJson {
  summary: Record<string, unknown>;
  connections: Array<{ connectionId: number; conflicts?: number; suspiciousRsts?: number; [k: string]: unknown }>;
  events: Array<{ connectionId: number; epoch: string; kind?: string; [k: string]: unknown }>;
  merged?: unknown;
}

/**
 * Merges the shard runs' overlaps documents; `analyze[i]` is the analyze document of the run `overlaps[i]` read
 * (its connections give the first packet times the ids are renumbered by). Events are listed as a single run
 * lists them (conflicts, then suspicious RSTs, then the rest, each by capture time; ties in the order of the
 * results given). Each shard run's event limit applies to its own list.
 */
export function mergeOverlaps(overlaps: readonly OverlapsJson[], analyze: readonly AnalyzeJson[], names: readonly string[], splits: readonly SplitJson[] = []): OverlapsJson {
  const ids = renumber(analyze);
  const id = (r: number, old: number): number => {
    const n = ids[r]!.get(old);
    if (n === undefined) throw new RangeError(`${names[r]}: connection ${old} is not in its analyze document`);
    return n;
  };
  // The single run's orders: connections with conflicts, then with suspicious RSTs, first; events likewise by
  // kind, each in capture order.
  const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
  const connections = overlaps
    .flatMap((d, r) => d.connections.map((c) => ({ ...c, connectionId: id(r, c.connectionId) })))
    .sort((a, b) => n(b.conflicts) - n(a.conflicts) || n(b.suspiciousRsts) - n(a.suspiciousRsts) || a.connectionId - b.connectionId);
  const rank = (kind: unknown): number => (kind === 'conflict' ? 0 : kind === 'suspicious-rst' ? 1 : 2);
  const events = overlaps
    .flatMap((d, r) => d.events.map((e, i) => ({ e: { ...e, connectionId: id(r, e.connectionId) }, r, i })))
    .sort((a, b) => rank(a.e.kind) - rank(b.e.kind) || compareEpoch(a.e.epoch, b.e.epoch) || a.r - b.r || a.i - b.i)
    .map(({ e }) => e);
  return { summary: mergeSummaries(overlaps.map((d) => d.summary), splits), connections, events, merged: provenance(names, splits) };
}

/** For each document, its connection ids to the merged ones: tcp.stream order, ties by document then row. */
function renumber(docs: readonly AnalyzeJson[]): Array<Map<number, number>> {
  const rows = docs.flatMap((d, r) => d.connections.map((c, i) => ({ c, r, i })));
  rows.sort((a, b) => compareEpoch(a.c.firstEpoch, b.c.firstEpoch) || a.r - b.r || a.i - b.i);
  const maps = docs.map(() => new Map<number, number>());
  rows.forEach(({ c, r }, id) => maps[r]!.set(c.id, id));
  return maps;
}

function provenance(names: readonly string[], splits: readonly SplitJson[]): object {
  return {
    results: [...names],
    notes: [
      'connection ids renumbered in tcp.stream order (first packet time, then result order)',
      'every ...Peak field and elapsedNs is the largest of one shard run, not of one run over the whole input',
      'inputs are the shard files read',
      ...(splits.length > 0 ? ['records not TCP are counted by split, not by kind: decode.nonTcpByKind counts none of them'] : []),
    ],
  };
}

function mergeSummaries(summaries: ReadonlyArray<Record<string, unknown>>, splits: readonly SplitJson[]): Record<string, unknown> {
  const summary = summaries.reduce((a, b) => mergeValue(a, b, '') as Record<string, unknown>);
  const s = summary as Record<string, unknown> & { elapsedNs?: number; packetsRead?: number; bytesReassembled?: number; inputs?: Array<{ firstTime?: string }> };
  const dropped = splits.reduce((n, x) => n + x.nonTcp, 0);
  if (dropped > 0 && typeof s.packetsRead === 'number') {
    s.packetsRead += dropped;
    const decode = s.decode as { packets?: number; nonTcp?: number } | undefined;
    if (decode !== undefined) {
      decode.packets = (decode.packets ?? 0) + dropped;
      decode.nonTcp = (decode.nonTcp ?? 0) + dropped;
    }
  }
  if (typeof s.elapsedNs === 'number' && s.elapsedNs > 0) {
    if (typeof s.packetsRead === 'number') s.packetsPerSecond = Math.round((s.packetsRead * 1e9) / s.elapsedNs);
    if (typeof s.bytesReassembled === 'number') s.bytesPerSecond = Math.round((s.bytesReassembled * 1e9) / s.elapsedNs);
  }
  if (Array.isArray(s.inputs)) s.inputs.sort((a, b) => String(a.firstTime ?? '').localeCompare(String(b.firstTime ?? '')));
  return summary;
}

function mergeValue(a: unknown, b: unknown, key: string): unknown {
  if (typeof a === 'number' && typeof b === 'number') return LARGEST.test(key) ? Math.max(a, b) : RATES.has(key) ? a : a + b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return key === 'interrupted' || key === 'stoppedOnDamage' || key === 'compressed' || key === 'nanosecond' ? a || b : a && b;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = k in out ? mergeValue(out[k], v, k) : v;
    return out;
  }
  if (typeof a === 'string' && typeof b === 'string') return a === b ? a : `${a}, ${b}`;
  return a ?? b;
}
