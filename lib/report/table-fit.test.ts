import { describe, it, expect } from 'vitest';
import { CONNECTION_DEFAULT_COLUMNS, CONNECTION_TABLE_PRIORITY } from './connection-columns.js';
import { num, type Column } from './columns.js';
import { writeTable, type TableFit } from './table.js';
import { testRow } from '../../test/support/rows.js';
import type { ConnectionRow } from './rows.js';

function table<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>, fit: TableFit): { lines: string[]; hidden: string[] } {
  let text = '';
  const { hidden } = writeTable(rows.length, (i) => rows[i]!, columns, (t) => (text += t), fit);
  return { lines: text.split('\n'), hidden };
}

const longest = (lines: readonly string[]): number => Math.max(...lines.map((l) => l.length));

describe('tables fitted to the terminal', () => {
  const rows: ConnectionRow[] = [testRow(0), testRow(1, { ipVersion: 6, client: 'fd99:1::1', server: 'fd99:2::2' }), testRow(12345)];
  const fit = (width: number): TableFit => ({ width, priority: CONNECTION_TABLE_PRIORITY, always: 4 });

  for (const width of [80, 120]) {
    it(`the default connection columns fit ${width} columns; what gave way is named`, () => {
      const { lines, hidden } = table(rows, CONNECTION_DEFAULT_COLUMNS, fit(width));
      expect(longest(lines)).toBeLessThanOrEqual(width);
      expect(lines[1]).toMatch(/^│\s+id │ client\s+│ server\s+│ state\s+│/);
      // Every default column is either shown or named as hidden, and the ones that go are the last in priority.
      const shown = CONNECTION_DEFAULT_COLUMNS.map((c) => c.key).filter((k) => !hidden.includes(k));
      expect(shown.length + hidden.length).toBe(CONNECTION_DEFAULT_COLUMNS.length);
      const rank = (k: string) => CONNECTION_TABLE_PRIORITY.indexOf(k);
      for (const h of hidden) for (const k of shown) expect(rank(k)).toBeLessThan(rank(h));
    });
  }

  it('a wider terminal shows more of the default columns: 80 < 120 < 200 (all)', () => {
    const n = (w: number) => CONNECTION_DEFAULT_COLUMNS.length - table(rows, CONNECTION_DEFAULT_COLUMNS, fit(w)).hidden.length;
    expect(n(80)).toBeLessThan(n(120));
    expect(n(120)).toBeLessThan(n(200));
    expect(n(200)).toBe(CONNECTION_DEFAULT_COLUMNS.length);
  });

  it('who the row is about stays even when nothing else fits', () => {
    const { lines, hidden } = table(rows, CONNECTION_DEFAULT_COLUMNS, fit(20));
    expect(lines[1]).toMatch(/^│\s+id │ client\s+│ server\s+│ state\s+│$/);
    expect(hidden).toHaveLength(CONNECTION_DEFAULT_COLUMNS.length - 4);
  });

  it('a shrinking text column is cut with an ellipsis to the width, never below 12 characters', () => {
    type R = { n: number; t: string };
    const cols: Array<Column<R>> = [num('n', 'n', (r) => r.n), { key: 't', header: 'detail', numeric: false, value: (r) => r.t }];
    const long = 'kept old copy (vs delivered); first difference at +17; old: record 4, fnv1a32 0badf00d';
    const { lines } = table([{ n: 1, t: long }], cols, { width: 40, priority: ['n', 't'], always: 2, shrink: 't' });
    expect(longest(lines)).toBe(40);
    const cell = lines[3]!.split('│')[2]!.trim();
    expect(cell.endsWith('…')).toBe(true);
    expect(long.startsWith(cell.slice(0, -1))).toBe(true);
    const narrow = table([{ n: 1, t: long }], cols, { width: 10, priority: ['n', 't'], always: 2, shrink: 't' });
    expect(narrow.lines[3]!.split('│')[2]!.trim()).toHaveLength(12);
  });
});
