import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import Table from 'cli-table3';
import { cellText, type Column } from './columns.js';
import { CONNECTION_COLUMNS, CONNECTION_CSV_COLUMNS, CONNECTION_TABLE_COLUMNS, connectionJson } from './connection-columns.js';
import { csvLine } from './csv.js';
import { summaryJson } from './render.js';
import type { ConnectionRow } from './rows.js';
import { findColumn, sortedOrder, TopRows } from './select.js';
import { ConnectionsCsvWriter, ConnectionsJsonWriter } from './stream.js';
import { writeTable } from './table.js';
import { testDirection, testRow, testSummary } from '../../test/support/rows.js';

/** The oracle of every sort: a stable Array.sort on the column's key, ties in input order. */
function sortRows<T>(rows: readonly T[], column: Column<T>, descending: boolean = column.numeric): T[] {
  const key = column.sortKey ?? column.value;
  const cmp = (a: number | string | null, b: number | string | null): number =>
    a === b ? 0 : a === null ? -1 : b === null ? 1 : typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1;
  return rows
    .map((row, i) => ({ row, i, k: key(row) }))
    .sort((x, y) => (descending ? -cmp(x.k, y.k) : cmp(x.k, y.k)) || x.i - y.i)
    .map((x) => x.row);
}

/** The oracle of the table renderer: cli-table3 in the compact style, no colours. */
function cliTable3<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>): string {
  const table = new Table({
    head: columns.map((c) => c.header),
    colAligns: columns.map((c) => (c.numeric ? 'right' : 'left')),
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) table.push(columns.map((c) => cellText(c, row)));
  return table.toString();
}

const summary = testSummary({ malformed: { 'truncated-ip': 1 }, diagnostics: {} });

const stats = fc
  .record({ seed: fc.nat({ max: 1000 }), packets: fc.nat(), bytes: fc.nat(), conflicts: fc.nat({ max: 5 }), missingBytes: fc.nat() })
  .map(({ seed, ...over }) => testDirection(seed, over));

/** Rows as the pipeline makes them, with small value ranges so sort ties happen. */
const rowArb = (id: number) =>
  fc.record({
    ...Object.fromEntries(Object.entries(testRow(id)).map(([k, v]) => [k, fc.constant(v)])),
    id: fc.constant(id),
    ipVersion: fc.constant(4 as const),
    client: fc.constantFrom('10.0.0.1', '10.0.0.20', '192.168.100.200'),
    clientPort: fc.integer({ min: 0, max: 65535 }),
    server: fc.constantFrom('10.99.2.2', '8.8.8.8'),
    serverPort: fc.constantFrom(80, 443, 9000),
    vlan: fc.constantFrom(null, 0, 42),
    state: fc.constantFrom('closed', 'reset', 'timed out', 'open at end'),
    midStream: fc.boolean(),
    firstTsSec: fc.integer({ min: 1_700_000_000, max: 1_700_000_003 }),
    firstTsNsec: fc.integer({ min: 0, max: 999_999_999 }),
    lastTsSec: fc.integer({ min: 1_700_000_003, max: 1_700_090_000 }),
    lastTsNsec: fc.integer({ min: 0, max: 999_999_999 }),
    peakPages: fc.nat({ max: 3 }),
    suspiciousRsts: fc.nat({ max: 2 }),
    c2s: stats,
    s2c: stats,
  }) as unknown as fc.Arbitrary<ConnectionRow>;

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

  it('CSV: a header of the column keys, then one line a row of the column values', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        let text = '';
        const w = new ConnectionsCsvWriter((t) => (text += t));
        for (const r of rows) w.row(r);
        w.end(summary);
        const want = csvLine(CONNECTION_CSV_COLUMNS.map((c) => c.key)) + rows.map((r) => csvLine(CONNECTION_CSV_COLUMNS.map((c) => c.value(r)))).join('');
        expect(text).toBe(want);
      }),
      { numRuns: 50 },
    );
  });

  it('table: the same text as cli-table3 (widths from every row, right-aligned numbers, µs durations)', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        let text = '';
        writeTable(rows.length, (i) => rows[i]!, CONNECTION_TABLE_COLUMNS, (t) => (text += t));
        expect(text).toBe(cliTable3(rows, CONNECTION_TABLE_COLUMNS));
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
        expect(heap.rows()).toEqual(sortRows(rows, col, desc).slice(0, n));
      }),
      { numRuns: 100 },
    );
  });

  it('a tie key puts late rows back in their place among equals', () => {
    const col = findColumn(CONNECTION_COLUMNS, 'peakPages');
    const rows = [3, 1, 2, 0].map((id) => testRow(id, { peakPages: 1 }));
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
