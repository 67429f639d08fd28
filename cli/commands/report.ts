import { renderReportHtml } from '../../lib/graph/html.js';
import { writeFileWhole } from '../../lib/graph/write-file.js';
import { reportCapture } from '../../lib/pipeline/report.js';
import { formatBytes, formatCount } from '../../lib/report/format.js';
import { ExitCode } from '../exit-codes.js';
import { exitCodeOf, failure, finalWarnings, processOutput, runContext, type CommonArgs, type Output } from './common.js';

/** Arguments of `tcpreasm report`. */
export interface ReportArgs extends CommonArgs {
  output: string;
  force: boolean;
  top: number;
  /** Connections drawn in detail whatever their rank (not a selection, unlike the other commands' --id). */
  detail?: number[];
  maxSegments: number;
}

/** `tcpreasm report CAPTURE... -o report.html`: the capture and its connections in one HTML page. Returns the exit code. */
export async function runReport(args: ReportArgs, io: Output = processOutput): Promise<number> {
  let ctx: ReturnType<typeof runContext> | undefined;
  try {
    ctx = runContext(args, io);
    const r = await reportCapture(ctx.input, { top: args.top, ids: args.detail, maxSegments: args.maxSegments }, ctx.options);
    ctx.done();
    const html = renderReportHtml(r.data);
    const size = Buffer.byteLength(html);
    if (args.output === '-') io.out(html);
    else writeFileWhole(args.output, html, args.force);
    const d = r.data;
    if (d.missingIds.length > 0) io.err(`tcpreasm: warning: --id ${d.missingIds.join(', ')}: no such connection\n`);
    if (args.output !== '-') {
      const result = {
        output: args.output,
        bytes: size,
        connections: d.timeline.total,
        timelineConnections: d.timeline.id.length,
        timelineSampled: d.timeline.sampled,
        detailed: d.connections.map((c) => c.id),
        thinned: d.connections.filter((c) => c.segments.t.length < c.segmentsTotal).map((c) => c.id),
      };
      if (args.format === 'json') io.out(`${JSON.stringify({ report: result, summary: d.summary }, null, 2)}\n`);
      else if (args.format === 'csv') io.out(`output,bytes,connections,detailed\n${JSON.stringify(args.output)},${size},${result.connections},${result.detailed.length}\n`);
      else {
        const sampled = d.timeline.sampled ? ` (timeline: a sample of ${formatCount(d.timeline.id.length)})` : '';
        io.out(`${args.output}: ${formatBytes(size)}, ${formatCount(result.connections)} connections${sampled}, ${result.detailed.length} drawn in detail${result.thinned.length > 0 ? ` (${result.thinned.length} thinned)` : ''}\n`);
      }
    }
    if (io.closed?.() === true) return ExitCode.PIPE_CLOSED;
    finalWarnings(r.summary, io, args.quiet);
    return exitCodeOf(r.summary, args, ctx);
  } catch (err) {
    ctx?.done();
    return failure(err, io);
  }
}
