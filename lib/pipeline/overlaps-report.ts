/**
 * The overlaps report written for a pass: CSV rows go out as events happen (capture order; suspicious RSTs
 * when their connection ends), so a huge report needs no memory; the table and JSON are written from the
 * result once the capture is read.
 */
import {
  counted,
  wrapText,
  OVERLAP_TOTAL_COLUMNS,
  overlapCsvHeader,
  overlapCsvLine,
  overlapEventJson,
  overlapHeadline,
  overlapTableColumns,
  summaryCsv,
  renderSummary,
  SelectionError,
  summaryJson,
  sumOverlapTotals,
  fittedTableText,
  type OverlapRow,
  type OverlapTotals,
  type ReportFormat,
  type TextSink,
} from '../report/index.js';
import type { OverlapsKind, OverlapsOptions, OverlapsResult } from './overlaps.js';
import { conflictBytesText } from '../report/conflict-bytes.js';

/** What the overlaps report shows. */
export interface OverlapsReportOptions {
  format: ReportFormat;
  /** Only these kinds of event. */
  kinds?: readonly OverlapsKind[];
  /** At most this many event rows (the totals still count all). */
  limit?: number;
  /** Table: absolute sequence numbers instead of relative to the ISN (JSON and CSV carry both). */
  absolute?: boolean;
  /** Only the summary (with the overlap totals): no events, no totals by connection. */
  summaryOnly?: boolean;
  /** Table: the terminal's width; the detail cells are cut to fit it (the full text is in JSON and CSV). */
  width?: number;
}

/** The report of one pass: its `options` go to overlapsCapture, `end` writes what waits for the result. */
export interface OverlapsReport {
  readonly options: OverlapsOptions;
  end(result: OverlapsResult): void;
}

/** The report writer for these options, writing to `out`. Throws SelectionError for a bad `limit`. */
export function overlapsReport(o: OverlapsReportOptions, out: TextSink): OverlapsReport {
  const limit = o.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new SelectionError(`--limit wants a whole number of rows, not ${limit}`);
  if (o.summaryOnly === true) {
    const format = o.format;
    return { options: { kinds: o.kinds, limit: 0 }, end: (r) => out(overlapsSummary(r, format)) };
  }
  if (o.format === 'csv') {
    let streamed = 0;
    let started = false;
    const start = (): void => {
      if (!started) out(overlapCsvHeader());
      started = true;
    };
    return {
      options: {
        kinds: o.kinds,
        limit: 0,
        onEvent: (e) => {
          start();
          if (limit === undefined || streamed < limit) {
            streamed++;
            out(overlapCsvLine(e));
          }
        },
      },
      end: start,
    };
  }
  const format = o.format;
  return { options: { kinds: o.kinds, limit }, end: (r) => out(format === 'json' ? overlapsJson(r) : overlapsTable(r, o.absolute === true, o.width ?? 80)) };
}

/** `--summary`: the summary with the overlap totals, in the chosen format. */
function overlapsSummary(r: OverlapsResult, format: ReportFormat): string {
  const summary = { ...summaryJson(r.summary), overlaps: totalsOf(r.byConnection) };
  if (format === 'json') return `${JSON.stringify({ summary }, null, 2)}\n`;
  if (format === 'csv') return summaryCsv(summary);
  return `${overlapHeadline(r.byConnection)}\n\n${renderSummary(r.summary)}\n`;
}

/** `{ summary (with the overlap totals), connections (totals by connection), events }`. */
function overlapsJson(r: OverlapsResult): string {
  const overlaps = { ...totalsOf(r.byConnection), eventsListed: r.events.length, eventsOmitted: r.eventsOmitted };
  const doc = { summary: { ...summaryJson(r.summary), overlaps }, connections: r.byConnection, events: r.events.map(overlapEventJson) };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** The headline, the events table, the totals by connection, the summary. */
function overlapsTable(r: OverlapsResult, absolute: boolean, width: number): string {
  const more = r.eventsOmitted > 0 ? `\n(${r.eventsOmitted} more events not listed: raise --limit, or use --format csv)` : '';
  return (
    `${wrapText(overlapHeadline(r.byConnection), width)}\n\n` +
    `${r.events.length > 0 ? eventsTable(r.events, absolute, width) : 'No overlap events.'}${more}\n\n` +
    conflictDumps(r.events, absolute, width) +
    `By connection:\n${r.byConnection.length > 0 ? totalsTable(r.byConnection, width) : '(none)'}\n\n` +
    `${renderSummary(r.summary)}\n`
  );
}

/** The totals columns in the order they stay when the width runs out: counts before their bytes. */
const TOTALS_PRIORITY = ['connectionId', 'conflicts', 'retransmissions', 'outOfOrder', 'partialOverlaps', 'suspiciousRsts', 'conflictBytes', 'retransmittedBytes', 'outOfOrderBytes', 'partialOverlapBytes'];

/** The totals by connection, fitted to the width; the columns left out are named under it (JSON has them all). */
function totalsTable(t: readonly OverlapTotals[], width: number): string {
  return fittedTableText(t, OVERLAP_TOTAL_COLUMNS, { width, priority: TOTALS_PRIORITY, always: 2 }, 'see --format json');
}

/** Conflicts whose bytes the table shows; the rest are in JSON and CSV, which carry every sample. */
const MAX_DUMPS = 20;

/** The bytes of both copies of each listed conflict (conflicts are listed first), or nothing. */
function conflictDumps(events: readonly OverlapRow[], absolute: boolean, width: number): string {
  const withBytes = events.filter((e) => e.conflict !== undefined);
  if (withBytes.length === 0) return '';
  const shown = withBytes.slice(0, MAX_DUMPS).map((e) => conflictBytesText(e, e.conflict!, absolute));
  const rest = withBytes.length - shown.length;
  const tail = rest > 0 ? `\n(${counted(rest, 'more conflict')} not shown here: --format json or csv carries every sample)` : '';
  const head = wrapText('Conflicting bytes (up to 64 of each copy, from 16 before the first difference; ^ marks a difference):', width);
  return `${head}\n\n${shown.join('\n\n')}${wrapText(tail, width)}\n\n`;
}

/** The events table, its detail cells cut to the width. */
function eventsTable(events: readonly OverlapRow[], absolute: boolean, width: number): string {
  const columns = overlapTableColumns(absolute);
  // What stays when the width runs out: when, where and what first; the detail (cut to fit) last.
  const [start, end] = absolute ? ['seqStart', 'seqEnd'] : ['relativeSeqStart', 'relativeSeqEnd'];
  const priority = ['time', 'connectionId', 'direction', 'kind', start!, 'bytes', 'detail', end!];
  return fittedTableText(events, columns, { width, priority, always: 4, shrink: 'detail' }, '--format json or csv has every field');
}

/** Sums of the per-connection totals, and the number of events they make. */
function totalsOf(t: readonly OverlapTotals[]) {
  const sums = sumOverlapTotals(t);
  const events = sums.conflicts + sums.suspiciousRsts + sums.retransmissions + sums.partialOverlaps + sums.outOfOrder;
  return { events, ...sums };
}
