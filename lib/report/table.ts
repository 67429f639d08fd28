/**
 * The one table renderer of every report: box-drawn, compact, no colours (reports are often piped or pasted
 * into tickets), numbers aligned right. Written line by line from any indexed source, so a table of a million
 * rows never exists as one string nor as a million row objects.
 */
import { cellText, type Column } from './columns.js';
import { formatCount, wrapText } from './format.js';
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
  allColumns: ReadonlyArray<Column<T>>,
  out: TextSink,
  fit?: TableFit,
): TableLayout {
  let columns = allColumns;
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
  const hidden: string[] = [];
  if (fit !== undefined) {
    const chosen = chooseColumns(widths, fit, columns.map((c) => c.key));
    for (let c = 0; c < columns.length; c++) if (!chosen.keep[c]) hidden.push(columns[c]!.key);
    columns = columns.filter((_, c) => chosen.keep[c]);
    widths.splice(0, widths.length, ...chosen.widths);
    heads.splice(0, heads.length, ...columns.map((c) => c.header));
  }
  const right = columns.map((c) => c.numeric);
  const spaces = ' '.repeat(Math.max(0, ...widths));
  const rule = (l: string, m: string, r: string): string => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
  // One string a line, built cell by cell: no array per row (a table may have a million).
  const line = (cell: (c: number) => string): string => {
    let t = '│';
    for (let c = 0; c < columns.length; c++) {
      let text = cell(c);
      if (textWidth(text) > widths[c]!) text = `${text.slice(0, Math.max(0, widths[c]! - 1))}…`;
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
  return { hidden };
}

/** Fitting a table to a terminal width. */
export interface TableFit {
  /** Characters a line may take. */
  width: number;
  /** Column keys in the order they give way last to first: the first ones always stay. Others go first. */
  priority: readonly string[];
  /** How many of `priority` stay whatever the width (who the row is about). */
  always: number;
  /** A text column that takes the width left, its cells cut with `…` (the full text is in JSON and CSV). */
  shrink?: string;
}

/** What a fitted table left out. */
export interface TableLayout {
  /** Keys of the columns left out for the width. */
  hidden: string[];
}

/** The narrowest a shrinking column is cut to. */
const MIN_SHRUNK = 12;

/** Which columns fit the width, keeping the table's order, and their widths (a shrunk column's cut). */
function chooseColumns(widths: readonly number[], fit: TableFit, keys: readonly string[]): { keep: boolean[]; widths: number[] } {
  const cost = (w: number): number => w + 3; // "│ " + text + " ", and the final "│" is the 1 below
  const keep = keys.map(() => false);
  let used = 1;
  const rank = fit.priority.map((k) => keys.indexOf(k)).filter((i) => i >= 0);
  const shrink = fit.shrink === undefined ? -1 : keys.indexOf(fit.shrink);
  rank.forEach((c, n) => {
    const w = c === shrink ? Math.min(widths[c]!, MIN_SHRUNK) : widths[c]!;
    if (n < fit.always || used + cost(w) <= fit.width) {
      keep[c] = true;
      used += cost(w);
    }
  });
  const out = widths.slice();
  if (shrink >= 0 && keep[shrink]) {
    out[shrink] = Math.max(Math.min(widths[shrink]!, MIN_SHRUNK), Math.min(widths[shrink]!, fit.width - (used - cost(Math.min(widths[shrink]!, MIN_SHRUNK))) - 3));
  }
  return { keep, widths: out.filter((_, c) => keep[c]) };
}

/** Terminal columns of report text: every character the reports print is one column wide (ASCII, µ). */
function textWidth(s: string): number {
  return s.length;
}

/** The table of `rows` as one string (for the short tables: overlap events, totals by connection). */
export function tableText<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>, fit?: TableFit): string {
  let text = '';
  writeTable(rows.length, (i) => rows[i]!, columns, (s) => (text += s), fit);
  return text;
}

/**
 * A table fitted to `fit.width`, without its last newline, and under it, folded at the width, the columns it
 * left out and `where` the reader finds them.
 */
export function fittedTableText<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>, fit: TableFit, where: string): string {
  let text = '';
  const { hidden } = writeTable(rows.length, (i) => rows[i]!, columns, (s) => (text += s), fit);
  const table = text.replace(/\n$/, '');
  return hidden.length === 0 ? table : `${table}\n${wrapText(`(not shown at ${fit.width} columns: ${hidden.join(', ')}; ${where})`, fit.width)}`;
}
