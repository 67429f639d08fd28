import type { ExportOptions } from '../../lib/export/index.js';
import { exportInWorkers } from '../../lib/parallel/index.js';
import { exportCapture, exportReport } from '../../lib/pipeline/index.js';
import { ExitCode } from '../exit-codes.js';
import { parseSize } from '../size.js';
import { exitCodeOf, failure, finalWarnings, processOutput, runContext, UsageError, type CommonArgs, type Output } from './common.js';
import { checkWorkers, workerOptions } from './workers.js';

/** Arguments of `tcpreasm export`. */
export interface ExportArgs extends CommonArgs {
  output: string;
  force: boolean;
  keepConflicts: boolean;
  fillGaps: boolean;
  maxOpenFiles: number;
  maxFill: string;
  maxFillStream: string;
  maxFillTotal?: string;
  workers?: number;
}

/** The selection as the command line gave it (the run record also has it resolved). */
function selectionAsTyped(a: ExportArgs): object {
  return { filter: a.filter ?? null, since: a.since ?? null, until: a.until ?? null, host: a.host ?? [], port: a.port ?? [], id: a.id ?? [] };
}

/** `tcpreasm export CAPTURE -o DIR`: one file per direction plus manifest.jsonl. Returns the exit code. */
export async function runExport(args: ExportArgs, io: Output = processOutput, argv: readonly string[] | null = null): Promise<number> {
  let ctx: ReturnType<typeof runContext> | undefined;
  try {
    const workers = args.workers ?? 1;
    checkWorkers(workers, args);
    if (workers > 1 && args.keepConflicts) throw new UsageError('--keep-conflicts cannot be used with --workers: a losing copy is named by its connection id, which a worker does not know');
    ctx = runContext(args, io);
    checkWorkers(workers, args, ctx.input);
    const output: ExportOptions = {
      dir: args.output,
      force: args.force,
      keepConflicts: args.keepConflicts,
      fillGaps: args.fillGaps,
      maxOpenFiles: args.maxOpenFiles,
      fill: {
        maxFillBytes: parseSize(args.maxFill),
        maxFillPerStream: parseSize(args.maxFillStream),
        maxFillTotal: args.maxFillTotal === undefined ? undefined : parseSize(args.maxFillTotal),
      },
      run: { tool: 'tcpreasm', argv, options: { selection: selectionAsTyped(args) } },
    };
    const o = ctx.options;
    const r =
      workers > 1
        ? await exportInWorkers(ctx.input as string | string[], output, workerOptions(o, args, workers))
        : await exportCapture(ctx.input, output, o);
    ctx.done();
    const s = r.summary;
    io.out(exportReport(r, args.output, args.format));
    for (const e of r.exportErrors) io.err(`tcpreasm: error: ${e.message}\n`);
    if (r.exportErrorCount > r.exportErrors.length) io.err(`tcpreasm: error: ${r.exportErrorCount - r.exportErrors.length} more file errors\n`);
    const e = r.export;
    if (e.unfilledHoles > 0 && !args.quiet) {
      const option = { hole: '--max-fill', stream: '--max-fill-stream', run: '--max-fill-total' }[e.firstFillRefusal ?? 'run'];
      io.err(
        `tcpreasm: warning: --fill-gaps left ${e.unfilledHoles} hole${e.unfilledHoles === 1 ? '' : 's'} (${e.unfilledBytes} B) unfilled, ` +
          `past the bounds on zeros (first: ${option}); the manifest lists each with filled: false and unfilledBy\n`,
      );
    }
    finalWarnings(s, io, args.quiet);
    if (r.fatalError !== null) {
      io.err(`tcpreasm: export stopped: ${r.fatalError.message}; files listed in the manifest as complete are whole\n`);
      return ExitCode.OUTPUT_FAILED;
    }
    const code = exitCodeOf(s, args, ctx);
    if (code === ExitCode.OK && r.exportErrorCount > 0) return ExitCode.OUTPUT_FAILED;
    return code;
  } catch (err) {
    ctx?.done();
    return failure(err, io);
  }
}
