/**
 * A counter added to the one list appears in every output with no other change: the engine's fields, the
 * row snapshot, the run totals, the JSON keys, the CSV columns, the table and the manifest's statistics.
 */
import { describe, expect, it, vi } from 'vitest';
import type { CounterSpec } from './counter-list.js';

vi.mock('./counter-list.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('./counter-list.js')>();
  const list: CounterSpec[] = [...m.DIRECTION_COUNTERS];
  // Row counters come before the engine's own: the new one goes at the end of the row counters.
  list.splice(list.findIndex((c) => !c.row), 0, {
    name: 'testProbes', unit: 'packets', total: true, row: true, table: { shape: 'sum', header: 'probes' }, doc: 'A counter only this test declares.',
  });
  return { DIRECTION_COUNTERS: list };
});

const { HalfStats } = await import('../reassembly/stats.js');
const { ROW_FIELDS, readRow } = await import('./row.js');
const { writeRow } = await import('../pipeline/snapshot.js');
const { analyzeCapture } = await import('../pipeline/analyze.js');
const { directionReport } = await import('../pipeline/engine-json.js');
const { CONNECTION_CSV_COLUMNS, CONNECTION_TABLE_COLUMNS, CONNECTION_COLUMNS, connectionJson } = await import('../report/connection-columns.js');
const { Endpoint } = await import('../reassembly/connection.js');

describe('a counter declared in one line is in every output', () => {
  it('the engine has the field; the snapshot, totals and read-back carry it', () => {
    const s = new HalfStats() as InstanceType<typeof HalfStats> & Record<string, number>;
    s.testProbes = 5;
    const total = new HalfStats() as InstanceType<typeof HalfStats> & Record<string, number>;
    total.add(s);
    total.add(s);
    expect(total.testProbes).toBe(10);
    expect((directionReport(s) as Record<string, unknown>).testProbes).toBe(5);
    const conn = {
      id: 1, reuseIndex: 0, ipVersion: 4, vlan: -1, outerVlan: -1, client: new Endpoint(), server: new Endpoint(), midStream: false,
      serverGuessed: false, firstTsSec: 1, firstTsNsec: 0, lastTsSec: 2, lastTsNsec: 0, endReason: 'closed', stats: [s, new HalfStats()],
      conflicts: [], conflictsDropped: 0, suspiciousRsts: 0, suspiciousRstRecords: [], isn: () => -1,
    };
    const a = new Float64Array(ROW_FIELDS);
    writeRow(a, 0, conn as never);
    const row = readRow(a, 0);
    expect((row.c2s as Record<string, unknown>).testProbes).toBe(5);
    expect((connectionJson(row) as { c2s: Record<string, unknown> }).c2s.testProbes).toBe(5);
    const csv = (k: string) => CONNECTION_CSV_COLUMNS.find((c) => c.key === k)?.value(row);
    expect([csv('c2sTestProbes'), csv('s2cTestProbes')]).toEqual([5, 0]);
    expect(CONNECTION_COLUMNS.find((c) => c.key === 'testProbes')?.value(row)).toBe(5); // --sort testProbes
    expect(CONNECTION_TABLE_COLUMNS.map((c) => c.header)).toContain('probes');
  });

  it('a real capture reports it in every connection of the JSON', async () => {
    const r = await analyzeCapture('samples/ipv4-loss.pcap');
    expect(r.connections.length).toBeGreaterThan(0);
    for (const c of r.connections) {
      expect(Object.keys(c.c2s)).toContain('testProbes');
      expect(JSON.parse(JSON.stringify(connectionJson(c))).s2c.testProbes).toBe(0);
    }
  });
});
