import Table from 'cli-table3';
import { cellText, type Column } from './columns.js';

/**
 * A cli-table3 table of `rows` with the given columns. No colours (reports are often piped or pasted into
 * tickets); numbers align right. `headers` overrides table headers by column key.
 */
export function renderTable<T>(
  rows: readonly T[],
  columns: ReadonlyArray<Column<T>>,
  headers: Readonly<Record<string, string>> = {},
): string {
  const table = new Table({
    head: columns.map((c) => headers[c.key] ?? c.header),
    colAligns: columns.map((c) => (c.numeric ? 'right' : 'left')),
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) table.push(columns.map((c) => cellText(c, row)));
  return table.toString();
}
