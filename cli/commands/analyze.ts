import { ConnectionRowStore, streamAnalyze, type ConnectionRowView, type RunSummary } from '../../lib/pipeline/index.js';
import {
  CONNECTION_COLUMNS,
  CONNECTION_TABLE_COLUMNS,
  CONNECTION_TABLE_HEADERS,
  ConnectionsCsvWriter,
  ConnectionsJsonWriter,
  findColumn,
  renderSummary,
  SelectionError,
  sortedOrder,
  TopRows,
  topRows,
  writeTable,
  type Column,
  type ConnectionRow,
  type TextSink,
} from '../../lib/report/index.js';
import { BatchedOutput } from './batched-output.js';
import { exitCodeOf, failure, finalWarnings, processOutput, runContext, selection, UsageError, type CommonArgs, type Output } from './common.js';
import { engineLines } from './summary-lines.js';

/** Arguments of `tcpreasm analyze`. */
export interface AnalyzeArgs extends CommonArgs {
  sort?: string;
  top?: number;
}

/**
 * Where the rows go during the pass. What each output needs decides what is kept:
 * - JSON or CSV in id order: nothing; each row is written as it comes (the summary closes the JSON document).
 * - `--sort` with `--top N`: the best N rows (a bounded heap).
 * - `--top N` without `--sort`: the first N rows.
 * - the table, or `--sort` without `--top`: every row, in columns ({@link ConnectionRowStore}, 100 to 200
 *   bytes a connection on typical traffic), rendered once the pass is over.
 */
interface RowPlan {
  /** A row of the pass (a view, valid only during the call). */
  row(r: ConnectionRowView): void;
  end(summary: RunSummary, lateRows: number): void;
}

/** `tcpreasm analyze CAPTURE`: the per-connection report. Returns the exit code. */
export async function runAnalyze(args: AnalyzeArgs, io: Output = processOutput): Promise<number> {
  let ctx: ReturnType<typeof runContext> | undefined;
  const out = new BatchedOutput(io);
  try {
    // Everything the user typed is checked before the capture is read.
    const select = selection(args);
    const sortBy = args.sort === undefined ? null : asUsage(() => findColumn(CONNECTION_COLUMNS, args.sort!));
    if (args.top !== undefined) asUsage(() => topRows([], args.top));
    const plan = rowPlan(args, sortBy, out.write);
    ctx = runContext(args, io);
    const result = await streamAnalyze(args.capture, (r) => {
      // Filters select few rows: those are built twice, the rest once (or never, for the table).
      if (select === null || select(r.report())) plan.row(r);
    }, ctx.options);
    ctx.done();
    const s = result.summary;
    plan.end(s, result.lateRows);
    out.flush();
    finalWarnings(s, io, args.quiet);
    return exitCodeOf(s, args);
  } catch (err) {
    ctx?.done();
    out.flush();
    return failure(err, io);
  }
}

function rowPlan(args: AnalyzeArgs, sortBy: Column<ConnectionRow> | null, out: TextSink): RowPlan {
  const top = args.top;
  const format = args.format;
  if (format !== 'table' && sortBy === null) return streamed(format, top, out);
  if (sortBy !== null && top !== undefined) {
    const heap = new TopRows<ConnectionRow>(top, sortBy, sortBy.numeric, (r) => r.id);
    return {
      row: (r) => heap.add(r.report()),
      end: (s) => {
        const rows = heap.rows();
        render(format, rows.length, (i) => rows[i]!, s, out);
      },
    };
  }
  if (top !== undefined) {
    // The table of the first N rows: the N lowest ids (a late row may still belong to them).
    const first = new TopRows<ConnectionRow>(top, CONNECTION_COLUMNS[0]!, false, (r) => r.id);
    return {
      row: (r) => first.add(r.report()),
      end: (s) => {
        const rows = first.rows();
        render(format, rows.length, (i) => rows[i]!, s, out);
      },
    };
  }
  const store = new ConnectionRowStore();
  return {
    row: (r) => store.pushRow(r),
    end: (s, lateRows) => {
      const rowAt = (i: number): ConnectionRow => store.get(i);
      const idColumn = CONNECTION_COLUMNS[0]!;
      const order =
        sortBy !== null
          ? sortedOrder(store.length, rowAt, sortBy, sortBy.numeric, (r) => r.id)
          : lateRows > 0
            ? sortedOrder(store.length, rowAt, idColumn, false)
            : null;
      render(format, store.length, order === null ? rowAt : (i) => store.get(order[i]!), s, out);
    },
  };
}

/** JSON or CSV rows written as they come, in id order (the first `top` only, when given). */
function streamed(format: 'json' | 'csv', top: number | undefined, out: TextSink): RowPlan {
  type Writer = { row(r: ConnectionRow): void; end?(s: RunSummary): void };
  let writer: Writer | null = null;
  // Created at the first row or at the end, so an unreadable capture prints nothing on stdout.
  const start = (): Writer => (writer ??= format === 'json' ? new ConnectionsJsonWriter(out) : new ConnectionsCsvWriter(out));
  let written = 0;
  return {
    row: (r) => {
      if (top !== undefined && written >= top) return;
      written++;
      start().row(r.report());
    },
    end: (s) => start().end?.(s),
  };
}

/** The report of rows read through `rowAt`, in that order. */
function render(format: 'table' | 'json' | 'csv', count: number, rowAt: (i: number) => ConnectionRow, s: RunSummary, out: TextSink): void {
  if (format === 'table') {
    writeTable(count, rowAt, CONNECTION_TABLE_COLUMNS, CONNECTION_TABLE_HEADERS, out);
    out(`\n\n${renderSummary(s)}\n${engineLines(s)}`);
    return;
  }
  if (format === 'json') {
    const w = new ConnectionsJsonWriter(out);
    for (let i = 0; i < count; i++) w.row(rowAt(i));
    w.end(s);
    return;
  }
  const w = new ConnectionsCsvWriter(out);
  for (let i = 0; i < count; i++) w.row(rowAt(i));
}

function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SelectionError) throw new UsageError(e.message);
    throw e;
  }
}
