/**
 * The one table renderer of every report: box-drawn, compact, no colours (reports are often piped or pasted
 * into tickets), numbers aligned right. Written line by line from any indexed source, so a table of a million
 * rows never exists as one string nor as a million row objects.
 */
import { cellText, type Column } from './columns.js';
import { formatCount } from './format.js';
import type { TextSink } from './stream.js';

/**
 * A table of `count` rows read through `rowAt`, written line by line with `out`: the same text as
 * cli-table3's compact style (its tests compare the two) without holding the rows or their cells. Cells are
 * formatted twice (once to measure the columns, once to write), so `rowAt` may build each row afresh.
 * The last line is written without its newline, as cli-table3 leaves it.
 */
export function writeTable<T>(
  count: number,
  rowAt: (i: number) => T,
  columns: ReadonlyArray<Column<T>>,
  out: TextSink,
): void {
  const heads = columns.map((c) => c.header);
  const widths = heads.map((h) => textWidth(h));
  // A plain count column's widest cell is its largest value (thousands separators grow with it): measured
  // from the numbers, without formatting each cell.
  const plain = columns.map((c) => c.numeric && c.text === undefined);
  const most = columns.map(() => -1);
  for (let i = 0; i < count; i++) {
    const row = rowAt(i);
    for (let c = 0; c < columns.length; c++) {
      if (plain[c]) {
        const v = columns[c]!.value(row);
        if (typeof v === 'number' && v >= 0 && Number.isSafeInteger(v)) {
          if (v > most[c]!) most[c] = v;
          continue;
        }
      }
      const w = textWidth(cellText(columns[c]!, row));
      if (w > widths[c]!) widths[c] = w;
    }
  }
  for (let c = 0; c < columns.length; c++) {
    if (most[c]! >= 0) widths[c] = Math.max(widths[c]!, textWidth(formatCount(most[c]!)));
  }
  const right = columns.map((c) => c.numeric);
  const spaces = ' '.repeat(Math.max(0, ...widths));
  const rule = (l: string, m: string, r: string): string => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
  // One string a line, built cell by cell: no array per row (a table may have a million).
  const line = (cell: (c: number) => string): string => {
    let t = '│';
    for (let c = 0; c < columns.length; c++) {
      const text = cell(c);
      const pad = spaces.slice(0, widths[c]! - textWidth(text));
      t += right[c] ? ` ${pad}${text} │` : ` ${text}${pad} │`;
    }
    return t;
  };
  out(`${rule('┌', '┬', '┐')}\n${line((c) => heads[c]!)}\n`);
  if (count > 0) out(`${rule('├', '┼', '┤')}\n`);
  let row: T;
  const cell = (c: number): string => cellText(columns[c]!, row);
  for (let i = 0; i < count; i++) {
    row = rowAt(i);
    out(`${line(cell)}\n`);
  }
  out(rule('└', '┴', '┘'));
}

/** Terminal columns of report text: every character the reports print is one column wide (ASCII, µ). */
function textWidth(s: string): number {
  return s.length;
}

/** The table of `rows` as one string (for the short tables: overlap events, totals by connection). */
export function tableText<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>): string {
  let text = '';
  writeTable(rows.length, (i) => rows[i]!, columns, (s) => (text += s));
  return text;
}
