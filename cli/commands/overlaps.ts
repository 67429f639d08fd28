import { overlapsCapture, overlapsReport, type OverlapsKind } from '../../lib/pipeline/index.js';
import { asUsage, exitCodeOf, failure, finalWarnings, processOutput, runContext, type CommonArgs, type Output } from './common.js';

/** Arguments of `tcpreasm overlaps`. */
export interface OverlapsArgs extends CommonArgs {
  kind?: OverlapsKind[];
  limit?: number;
}

/** `tcpreasm overlaps CAPTURE`: one row an overlap event, conflicts and suspicious RSTs first. Returns the exit code. */
export async function runOverlaps(args: OverlapsArgs, io: Output = processOutput): Promise<number> {
  let ctx: ReturnType<typeof runContext> | undefined;
  try {
    const report = asUsage(() => overlapsReport({ format: args.format, kinds: args.kind, limit: args.limit }, io.out));
    ctx = runContext(args, io);
    const r = await overlapsCapture(ctx.input, report.options, ctx.options);
    ctx.done();
    report.end(r);
    finalWarnings(r.summary, io, args.quiet);
    return exitCodeOf(r.summary, args, ctx);
  } catch (err) {
    ctx?.done();
    return failure(err, io);
  }
}
