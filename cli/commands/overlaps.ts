import { ExitCode } from '../exit-codes.js';
import { BatchedOutput } from './batched-output.js';
import { overlapsCapture, overlapsReport, type OverlapsKind } from '../../lib/pipeline/index.js';
import { asUsage, terminalWidth, exitCodeOf, failure, finalWarnings, processOutput, runContext, type CommonArgs, type Output } from './common.js';

/** Arguments of `tcpreasm overlaps`. */
export interface OverlapsArgs extends CommonArgs {
  kind?: OverlapsKind[];
  limit?: number;
  absolute?: boolean;
  summary?: boolean;
}

/** `tcpreasm overlaps CAPTURE`: one row an overlap event, conflicts and suspicious RSTs first. Returns the exit code. */
export async function runOverlaps(args: OverlapsArgs, io: Output = processOutput): Promise<number> {
  let ctx: ReturnType<typeof runContext> | undefined;
  const out = new BatchedOutput(io, undefined, () => ctx?.stop('stdout closed'));
  try {
    const report = asUsage(() => overlapsReport({ format: args.format, kinds: args.kind, limit: args.limit, absolute: args.absolute, summaryOnly: args.summary, width: terminalWidth() }, out.write));
    ctx = runContext(args, io);
    const r = await overlapsCapture(ctx.input, report.options, ctx.options);
    ctx.done();
    report.end(r);
    out.flush();
    if (io.closed?.() === true) return ExitCode.PIPE_CLOSED;
    finalWarnings(r.summary, io, args.quiet);
    return exitCodeOf(r.summary, args, ctx);
  } catch (err) {
    ctx?.done();
    out.flush();
    return failure(err, io);
  }
}
