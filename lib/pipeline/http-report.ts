/**
 * The http report written for a pass: CSV rows go out as exchanges end (bounded memory for any capture); the
 * table and JSON are written from the result, with the problems met and the connections where HTTP stopped.
 */
import { csvLine, fittedTableText, renderSummary, SelectionError, summaryJson, wrapText, type ReportFormat, type TextSink } from '../report/index.js';
import { HTTP_COLUMNS, HTTP_TABLE_COLUMNS, type HttpRow } from '../report/http-columns.js';
import type { HttpOptions, HttpResult } from './http.js';

/** What the http report shows. */
export interface HttpReportOptions {
  format: ReportFormat;
  limit?: number;
  /** Table: the terminal's width. */
  width?: number;
}

/** The report of one pass: its `options` go to httpCapture, `end` writes what waits for the result. */
export interface HttpReport {
  readonly options: HttpOptions;
  end(result: HttpResult): void;
}

const rowJson = (r: HttpRow): Record<string, unknown> => Object.fromEntries(HTTP_COLUMNS.map((c) => [c.key, c.key === 'complete' ? r.complete : c.value(r)]));

/** The report writer for these options, writing to `out`. Throws SelectionError for a bad `limit`. */
export function httpReport(o: HttpReportOptions, out: TextSink): HttpReport {
  const limit = o.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new SelectionError(`--limit wants a whole number of rows, not ${limit}`);
  if (o.format === 'csv') {
    let n = 0;
    let started = false;
    const start = (): void => {
      if (!started) out(csvLine(HTTP_COLUMNS.map((c) => c.key)));
      started = true;
    };
    return {
      options: {
        limit: 0,
        onExchange: (row) => {
          start();
          if (limit === undefined || n < limit) {
            n++;
            out(csvLine(HTTP_COLUMNS.map((c) => c.value(row))));
          }
        },
      },
      end: start,
    };
  }
  const format = o.format;
  return { options: { limit }, end: (r) => out(format === 'json' ? httpJson(r) : httpTable(r, o.width ?? 80)) };
}

function totals(r: HttpResult) {
  return { exchanges: r.exchanges, httpConnections: r.httpConnections, problems: r.problemCount, objects: r.objects?.written ?? null };
}

function httpJson(r: HttpResult): string {
  const doc = {
    summary: { ...summaryJson(r.summary), http: { ...totals(r), exchangesListed: r.rows.length, exchangesOmitted: r.rowsOmitted } },
    exchanges: r.rows.map(rowJson),
    problems: r.problems,
    stopped: r.stopped,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function httpTable(r: HttpResult, width: number): string {
  const columns = HTTP_TABLE_COLUMNS.map((k) => HTTP_COLUMNS.find((c) => c.key === k)!);
  const head = `${r.exchanges} HTTP exchange${r.exchanges === 1 ? '' : 's'} in ${r.httpConnections} connection${r.httpConnections === 1 ? '' : 's'}` +
    (r.problemCount > 0 ? `; ${r.problemCount} problem${r.problemCount === 1 ? '' : 's'} (below)` : '') + '.';
  const table = r.rows.length === 0 ? 'No HTTP exchanges.' : fittedTableText(r.rows, columns, { width, priority: HTTP_TABLE_COLUMNS, always: 4, shrink: 'uri' }, '--format json or csv has every field');
  const more = r.rowsOmitted > 0 ? `\n(${r.rowsOmitted} more exchanges not listed: raise --limit, or use --format csv)` : '';
  const problems = r.problems.length === 0 ? '' : `\nProblems (connection, direction, stream position):\n${r.problems.slice(0, 20).map((p) => `  conn ${p.connectionId} ${p.dir} at ${p.position}: ${p.what}`).join('\n')}${r.problemCount > 20 ? `\n  (${r.problemCount - 20} more: --format json lists 100)` : ''}\n`;
  const stopped = r.stopped.length === 0 ? '' : `\nHTTP ended early:\n${r.stopped.slice(0, 20).map((s) => `  conn ${s.connectionId}: ${s.why}`).join('\n')}\n`;
  const objects = r.objects === null ? '' : `\nObjects: ${r.objects.written} written to ${r.objects.dir} (objects.jsonl lists each with its sha256, stream range and holes)\n`;
  // Prose folds at the width, as the tables fit it.
  const fold = (t: string): string => wrapText(t, width);
  return `${fold(head)}\n\n${table}${fold(more)}\n${fold(problems)}${fold(stopped)}${fold(objects)}\n${renderSummary(r.summary)}\n`;
}
