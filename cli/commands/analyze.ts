import { analyzeReport, streamAnalyze } from '../../lib/pipeline/index.js';
import { BatchedOutput } from './batched-output.js';
import { asUsage, exitCodeOf, failure, finalWarnings, processOutput, runContext, type CommonArgs, type Output } from './common.js';

/** Arguments of `tcpreasm analyze`. */
export interface AnalyzeArgs extends CommonArgs {
  sort?: string;
  top?: number;
}

/** `tcpreasm analyze CAPTURE`: the per-connection report. Returns the exit code. */
export async function runAnalyze(args: AnalyzeArgs, io: Output = processOutput): Promise<number> {
  let ctx: ReturnType<typeof runContext> | undefined;
  const out = new BatchedOutput(io);
  try {
    // Everything the user typed is checked before the capture is read.
    const report = asUsage(() => analyzeReport({ format: args.format, sort: args.sort, top: args.top }, out.write));
    ctx = runContext(args, io);
    const result = await streamAnalyze(ctx.input, (r) => report.row(r), ctx.options);
    ctx.done();
    report.end(result.summary, result.lateRows);
    out.flush();
    finalWarnings(result.summary, io, args.quiet);
    return exitCodeOf(result.summary, args, ctx);
  } catch (err) {
    ctx?.done();
    out.flush();
    return failure(err, io);
  }
}
