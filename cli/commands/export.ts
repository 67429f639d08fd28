import { exportCapture, type ExportResult } from '../../lib/pipeline/index.js';
import { formatBytes, formatCount, renderSummary, summaryJson } from '../../lib/report/index.js';
import { ExitCode } from '../exit-codes.js';
import { exitCodeOf, failure, finalWarnings, processOutput, runContext, type CommonArgs, type Output } from './common.js';

/** Arguments of `tcpreasm export`. */
export interface ExportArgs extends CommonArgs {
  output: string;
  force: boolean;
  fillGaps: boolean;
  maxOpenFiles: number;
}

/** `tcpreasm export CAPTURE -o DIR`: one file per direction plus manifest.jsonl. Returns the exit code. */
export async function runExport(args: ExportArgs, io: Output = processOutput): Promise<number> {
  let ctx: ReturnType<typeof runContext> | undefined;
  try {
    ctx = runContext(args, io);
    const r = await exportCapture(
      args.capture,
      { dir: args.output, force: args.force, fillGaps: args.fillGaps, maxOpenFiles: args.maxOpenFiles },
      ctx.options,
    );
    ctx.done();
    const s = r.summary;
    if (args.format === 'json') {
      io.out(`${JSON.stringify({ summary: summaryJson(s), export: exportJson(r, args.output) }, null, 2)}\n`);
    } else {
      io.out(`${exportText(r, args.output)}\n\n${renderSummary(s)}\n`);
    }
    for (const e of r.exportErrors) io.err(`tcpreasm: error: ${e.message}\n`);
    if (r.exportErrorCount > r.exportErrors.length) io.err(`tcpreasm: error: ${r.exportErrorCount - r.exportErrors.length} more file errors\n`);
    finalWarnings(s, io, args.quiet);
    if (r.fatalError !== null) {
      io.err(`tcpreasm: export stopped: ${r.fatalError.message}; files listed in the manifest as complete are whole\n`);
      return ExitCode.OUTPUT_FAILED;
    }
    const code = exitCodeOf(s, args);
    if (code === ExitCode.OK && r.exportErrorCount > 0) return ExitCode.OUTPUT_FAILED;
    return code;
  } catch (err) {
    ctx?.done();
    return failure(err, io);
  }
}

function exportJson(r: ExportResult, dir: string): object {
  return {
    dir,
    ...r.export,
    errors: r.exportErrors.map((e) => ({ code: e.code, path: e.path, message: e.message })),
    errorCount: r.exportErrorCount,
    fatalError: r.fatalError === null ? null : r.fatalError.message,
  };
}

function exportText(r: ExportResult, dir: string): string {
  const e = r.export;
  const lines = [
    `Exported ${formatCount(e.connections)} connection${e.connections === 1 ? '' : 's'}: ${formatCount(e.files)} file${e.files === 1 ? '' : 's'}, ${formatBytes(e.bytes)} (${formatCount(e.bytes)} B) in ${dir}`,
    `Manifest: ${dir.replace(/\/+$/, '')}/manifest.jsonl (one row a connection: files, sha256, gaps, conflicts, statistics)`,
  ];
  if (e.unfinished > 0) lines.push(`Unfinished: ${formatCount(e.unfinished)} connection${e.unfinished === 1 ? '' : 's'} cut short (complete: false in the manifest)`);
  if (e.failedFiles > 0) lines.push(`Failed files: ${formatCount(e.failedFiles)}`);
  return lines.join('\n');
}
