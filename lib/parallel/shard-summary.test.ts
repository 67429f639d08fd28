/**
 * The summary of a run in shards: the shards' passes (PassOptions.shard, in this thread) give, merged, the
 * summary of one pass over everything, but for the peaks (added up) and the times.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { streamAnalyze } from '../pipeline/analyze.js';
import type { RunSummary } from '../pipeline/summary.js';
import { mergeShardSummaries } from './shard-summary.js';

const SAMPLE = fileURLToPath(new URL('../../samples/ipv4-heavyloss.pcap', import.meta.url));

const withoutTimes = (s: RunSummary): string => JSON.stringify(s, (k, v: unknown) => (/Peak|^elapsedNs$|PerSecond$|^workers$/.test(k) ? undefined : v));

async function shards(count: number): Promise<{ whole: RunSummary; parts: RunSummary[]; rows: number[] }> {
  const whole = (await streamAnalyze(SAMPLE, () => {})).summary;
  const parts: RunSummary[] = [];
  const rows: number[] = [];
  for (let index = 0; index < count; index++) {
    const r = await streamAnalyze(SAMPLE, () => {}, { shard: { index, count } });
    parts.push(r.summary);
    rows.push(r.rows);
  }
  return { whole, parts, rows };
}

describe('mergeShardSummaries', () => {
  it('adds up what the engine counted per shard and takes what the reader counted once', async () => {
    const { whole, parts, rows } = await shards(3);
    // Each shard assembled some of the connections and read every record.
    expect(rows.reduce((a, b) => a + b, 0)).toBe(whole.connections);
    expect(rows.filter((n) => n > 0).length).toBeGreaterThan(1);
    for (const p of parts) expect(p.packetsRead).toBe(whole.packetsRead);
    const merged = mergeShardSummaries(parts, 123);
    expect(withoutTimes(merged)).toBe(withoutTimes(whole));
    expect(merged.elapsedNs).toBe(123);
    expect(merged.workers).toBe(3);
    expect(merged.engine.connectionsPeakOpen).toBe(parts.reduce((n, p) => n + p.engine.connectionsPeakOpen, 0));
    expect(merged.engine.pageSize).toBe(whole.engine.pageSize);
  });

  it('is interrupted when any shard was', async () => {
    const { parts } = await shards(2);
    expect(mergeShardSummaries(parts, 1).interrupted).toBe(false);
    parts[1] = { ...parts[1]!, interrupted: true };
    expect(mergeShardSummaries(parts, 1).interrupted).toBe(true);
  });

  it('puts one 4-tuple in one shard whatever its tunnel or VLAN, as one tcpflow file name is numbered by one shard', async () => {
    const tunnels = fileURLToPath(new URL('../../samples/crafted/tunnels.pcap', import.meta.url));
    const tuples: Array<Set<string>> = [];
    for (let index = 0; index < 2; index++) {
      const seen = new Set<string>();
      await streamAnalyze(tunnels, (r) => void seen.add(`${r.report().client}:${r.report().clientPort}-${r.report().server}:${r.report().serverPort}`), { shard: { index, count: 2 } });
      tuples.push(seen);
    }
    const whole = await streamAnalyze(tunnels, () => {});
    // The sample holds one 4-tuple in several tunnels: all of its connections are in one shard.
    expect(whole.rows).toBeGreaterThan(new Set([...tuples[0]!, ...tuples[1]!]).size);
    for (const t of tuples[0]!) expect(tuples[1]!.has(t), t).toBe(false);
  });
});
