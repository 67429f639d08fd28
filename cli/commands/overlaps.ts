import { overlapsCapture, type OverlapsKind, type OverlapsOptions } from '../../lib/pipeline/index.js';
import {
  OVERLAP_COLUMNS,
  OVERLAP_TOTAL_COLUMNS,
  overlapCsvHeader,
  overlapCsvLine,
  overlapEventJson,
  overlapHeadline,
  renderSummary,
  tableText,
  summaryJson,
  sumOverlapTotals,
  type OverlapTotals,
} from '../../lib/report/index.js';
import { exitCodeOf, failure, finalWarnings, processOutput, runContext, UsageError, type CommonArgs, type Output } from './common.js';

/** Arguments of `tcpreasm overlaps`. */
export interface OverlapsArgs extends CommonArgs {
  kind?: OverlapsKind[];
  limit?: number;
}

/** `tcpreasm overlaps CAPTURE`: one row an overlap event, conflicts and suspicious RSTs first. Returns the exit code. */
export async function runOverlaps(args: OverlapsArgs, io: Output = processOutput): Promise<number> {
  let ctx: ReturnType<typeof runContext> | undefined;
  try {
    if (args.limit !== undefined && (!Number.isInteger(args.limit) || args.limit < 0)) {
      throw new UsageError(`--limit wants a whole number of rows, not ${args.limit}`);
    }
    ctx = runContext(args, io);
    const csv = args.format === 'csv';
    let streamed = 0;
    if (csv) io.out(overlapCsvHeader());
    const o: OverlapsOptions = {
      kinds: args.kind,
      limit: args.limit,
      // CSV rows go out as events happen (capture order; suspicious RSTs when their connection ends), so a huge
      // report needs no memory.
      onEvent: csv
        ? (e) => {
            if (args.limit === undefined || streamed < args.limit) {
              streamed++;
              io.out(overlapCsvLine(e));
            }
          }
        : undefined,
    };
    const r = await overlapsCapture(args.capture, csv ? { ...o, limit: 0 } : o, ctx.options);
    ctx.done();
    const s = r.summary;
    const totals = totalsOf(r.byConnection);
    if (args.format === 'json') {
      io.out(
        `${JSON.stringify(
          {
            summary: { ...summaryJson(s), overlaps: { ...totals, eventsListed: r.events.length, eventsOmitted: r.eventsOmitted } },
            connections: r.byConnection,
            events: r.events.map(overlapEventJson),
          },
          null,
          2,
        )}\n`,
      );
    } else if (args.format === 'table') {
      const more = r.eventsOmitted > 0 ? `\n(${r.eventsOmitted} more events not listed: raise --limit, or use --format csv)` : '';
      io.out(
        `${overlapHeadline(r.byConnection)}\n\n` +
          `${r.events.length > 0 ? tableText(r.events, OVERLAP_COLUMNS) : 'No overlap events.'}${more}\n\n` +
          `By connection:\n${r.byConnection.length > 0 ? tableText(r.byConnection, OVERLAP_TOTAL_COLUMNS) : '(none)'}\n\n` +
          `${renderSummary(s)}\n`,
      );
    }
    finalWarnings(s, io, args.quiet);
    return exitCodeOf(s, args);
  } catch (err) {
    ctx?.done();
    return failure(err, io);
  }
}

/** Sums of the per-connection totals, and the number of events they make. */
function totalsOf(t: readonly OverlapTotals[]) {
  const sums = sumOverlapTotals(t);
  const events = sums.conflicts + sums.suspiciousRsts + sums.retransmissions + sums.partialOverlaps + sums.outOfOrder;
  return { events, ...sums };
}
