/**
 * Connection reports written piece by piece, so a report of a million connections never exists as one string
 * (nor as a million row objects): JSON and CSV rows go out as they come, the table is written row by row from
 * any indexed source after one pass that measures its columns.
 */
import { CONNECTION_COLUMNS, CONNECTION_CSV_KEYS, CONNECTION_TABLE_HEADERS, CONNECTION_TABLE_KEYS, cellText, type Column } from './columns.js';
import { csvLine } from './csv.js';
import { connectionJson, summaryJson } from './render.js';
import type { ConnectionRow, ReportSummary } from './rows.js';

/** Receives report text in order. */
export type TextSink = (text: string) => void;

const indent = (json: string, pad: string): string => json.replace(/\n/g, `\n${pad}`);

/**
 * The JSON analyze report written as rows come: one document `{ "connections": [...], "summary": {...} }`,
 * byte for byte what `JSON.stringify(doc, null, 2)` gives for it. `connections` comes first because the
 * summary is only known at the end (JSON readers do not care about key order).
 */
export class ConnectionsJsonWriter {
  private rows = 0;

  constructor(private readonly out: TextSink) {
    out('{\n  "connections": [');
  }

  row(r: ConnectionRow): void {
    this.out(`${this.rows++ === 0 ? '\n' : ',\n'}    ${indent(JSON.stringify(connectionJson(r), null, 2), '    ')}`);
  }

  /** Closes the list and writes the summary: the document is complete. */
  end(summary: ReportSummary): void {
    this.out(`${this.rows > 0 ? '\n  ]' : ']'},\n  "summary": ${indent(JSON.stringify(summaryJson(summary), null, 2), '  ')}\n}\n`);
  }
}

/** The CSV analyze report written as rows come: the header line first, then one line a connection. */
export class ConnectionsCsvWriter {
  private readonly cols = pick(CONNECTION_COLUMNS, CONNECTION_CSV_KEYS);

  constructor(private readonly out: TextSink) {
    out(csvLine(this.cols.map((c) => c.key)));
  }

  row(r: ConnectionRow): void {
    this.out(csvLine(this.cols.map((c) => c.value(r))));
  }
}

function pick<T>(all: ReadonlyArray<Column<T>>, keys: readonly string[]): Array<Column<T>> {
  return keys.map((k) => all.find((c) => c.key === k)!);
}

/**
 * A table of `count` rows read through `rowAt`, written line by line with `out`: the same text as
 * renderTable (cli-table3, compact style, no colours) without holding the rows or their cells. Cells are
 * formatted twice (once to measure the columns, once to write), so `rowAt` may build each row afresh.
 * Returns the text's last line without its newline, as renderTable leaves it.
 */
export function writeTable<T>(
  count: number,
  rowAt: (i: number) => T,
  columns: ReadonlyArray<Column<T>>,
  headers: Readonly<Record<string, string>>,
  out: TextSink,
): void {
  const heads = columns.map((c) => headers[c.key] ?? c.header);
  const widths = heads.map((h) => textWidth(h));
  for (let i = 0; i < count; i++) {
    const row = rowAt(i);
    for (let c = 0; c < columns.length; c++) {
      const w = textWidth(cellText(columns[c]!, row));
      if (w > widths[c]!) widths[c] = w;
    }
  }
  const right = columns.map((c) => c.numeric);
  const rule = (l: string, m: string, r: string): string => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
  const line = (cells: readonly string[]): string =>
    `│${cells.map((t, c) => {
      const pad = ' '.repeat(widths[c]! - textWidth(t));
      return right[c] ? ` ${pad}${t} ` : ` ${t}${pad} `;
    }).join('│')}│`;
  out(`${rule('┌', '┬', '┐')}\n${line(heads)}\n`);
  if (count > 0) out(`${rule('├', '┼', '┤')}\n`);
  for (let i = 0; i < count; i++) {
    const row = rowAt(i);
    out(`${line(columns.map((c) => cellText(c, row)))}\n`);
  }
  out(rule('└', '┴', '┘'));
}

/** Terminal columns of report text: every character the reports print is one column wide (ASCII, µ). */
function textWidth(s: string): number {
  return s.length;
}

/** The columns of the analyze table (see CONNECTION_TABLE_KEYS) with their table headers. */
export const CONNECTION_TABLE_COLUMNS: ReadonlyArray<Column<ConnectionRow>> = pick(CONNECTION_COLUMNS, CONNECTION_TABLE_KEYS);

