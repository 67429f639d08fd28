/**
 * The analyze report written as the pass hands over rows: what each output needs decides what is kept.
 * - JSON or CSV in id order: nothing; each row is written as it comes (the summary closes the JSON document).
 * - `sort` with `top`: the best N rows (a bounded heap). `top` without `sort`: the N lowest ids.
 * - the table, or `sort` without `top`: every row, in columns ({@link ConnectionRowStore}, 100 to 200 bytes a
 *   connection on typical traffic), written once the pass is over.
 */
import {
  CONNECTION_COLUMNS,
  CONNECTION_TABLE_COLUMNS,
  checkTop,
  ConnectionsCsvWriter,
  ConnectionsJsonWriter,
  findColumn,
  renderSummary,
  sortedOrder,
  TopRows,
  writeTable,
  type ConnectionRow,
  type ReportFormat,
  type RunSummary,
  type TextSink,
} from '../report/index.js';
import { ConnectionRowStore } from './row-store.js';
import type { ConnectionRowView } from './row-view.js';

/** How the analyze report is laid out. */
export interface AnalyzeReportOptions {
  format: ReportFormat;
  /** A column key (`CONNECTION_COLUMNS`, case-insensitive): numbers largest first, text A to Z. */
  sort?: string;
  /** Only the first N rows (after sorting). */
  top?: number;
}

/** Receives the rows of a pass and writes the report; `end` writes what is left and the summary. */
export interface AnalyzeReport {
  /** A row of the pass (a view, valid only during the call). */
  row(r: ConnectionRowView): void;
  /** `lateRows`: rows the pass handed over out of id order (see AnalyzeStreamResult). */
  end(summary: RunSummary, lateRows: number): void;
}

/**
 * The report writer for these options, writing text to `out`. Throws SelectionError for an unknown sort
 * column or a bad `top`, before anything is read.
 */
export function analyzeReport(options: AnalyzeReportOptions, out: TextSink): AnalyzeReport {
  const sortBy = options.sort === undefined ? null : findColumn(CONNECTION_COLUMNS, options.sort);
  checkTop(options.top);
  const { format, top } = options;
  if (format !== 'table' && sortBy === null) return streamed(format, top, out);
  if (top !== undefined) {
    // The best N by the sort column, or the N lowest ids (a late row may still belong to them).
    const by = sortBy ?? CONNECTION_COLUMNS[0]!;
    const heap = new TopRows<ConnectionRow>(top, by, sortBy === null ? false : by.numeric, (r) => r.id);
    return {
      row: (r) => heap.add(r.report()),
      end: (s) => {
        const rows = heap.rows();
        writeAll(format, rows.length, (i) => rows[i]!, s, out);
      },
    };
  }
  const store = new ConnectionRowStore();
  return {
    row: (r) => store.pushRow(r),
    end: (s, lateRows) => {
      const rowAt = (i: number): ConnectionRow => store.get(i);
      const order = sortBy !== null || lateRows > 0 ? sortedOrder(store.length, rowAt, sortBy ?? CONNECTION_COLUMNS[0]!, sortBy?.numeric ?? false, (r) => r.id) : null;
      writeAll(format, store.length, order === null ? rowAt : (i) => store.get(order[i]!), s, out);
    },
  };
}

/** JSON or CSV rows written as they come, in id order (the first `top` only, when given). */
function streamed(format: 'json' | 'csv', top: number | undefined, out: TextSink): AnalyzeReport {
  let writer: ConnectionsJsonWriter | ConnectionsCsvWriter | null = null;
  // Created at the first row or at the end, so an unreadable capture prints nothing on stdout.
  const start = () => (writer ??= format === 'json' ? new ConnectionsJsonWriter(out) : new ConnectionsCsvWriter(out));
  let written = 0;
  return {
    row: (r) => {
      if (top !== undefined && written >= top) return;
      written++;
      start().rowNumbers(r.values, r.at);
    },
    end: (s) => start().end(s),
  };
}

/** The whole report of rows read through `rowAt`, in that order. */
function writeAll(format: ReportFormat, count: number, rowAt: (i: number) => ConnectionRow, s: RunSummary, out: TextSink): void {
  if (format === 'table') {
    writeTable(count, rowAt, CONNECTION_TABLE_COLUMNS, out);
    out(`\n\n${renderSummary(s)}\n`);
    return;
  }
  const w = format === 'json' ? new ConnectionsJsonWriter(out) : new ConnectionsCsvWriter(out);
  for (let i = 0; i < count; i++) w.row(rowAt(i));
  w.end(s);
}
