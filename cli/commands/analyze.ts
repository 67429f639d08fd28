import { analyzeCapture } from '../../lib/pipeline/index.js';
import { CONNECTION_COLUMNS, type ConnectionRow, findColumn, renderConnections, SelectionError, sortRows, topRows } from '../../lib/report/index.js';
import { exitCodeOf, failure, finalWarnings, processOutput, runContext, selection, UsageError, type CommonArgs, type Output } from './common.js';
import { engineLines } from './summary-lines.js';

/** Arguments of `tcpreasm analyze`. */
export interface AnalyzeArgs extends CommonArgs {
  sort?: string;
  top?: number;
}

/** `tcpreasm analyze CAPTURE`: the per-connection report. Returns the exit code. */
export async function runAnalyze(args: AnalyzeArgs, io: Output = processOutput): Promise<number> {
  let ctx: ReturnType<typeof runContext> | undefined;
  try {
    // Everything the user typed is checked before the capture is read.
    const select = selection(args);
    const sortBy = args.sort === undefined ? null : asUsage(() => findColumn(CONNECTION_COLUMNS, args.sort!));
    if (args.top !== undefined) asUsage(() => topRows([], args.top));
    ctx = runContext(args, io);
    const result = await analyzeCapture(args.capture, ctx.options);
    ctx.done();
    let rows: ConnectionRow[] = result.connections;
    if (select !== null) rows = rows.filter(select);
    if (sortBy !== null) rows = sortRows(rows, sortBy);
    rows = topRows(rows, args.top);
    const s = result.summary;
    if (args.format === 'table') io.out(`${renderConnections(rows, s, 'table')}${engineLines(s)}`);
    else io.out(renderConnections(rows, s, args.format));
    finalWarnings(s, io, args.quiet);
    return exitCodeOf(s, args);
  } catch (err) {
    ctx?.done();
    return failure(err, io);
  }
}

function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SelectionError) throw new UsageError(e.message);
    throw e;
  }
}
