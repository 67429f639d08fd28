import { analyzeReport, streamAnalyze, type AnalyzeStreamResult } from '../../lib/pipeline/index.js';
import { streamAnalyzeInWorkers } from '../../lib/parallel/index.js';
import { ExitCode } from '../exit-codes.js';
import { BatchedOutput } from './batched-output.js';
import { checkWorkers, workerOptions } from './workers.js';
import { asUsage, terminalWidth, exitCodeOf, failure, finalWarnings, processOutput, runContext, type CommonArgs, type Output } from './common.js';

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
    checkWorkers(workers, args);
    ctx = runContext(args, io);
    checkWorkers(workers, args, ctx.input);
    const result: Pick<AnalyzeStreamResult, 'summary' | 'lateRows'> =
      workers > 1
        ? await streamAnalyzeInWorkers(ctx.input as string | string[], (r) => report.row(r), workerOptions(ctx.options, args, workers))
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
