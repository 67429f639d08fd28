/**
 * The run summary of a parallel run from its shards' summaries. Every shard read and decoded the whole input,
 * so what the reader and the decoder counted is the first shard's; what the engine counted is each shard's own
 * connections, added up. A peak added up is an upper bound of the run's (the shards' peaks need not coincide),
 * which is what the memory of the run as a whole needed.
 */
import type { RunSummary } from '../pipeline/summary.js';

/** Fields of RunSummary counted by the engine, per shard: added up. */
const ENGINE_SIDE = [
  'connections',
  'bytesReassembled',
  'bytesMissing',
  'overlapBytes',
  'overlapPackets',
  'conflicts',
  'rstIgnored',
  'rstNotTaken',
  'outOfWindowPackets',
  'outOfWindowBytes',
  'engine',
  'checks',
] as const satisfies ReadonlyArray<keyof RunSummary>;

/** Engine fields every shard has alike. */
const SAME = new Set(['pageSize']);

/** `shards` (in shard order, none empty) as one summary; `elapsedNs` the whole run's wall time. */
export function mergeShardSummaries(shards: readonly RunSummary[], elapsedNs: number): RunSummary {
  const out = structuredClone(shards[0]!);
  const fields = out as unknown as Record<string, unknown>;
  for (const key of ENGINE_SIDE) {
    let v: unknown = out[key];
    for (let i = 1; i < shards.length; i++) v = add(v, shards[i]![key], key);
    fields[key] = v;
  }
  out.elapsedNs = elapsedNs;
  out.packetsPerSecond = elapsedNs > 0 ? Math.round((out.packetsRead * 1e9) / elapsedNs) : null;
  // A stop reaches each worker at its own place: the run was cut short if any was.
  out.interrupted = shards.some((s) => s.interrupted);
  out.workers = shards.length;
  return out;
}

function add(a: unknown, b: unknown, key: string): unknown {
  if (typeof a === 'number' && typeof b === 'number') return SAME.has(key) ? a : a + b;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = k in out ? add(out[k], v, k) : v;
    return out;
  }
  return a ?? b;
}
