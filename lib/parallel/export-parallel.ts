/**
 * export on several threads: connections shared out by 4-tuple hash as for analyze (lib/parallel/shards.ts),
 * each worker writing its connections' stream files into the one folder (a 4-tuple is always in one shard, so
 * the files and their tcpflow names are the single run's), this thread writing the one manifest and run
 * record. Rows get the ids of a single run (ShardIdGiver) and are written as soon as their ids are known: in
 * the order connections end, per shard, as a single run writes them.
 */
import { existsSync, unlinkSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExportError, prepareOutputFolder, realFs, RESERVE_FILE, type ExportOptions, type ExportSummary } from '../export/index.js';
import { FATAL_CODES, fsError } from '../export/errors.js';
import { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_OPEN_FILES, MAX_KEPT_ERRORS } from '../export/exporter.js';
import { RUN_FILL_BASE } from '../export/fill-budget.js';
import { RunFiles } from '../export/run-files.js';
import { removeIfOnlyRunFiles, type ExportResult } from '../pipeline/export.js';
import type { PassOptions } from '../pipeline/options.js';
import { effectiveOptions } from '../pipeline/run-options.js';
import { packageVersion } from '../version.js';
import { ShardIdGiver } from './id-merge.js';
import type { ShardExportError, ShardExportOptions, ShardPassSettings, ShardSelection } from './protocol.js';
import { mergeShardSummaries } from './shard-summary.js';
import { notRereadable, runShards, shareLimits, type ShardStop } from './shards.js';

/** Options of {@link exportInWorkers}. */
export interface WorkersExportOptions extends ShardPassSettings {
  /** Worker threads, at least 2 (each one shard). */
  workers: number;
  /** Which connections are exported (a filter expression, hosts, ports): compiled in each worker. */
  selection?: ShardSelection;
  onDiagnostic?: PassOptions['onDiagnostic'];
  onSkipped?: PassOptions['onSkipped'];
  onProgress?: PassOptions['onProgress'];
  signal?: AbortSignal;
  /** The script a worker runs; default lib/parallel/worker.js beside this module. */
  workerScript?: URL;
}

/** What {@link exportInWorkers} resolves with: exportCapture's result without the one pass's internals. */
export type WorkersExportResult = Omit<ExportResult, 'pass'>;

/**
 * Like exportCapture, on `options.workers` threads: the same files with the same bytes and names, and a
 * manifest with the same rows (ids included) in the order connections ended. Input must be files, not standard
 * input. The bounds over all connections (connection table, pages, open files, buffer memory, the run's fill
 * zeros) are shared out evenly between the workers. `keepConflicts` and an injected `fs` are refused: a
 * losing copy's name holds the connection id, which a worker does not know, and an fs cannot cross threads.
 * Throws ExportError for an unusable folder, rejects with CaptureError for unreadable input.
 */
export async function exportInWorkers(input: string | readonly string[], output: ExportOptions, options: WorkersExportOptions): Promise<WorkersExportResult> {
  const started = process.hrtime.bigint();
  const count = options.workers;
  if (!Number.isInteger(count) || count < 2) throw new RangeError(`workers: at least 2, not ${count}`);
  if (output.keepConflicts === true) throw new RangeError('workers: keepConflicts names files by connection id, which a worker does not know');
  if (output.fs !== undefined) throw new RangeError('workers: an injected fs cannot be used from worker threads');
  const files = typeof input === 'string' ? [input] : [...input];
  const unfit = notRereadable(files);
  if (unfit !== null) throw new RangeError(`workers: ${unfit}`);

  const dir = resolve(output.dir);
  const created = !existsSync(dir);
  prepareOutputFolder(realFs, dir, output.force ?? false);
  const selected = options.selection !== undefined && Object.values(options.selection).some((v) => v !== undefined && (!Array.isArray(v) || v.length > 0));
  const recorded: PassOptions = { ...options, fromFolder: undefined, select: selected ? () => true : undefined };
  const runFiles = new RunFiles(realFs, dir, { version: packageVersion(), ...output.run, options: { ...effectiveOptions(recorded, output, output.run?.options), workers: count } });

  const errors: ExportError[] = [];
  let errorCount = 0;
  let fatal: ExportError | null = null;
  let stopper: ShardStop | null = null;
  const stopWriting = (e: ExportError): void => {
    if (fatal !== null) return;
    // Every shard stops writing; the main thread's reserve goes to the manifest.
    fatal = e;
    runFiles.space.release();
    stopper?.stop();
  };
  const record = (e: ExportError): void => {
    errorCount++;
    if (errors.length < MAX_KEPT_ERRORS) errors.push(e);
    if (FATAL_CODES.has(e.code)) stopWriting(e);
  };
  if (runFiles.openError !== null) record(runFiles.openError);
  const ids = new ShardIdGiver<string | null>(count, (id, json) => {
    if (json === null) return;
    // The shard's row with the run's id: `{"id":N,` is how JSON.stringify starts every row.
    const err = runFiles.appendJson(`{"id":${id}${json.slice(json.indexOf(','))}`);
    if (err !== null) record(err);
  });
  const reserveNames = Array.from({ length: count }, (_, w) => `${RESERVE_FILE}-${w + 1}`);
  const shardOutput = shareExport(output, dir, count);

  let ends;
  try {
    ends = await runShards(
      {
        input: typeof input === 'string' ? input : files,
        count,
        script: options.workerScript ?? new URL('./worker.js', import.meta.url),
        settings: shareLimits(options, count),
        selection: options.selection ?? {},
        extra: (w) => ({ export: { options: shardOutput, reserveName: reserveNames[w]!, shares: count } }),
        onDiagnostic: options.onDiagnostic,
        onSkipped: options.onSkipped,
        signal: options.signal,
        onBatch: (w, m) => {
          // A shard's fatal error stops the others at once (the shard lists it with its errors at its end);
          // the rows of this batch still go in: their files are whole.
          if (m.fatal !== undefined) stopWriting(rebuild(m.fatal));
          // Files are closed: their capture times first, then their rows (as a single run does).
          const times = m.times!;
          m.timedPaths!.forEach((path, i) => {
            try {
              utimesSync(path, times[i]!, times[i]!);
            } catch (err) {
              record(fsError(err, 'set the modification time of', path));
            }
          });
          ids.named(w, m.created, m.through);
          const rowIds = m.rowIds!;
          const rowJson = m.rowJson!;
          for (let i = 0; i < rowJson.length; i++) ids.claim(w, rowIds[i]!, rowJson[i]!);
          for (let i = 0; i < m.unselected.length; i++) ids.claim(w, m.unselected[i]!, null);
          if (w === 0) options.onProgress?.(m.bytesRead, m.records, ids.given);
        },
      },
      (s) => (stopper = s),
    );
  } catch (e) {
    // Unreadable input: the manifest says so; a folder this run made and left with nothing in it goes away.
    for (const name of reserveNames) removeQuietly(join(dir, name));
    const end = { status: 'failed' as const, reason: e instanceof Error ? e.message : String(e), files: 0, bytes: 0, failedFiles: 0, truncatedFiles: 0, droppedBytes: 0, closedAt: new Date().toISOString() };
    runFiles.close(end, []);
    if (created && runFiles.rows === 0) removeIfOnlyRunFiles(dir, [runFiles.manifestName, runFiles.runRecordName]);
    throw e;
  }
  const shardErrors = ends.map((e) => e.exported!);
  for (const s of shardErrors) {
    for (const err of s.errors) if (errors.length < MAX_KEPT_ERRORS) errors.push(rebuild(err));
    errorCount += s.errorCount;
    if (fatal === null && s.fatal !== null) fatal = rebuild(s.fatal);
  }
  const summaries = shardErrors.map((s) => s.summary);
  const totals = addExportSummaries(summaries);
  const summary = mergeShardSummaries(
    ends.map((e) => e.summary),
    Number(process.hrtime.bigint() - started),
  );
  const reason = options.signal?.reason;
  const interrupted = summary.interrupted ? (typeof reason === 'string' ? reason : 'interrupted') : null;
  const fatalNow = fatal as ExportError | null;
  const end = {
    status: fatalNow !== null ? ('stopped' as const) : interrupted !== null ? ('interrupted' as const) : ('complete' as const),
    reason: fatalNow?.message ?? interrupted,
    files: totals.files,
    bytes: totals.bytes,
    failedFiles: totals.failedFiles,
    truncatedFiles: totals.truncatedFiles,
    droppedBytes: totals.droppedBytes,
    closedAt: new Date().toISOString(),
  };
  for (const err of runFiles.close(end, shardErrors[0]!.inputs)) record(err);
  return {
    summary,
    export: { ...totals, manifest: runFiles.manifestName, runRecord: runFiles.runRecordName, rowsLost: runFiles.rowsLost },
    exportErrors: errors,
    exportErrorCount: errorCount,
    fatalError: fatal,
  };
}

/** Each shard's export settings: the folder as prepared, the bounds over all files divided between them. */
function shareExport(o: ExportOptions, dir: string, count: number): ShardExportOptions {
  const share = (n: number | undefined, dflt: number, least: number): number => Math.max(least, Math.floor((n ?? dflt) / count));
  return {
    dir,
    fillGaps: o.fillGaps,
    // Each shard's share of the run's zeros: of the bound given, or of the default's allowance before data.
    fill: { ...o.fill, ...(o.fill?.maxFillTotal === undefined ? { runFillBase: Math.floor(RUN_FILL_BASE / count) } : { maxFillTotal: Math.floor(o.fill.maxFillTotal / count) }) },
    maxOpenFiles: share(o.maxOpenFiles, DEFAULT_MAX_OPEN_FILES, 2),
    bufferSize: o.bufferSize,
    maxBufferedBytes: share(o.maxBufferedBytes, DEFAULT_MAX_BUFFERED_BYTES, 8 * 1024),
    maxGapsPerStream: o.maxGapsPerStream,
  };
}

/** The shards' export totals as one run's (manifest names and lost rows are the main thread's, set after). */
function addExportSummaries(s: readonly ExportSummary[]): ExportSummary {
  const out = { ...s[0]! };
  for (let i = 1; i < s.length; i++) {
    const b = s[i]!;
    for (const k of Object.keys(out) as Array<keyof ExportSummary>) {
      if (typeof out[k] === 'number' && typeof b[k] === 'number') (out as Record<string, unknown>)[k] = (out[k] as number) + (b[k] as number);
    }
    out.firstFillRefusal ??= b.firstFillRefusal;
  }
  return out;
}

function rebuild(e: ShardExportError): ExportError {
  return new ExportError(e.code, e.path, e.message);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Not there (the shard removed it): nothing to do.
  }
}
