import { analyzeReport, streamAnalyze, type AnalyzeStreamResult, type PassOptions } from '../../lib/pipeline/index.js';
import { notRereadable, shardSettings, streamAnalyzeInWorkers, type ShardSelection } from '../../lib/parallel/index.js';
import { ExitCode } from '../exit-codes.js';
import { CLI_ENTRY } from '../entry.js';
import { BatchedOutput } from './batched-output.js';
import { asUsage, UsageError, terminalWidth, exitCodeOf, failure, finalWarnings, processOutput, runContext, type CommonArgs, type Output } from './common.js';

/** Arguments of `tcpreasm analyze`. */
export interface AnalyzeArgs extends CommonArgs {
  sort?: string;
  asc?: boolean;
  desc?: boolean;
  top?: number;
  columns?: string;
  wide?: boolean;
  summary?: boolean;
  workers?: number;
}

/** `tcpreasm analyze CAPTURE`: the per-connection report. Returns the exit code. */
export async function runAnalyze(args: AnalyzeArgs, io: Output = processOutput): Promise<number> {
  let ctx: ReturnType<typeof runContext> | undefined;
  const out = new BatchedOutput(io, undefined, () => ctx?.stop('stdout closed'));
  try {
    // Everything the user typed is checked before the capture is read.
    const report = asUsage(() => analyzeReport(
        {
          format: args.format,
          sort: args.sort,
          order: args.asc === true ? 'asc' : args.desc === true ? 'desc' : undefined,
          top: args.top,
          columns: args.columns?.split(',').map((c) => c.trim()).filter((c) => c !== ''),
          wide: args.wide,
          width: terminalWidth(),
          summaryOnly: args.summary,
        },
        out.write,
      ));
    const workers = args.workers ?? 1;
    if (workers > 1 && args.id !== undefined && args.id.length > 0) throw new UsageError('--id cannot be used with --workers: a worker does not know the ids of the connections of the others');
    ctx = runContext(args, io);
    const unfit = workers > 1 ? notRereadable(typeof ctx.input === 'string' ? [ctx.input] : (ctx.input as string[])) : null;
    if (unfit !== null) throw new UsageError(`--workers ${unfit}`);
    const result: Pick<AnalyzeStreamResult, 'summary' | 'lateRows'> =
      workers > 1
        ? await streamAnalyzeInWorkers(ctx.input as string | string[], (r) => report.row(r), inWorkers(ctx.options, args, workers, io))
        : await streamAnalyze(ctx.input, (r) => report.row(r), ctx.options);
    ctx.done();
    report.end(result.summary, result.lateRows);
    out.flush();
    if (io.closed?.() === true) return ExitCode.PIPE_CLOSED;
    finalWarnings(result.summary, io, args.quiet);
    return exitCodeOf(result.summary, args, ctx);
  } catch (err) {
    ctx?.done();
    out.flush();
    return failure(err, io);
  }
}

/** The CLI's pass options for a run in workers: the plain settings, the selection as text for each to compile. */
function inWorkers(o: PassOptions, args: AnalyzeArgs, workers: number, io: Output): Parameters<typeof streamAnalyzeInWorkers>[2] {
  const selection: ShardSelection = { hosts: args.host, ports: args.port, expression: args.filter };
  return {
    ...shardSettings(o),
    workers,
    selection,
    onDiagnostic: o.onDiagnostic,
    onSkipped: o.onSkipped,
    onProgress: o.onProgress,
    signal: o.signal,
    drain: io.drain,
    workerScript: CLI_ENTRY,
  };
}
