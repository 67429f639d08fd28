import { ExitCode } from '../exit-codes.js';
import { BatchedOutput } from './batched-output.js';
import { httpCapture } from '../../lib/pipeline/http.js';
import { httpReport } from '../../lib/pipeline/http-report.js';
import { asUsage, terminalWidth, exitCodeOf, failure, finalWarnings, processOutput, runContext, type CommonArgs, type Output } from './common.js';

/** Arguments of `tcpreasm http`. */
export interface HttpArgs extends CommonArgs {
  output?: string;
  force: boolean;
  decode: boolean;
  limit?: number;
}

/** `tcpreasm http CAPTURE [-o DIR]`: one row an HTTP exchange; with -o the bodies as files. Returns the exit code. */
export async function runHttp(args: HttpArgs, io: Output = processOutput): Promise<number> {
  let ctx: ReturnType<typeof runContext> | undefined;
  const out = new BatchedOutput(io, undefined, () => ctx?.stop('stdout closed'));
  try {
    const report = asUsage(() => httpReport({ format: args.format, limit: args.limit, width: terminalWidth() }, out.write));
    ctx = runContext(args, io);
    const objects = args.output === undefined ? undefined : { dir: args.output, force: args.force, decode: args.decode };
    const r = await httpCapture(ctx.input, { ...report.options, ...(objects !== undefined ? { objects } : {}) }, ctx.options);
    ctx.done();
    report.end(r);
    out.flush();
    if (io.closed?.() === true) return ExitCode.PIPE_CLOSED;
    for (const e of r.objects?.errors ?? []) io.err(`tcpreasm: error: ${e.message}\n`);
    finalWarnings(r.summary, io, args.quiet);
    const code = exitCodeOf(r.summary, args, ctx);
    return code === ExitCode.OK && (r.objects?.errors.length ?? 0) > 0 ? ExitCode.OUTPUT_FAILED : code;
  } catch (err) {
    ctx?.done();
    out.flush();
    return failure(err, io);
  }
}
