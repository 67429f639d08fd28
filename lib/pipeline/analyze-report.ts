/**
 * The analyze report written as the pass hands over rows: what each output needs decides what is kept.
 * - JSON or CSV in id order: nothing; each row is written as it comes (the summary closes the JSON document).
 * - `sort` with `top`: the best N rows (a bounded heap). `top` without `sort`: the N lowest ids.
 * - the table, or `sort` without `top`: every row, in columns ({@link ConnectionRowStore}, 100 to 200 bytes a
 *   connection on typical traffic), written once the pass is over.
 */
import {
  CONNECTION_COLUMNS,
  CONNECTION_DEFAULT_COLUMNS,
  CONNECTION_TABLE_COLUMNS,
  CONNECTION_TABLE_PRIORITY,
  summaryCsv,
  summaryJson,
  checkTop,
  ConnectionsCsvWriter,
  ConnectionsJsonWriter,
  findColumn,
  renderSummary,
  sortedOrder,
  TopRows,
  writeTable,
  type Column,
  type ConnectionRow,
  type ReportFormat,
  type TableFit,
  type RunSummary,
  type TextSink,
} from '../report/index.js';
import { ConnectionRowStore } from './row-store.js';
import type { ConnectionRowView } from './row-view.js';

/** How the analyze report is laid out. */
export interface AnalyzeReportOptions {
  format: ReportFormat;
  /**
   * A column key (`CONNECTION_COLUMNS`, case-insensitive): numbers largest first, text A to Z; `-key` for
   * largest (Z) first, `+key` for smallest (A) first.
   */
  sort?: string;
  /** The order of `sort` whatever its default: 'asc' smallest (A) first, 'desc' largest (Z) first. */
  order?: 'asc' | 'desc';
  /** Only the first N rows (after sorting). */
  top?: number;
  /** Table: these columns (any key of `CONNECTION_COLUMNS`), in this order, not fitted to the width. */
  columns?: readonly string[];
  /** Table: every column of {@link CONNECTION_TABLE_COLUMNS}, not fitted to the width. */
  wide?: boolean;
  /** Table: the terminal's width; the default columns that do not fit are left out, and named under it. */
  width?: number;
  /** Only the summary, in the format. */
  summaryOnly?: boolean;
}

/** The sort column and its direction (`-bytes`, `+client`, and `order` over both). */
function sortOf(o: AnalyzeReportOptions): { by: Column<ConnectionRow>; descending: boolean } | null {
  if (o.sort === undefined) return null;
  const sign = o.sort.trim()[0];
  const by = findColumn(CONNECTION_COLUMNS, sign === '-' || sign === '+' ? o.sort.trim().slice(1) : o.sort);
  const descending = o.order !== undefined ? o.order === 'desc' : sign === '-' ? true : sign === '+' ? false : by.numeric;
  return { by, descending };
}

/** The table's columns and how they are fitted, from the options (SelectionError for an unknown column). */
function tableLayout(o: AnalyzeReportOptions): { columns: ReadonlyArray<Column<ConnectionRow>>; fit?: TableFit } {
  if (o.columns !== undefined && o.columns.length > 0) return { columns: o.columns.map((k) => findColumn(CONNECTION_COLUMNS, k, 'column')) };
  if (o.wide === true) return { columns: CONNECTION_TABLE_COLUMNS };
  return { columns: CONNECTION_DEFAULT_COLUMNS, fit: { width: o.width ?? 80, priority: CONNECTION_TABLE_PRIORITY, always: 4 } };
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
  const sort = sortOf(options);
  const sortBy = sort?.by ?? null;
  const descending = sort?.descending ?? false;
  checkTop(options.top);
  const layout = tableLayout(options);
  const { format, top } = options;
  if (options.summaryOnly === true) return { row: () => {}, end: (s) => out(summaryOnly(format, s)) };
  if (format !== 'table' && sortBy === null) return streamed(format, top, out);
  const write = (count: number, rowAt: (i: number) => ConnectionRow, s: RunSummary): void => writeAll(format, count, rowAt, s, out, layout);
  if (top !== undefined) {
    // The best N by the sort column, or the N lowest ids (a late row may still belong to them).
    const by = sortBy ?? CONNECTION_COLUMNS[0]!;
    const heap = new TopRows<ConnectionRow>(top, by, descending, (r) => r.id);
    return {
      row: (r) => heap.add(r.report()),
      end: (s) => {
        const rows = heap.rows();
        write(rows.length, (i) => rows[i]!, s);
      },
    };
  }
  const store = new ConnectionRowStore();
  return {
    row: (r) => store.pushRow(r),
    end: (s, lateRows) => {
      const rowAt = (i: number): ConnectionRow => store.get(i);
      const order = sortBy !== null || lateRows > 0 ? sortedOrder(store.length, rowAt, sortBy ?? CONNECTION_COLUMNS[0]!, descending, (r) => r.id) : null;
      write(store.length, order === null ? rowAt : (i) => store.get(order[i]!), s);
    },
  };
}

/** `--summary`: the summary alone, as the table prints it, as the JSON document's `summary`, or as field,value CSV. */
function summaryOnly(format: ReportFormat, s: RunSummary): string {
  if (format === 'json') return `${JSON.stringify({ summary: summaryJson(s) }, null, 2)}\n`;
  if (format === 'csv') return summaryCsv(summaryJson(s));
  return `${renderSummary(s)}\n`;
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
function writeAll(
  format: ReportFormat,
  count: number,
  rowAt: (i: number) => ConnectionRow,
  s: RunSummary,
  out: TextSink,
  layout: { columns: ReadonlyArray<Column<ConnectionRow>>; fit?: TableFit },
): void {
  if (format === 'table') {
    const { hidden } = writeTable(count, rowAt, layout.columns, out, layout.fit);
    const note = hidden.length === 0 ? '' : `\n(not shown at ${layout.fit!.width} columns: ${hidden.join(', ')}; see --wide, --columns)`;
    out(`${note}\n\n${renderSummary(s)}\n`);
    return;
  }
  const w = format === 'json' ? new ConnectionsJsonWriter(out) : new ConnectionsCsvWriter(out);
  for (let i = 0; i < count; i++) w.row(rowAt(i));
  w.end(s);
}
