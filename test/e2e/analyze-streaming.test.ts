/**
 * analyze writes its rows as they come: JSON is one document with `connections` first and `summary` last,
 * CSV and JSON rows are in id order, and --sort/--top give the same rows in every format.
 */
import { describe, it, expect } from 'vitest';
import { cli, inParallel } from './support.js';

const file = 'samples/ipv4-loss.pcap';

describe('analyze streamed output', () => {
  it('JSON: connections then summary, ids in order, one row per connection; CSV the same rows', async () => {
    const [json, csv] = await inParallel([() => cli(['analyze', file, '--format', 'json']), () => cli(['analyze', file, '--format', 'csv'])]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { connections: Array<{ id: number }>; summary: { connections: number } };
    expect(Object.keys(doc)).toEqual(['connections', 'summary']);
    expect(doc.connections.map((c) => c.id)).toEqual([...Array(doc.summary.connections).keys()]);
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines[0]!.startsWith('id,ipVersion,client,')).toBe(true);
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(doc.connections.map((c) => c.id));
  });

  it('--sort with --top: the same rows, in the same order, in JSON, CSV and the table', async () => {
    const args = ['analyze', file, '--sort', 's2cBytes', '--top', '4'];
    const [json, csv, table] = await inParallel([
      () => cli([...args, '--format', 'json']),
      () => cli([...args, '--format', 'csv']),
      () => cli(args),
    ]);
    const ids = (JSON.parse(json.stdout) as { connections: Array<{ id: number; s2c: { bytes: number } }> }).connections;
    expect(ids).toHaveLength(4);
    for (let i = 1; i < ids.length; i++) expect(ids[i - 1]!.s2c.bytes).toBeGreaterThanOrEqual(ids[i]!.s2c.bytes);
    expect(csv.stdout.trimEnd().split('\r\n').slice(1).map((l) => Number(l.split(',')[0]))).toEqual(ids.map((c) => c.id));
    const tableIds = table.stdout.split('\n').filter((l) => /^│\s+\d+ │/.test(l)).map((l) => Number(l.split('│')[1]));
    expect(tableIds).toEqual(ids.map((c) => c.id));
  });
});
