/**
 * The export command's report on stdout: what was written where (the manifest is the machine record), then
 * the run summary; or both as one JSON document.
 */
import { counted, formatBytes, formatCount, renderSummary, summaryCsv, summaryJson, type ReportFormat } from '../report/index.js';
import { join } from 'node:path';
import type { ExportResult } from './export.js';

/** The report text of an export into `dir`; CSV is the JSON document's fields as `field,value` lines. */
export function exportReport(r: Omit<ExportResult, 'pass'>, dir: string, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify({ summary: summaryJson(r.summary), export: exportJson(r, dir) }, null, 2)}\n`;
  if (format === 'csv') return summaryCsv({ summary: summaryJson(r.summary), export: exportJson(r, dir) });
  return `${exportText(r, dir)}\n\n${renderSummary(r.summary)}\n`;
}

function exportJson(r: Omit<ExportResult, 'pass'>, dir: string): object {
  return {
    dir,
    ...r.export,
    errors: r.exportErrors.map((e) => ({ code: e.code, path: e.path, message: e.message })),
    errorCount: r.exportErrorCount,
    fatalError: r.fatalError === null ? null : r.fatalError.message,
  };
}

function exportText(r: Omit<ExportResult, 'pass'>, dir: string): string {
  const e = r.export;
  const lines = [
    `Exported ${counted(e.connections, 'connection')}: ${counted(e.files, 'file')}, ${formatBytes(e.bytes)} (${formatCount(e.bytes)} B) in ${dir}`,
    `Manifest: ${join(dir, e.manifest)} (one row a connection: files, sha256, gaps, conflicts, statistics)`,
    `Run record: ${join(dir, e.runRecord)} (inputs with sha256, options, start, end, status)`,
  ];
  if (e.unfinished > 0) lines.push(`Unfinished: ${counted(e.unfinished, 'connection')} cut short (complete: false in the manifest)`);
  if (e.conflictCopies > 0) lines.push(`Conflicts: ${counted(e.conflictCopies, 'losing copy', 'losing copies')} written beside the streams (losingCopy in the manifest)`);
  if (e.failedFiles > 0) lines.push(`Failed files: ${formatCount(e.failedFiles)}`);
  if (e.droppedBytes > 0) {
    lines.push(`Not written: ${formatBytes(e.droppedBytes)} (${formatCount(e.droppedBytes)} B) of stream data; ${counted(e.truncatedFiles, 'file')} cut short (truncated: true)`);
  }
  if (e.rowsLost > 0) lines.push(`Manifest rows lost: ${formatCount(e.rowsLost)} (the disk was too full even for them)`);
  return lines.join('\n');
}
