/**
 * The reduce step for `analyze --format json`: the documents of the shard runs made into the one a single run
 * over the whole input gives. Connections are renumbered in Wireshark's `tcp.stream` order (first packet time;
 * at the same time, the order of the results given, then each result's own order), counters are added up, and
 * what cannot be added is said: a peak over shards run apart is not the peak of one run, so each `...Peak` field
 * is the largest shard's and `merged.notes` says so; timings are the slowest shard's.
 */
import { compareEpoch } from './merge-export.js';

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
  const rows = docs.flatMap((d, r) => d.connections.map((c, i) => ({ c, r, i })));
  rows.sort((a, b) => compareEpoch(a.c.firstEpoch, b.c.firstEpoch) || a.r - b.r || a.i - b.i);
  const connections = rows.map(({ c }, id) => ({ ...c, id }));
  const summary = docs.map((d) => d.summary).reduce((a, b) => mergeValue(a, b, '') as Record<string, unknown>);
  const s = summary as Record<string, unknown> & { elapsedNs?: number; packetsRead?: number; bytesReassembled?: number; inputs?: Array<{ firstTime?: string }> };
  if (typeof s.elapsedNs === 'number' && s.elapsedNs > 0) {
    if (typeof s.packetsRead === 'number') s.packetsPerSecond = Math.round((s.packetsRead * 1e9) / s.elapsedNs);
    if (typeof s.bytesReassembled === 'number') s.bytesPerSecond = Math.round((s.bytesReassembled * 1e9) / s.elapsedNs);
  }
  const dropped = splits.reduce((n, x) => n + x.nonTcp, 0);
  if (dropped > 0 && typeof s.packetsRead === 'number') {
    s.packetsRead += dropped;
    const decode = s.decode as { packets?: number; nonTcp?: number } | undefined;
    if (decode !== undefined) {
      decode.packets = (decode.packets ?? 0) + dropped;
      decode.nonTcp = (decode.nonTcp ?? 0) + dropped;
    }
  }
  if (Array.isArray(s.inputs)) s.inputs.sort((a, b) => String(a.firstTime ?? '').localeCompare(String(b.firstTime ?? '')));
  return {
    connections,
    summary,
    merged: {
      results: [...names],
      notes: ['connection ids renumbered in tcp.stream order (first packet time, then result order)', 'every ...Peak field and elapsedNs is the largest of one shard run, not of one run over the whole input', 'inputs are the shard files read', ...(splits.length > 0 ? ['records not TCP are counted by split, not by kind: decode.nonTcpByKind counts none of them'] : [])],
    },
  };
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
