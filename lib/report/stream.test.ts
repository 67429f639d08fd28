import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CONNECTION_COLUMNS, CONNECTION_TABLE_HEADERS, CONNECTION_TABLE_KEYS } from './columns.js';
import { renderConnections, connectionJson, summaryJson } from './render.js';
import type { ConnectionRow, ReportSummary } from './rows.js';
import { findColumn, sortedOrder, sortRows, topRows, TopRows } from './select.js';
import { ConnectionsCsvWriter, ConnectionsJsonWriter, CONNECTION_TABLE_COLUMNS, writeTable } from './stream.js';
import { renderTable } from './table.js';

const summary: ReportSummary = {
  input: 'capture.pcap',
  inputBytes: 123_456_789,
  packetsRead: 1_000_000,
  tcpSegments: 999_000,
  connections: 3,
  bytesReassembled: 812_345_678,
  bytesMissing: 1448,
  overlapBytes: 10,
  overlapPackets: 1,
  conflicts: 2,
  rstIgnored: 1,
  outOfWindowPackets: 3,
  outOfWindowBytes: 300,
  malformed: { 'truncated-ip': 1 },
  diagnostics: {},
  elapsedNs: 1.5e9,
};

const stats = fc.record({
  packets: fc.nat(), bytes: fc.nat(), queuedBytes: fc.nat(), queuedPackets: fc.nat(), overlapBytes: fc.nat(),
  overlapPackets: fc.nat(), conflicts: fc.nat({ max: 5 }), missingBytes: fc.nat(),
});

/** Rows as the pipeline makes them, with small value ranges so sort ties happen. */
const rowArb = (id: number) =>
  fc.record({
    id: fc.constant(id),
    ipVersion: fc.constant(4 as const),
    client: fc.constantFrom('10.0.0.1', '10.0.0.20', '192.168.100.200'),
    clientPort: fc.integer({ min: 0, max: 65535 }),
    server: fc.constantFrom('10.99.2.2', '8.8.8.8'),
    serverPort: fc.constantFrom(80, 443, 9000),
    vlan: fc.constantFrom(null, 0, 42),
    state: fc.constantFrom('complete', 'reset', 'timed out', 'open at end'),
    midStream: fc.boolean(),
    firstTsSec: fc.integer({ min: 1_700_000_000, max: 1_700_000_003 }),
    firstTsNsec: fc.integer({ min: 0, max: 999_999_999 }),
    lastTsSec: fc.integer({ min: 1_700_000_003, max: 1_700_090_000 }),
    lastTsNsec: fc.integer({ min: 0, max: 999_999_999 }),
    peakPages: fc.nat({ max: 3 }),
    c2s: stats,
    s2c: stats,
  }) as fc.Arbitrary<ConnectionRow>;

const rowsArb = fc.integer({ min: 0, max: 25 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => rowArb(i))));

describe('streamed reports are byte for byte the documents they replace', () => {
  it('JSON: {connections, summary} exactly as JSON.stringify writes it, whatever the rows', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        let text = '';
        const w = new ConnectionsJsonWriter((t) => (text += t));
        for (const r of rows) w.row(r);
        w.end(summary);
        expect(text).toBe(`${JSON.stringify({ connections: rows.map(connectionJson), summary: summaryJson(summary) }, null, 2)}\n`);
      }),
      { numRuns: 50 },
    );
  });

  it('CSV: the same lines as the whole-report renderer', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        let text = '';
        const w = new ConnectionsCsvWriter((t) => (text += t));
        for (const r of rows) w.row(r);
        expect(text).toBe(renderConnections(rows, summary, 'csv'));
      }),
      { numRuns: 50 },
    );
  });

  it('table: the same text as cli-table3 (widths from every row, right-aligned numbers, µs durations)', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        let text = '';
        writeTable(rows.length, (i) => rows[i]!, CONNECTION_TABLE_COLUMNS, CONNECTION_TABLE_HEADERS, (t) => (text += t));
        const cols = CONNECTION_TABLE_KEYS.map((k) => CONNECTION_COLUMNS.find((c) => c.key === k)!);
        expect(text).toBe(renderTable(rows, cols, CONNECTION_TABLE_HEADERS));
      }),
      { numRuns: 50 },
    );
  });
});

describe('sorting without holding rows', () => {
  const sortKeys = ['id', 'client', 'serverPort', 'vlan', 'state', 'firstTime', 'durationNs', 's2cBytes', 'conflicts', 'peakPages'];

  it('--sort with --top N from a bounded heap equals sorting everything and cutting', () => {
    fc.assert(
      fc.property(rowsArb, fc.constantFrom(...sortKeys), fc.nat({ max: 30 }), fc.boolean(), (rows, key, n, flip) => {
        const col = findColumn(CONNECTION_COLUMNS, key);
        const desc = flip ? !col.numeric : col.numeric;
        const heap = new TopRows<ConnectionRow>(n, col, desc);
        for (const r of rows) heap.add(r);
        expect(heap.rows()).toEqual(topRows(sortRows(rows, col, desc), n));
      }),
      { numRuns: 100 },
    );
  });

  it('a tie key puts late rows back in their place among equals', () => {
    const col = findColumn(CONNECTION_COLUMNS, 'peakPages');
    const rows = [3, 1, 2, 0].map((id) => ({ id, peakPages: 1 }) as ConnectionRow);
    const heap = new TopRows<ConnectionRow>(3, col, true, (r) => r.id);
    for (const r of rows) heap.add(r);
    expect(heap.rows().map((r) => r.id)).toEqual([0, 1, 2]);
    expect(Array.from(sortedOrder(rows.length, (i) => rows[i]!, col, true, (r) => r.id))).toEqual([3, 1, 2, 0]);
  });

  it('the sort order over an indexed store equals sortRows', () => {
    fc.assert(
      fc.property(rowsArb, fc.constantFrom(...sortKeys), (rows, key) => {
        const col = findColumn(CONNECTION_COLUMNS, key);
        const order = sortedOrder(rows.length, (i) => rows[i]!, col);
        expect(Array.from(order, (i) => rows[i]!)).toEqual(sortRows(rows, col));
      }),
      { numRuns: 100 },
    );
  });
});
