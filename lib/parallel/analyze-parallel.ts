/**
 * analyze on several threads: connections shared out over worker threads by the hash of their 4-tuple (each
 * connection on one worker, both directions alike), every worker reading the whole input from the file itself
 * (a read and a decode cost a fraction of reassembly, and nothing per packet crosses threads), the rows put
 * back in the id order of a single run here (ShardIdMerge). The rows are those of a single run; the summary
 * differs only in the engine's peaks (added up over workers) and times.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { CaptureError, type CaptureErrorCode } from '../capture/index.js';
import { ENCAP_OVERFLOW, ENCAPSULATIONS } from '../decode/encapsulation.js';
import { DEFAULT_ASSEMBLER_OPTIONS, DEFAULT_POOL_OPTIONS } from '../reassembly/index.js';
import type { AnalyzeStreamResult } from '../pipeline/analyze.js';
import type { PassOptions } from '../pipeline/options.js';
import { DEFAULT_MAX_HELD_ROWS } from '../pipeline/reorder.js';
import type { ConnectionRowView } from '../pipeline/row-view.js';
import type { RunSummary } from '../pipeline/summary.js';
import { FIELD_OFFSET, ROW_FIELDS } from '../schema/row.js';
import { ACK, SHARD_JOB, shardSettings, STOP, type ShardJob, type ShardMessage, type ShardPassSettings, type ShardSelection } from './protocol.js';
import { ShardIdMerge } from './id-merge.js';
import { mergeShardSummaries } from './shard-summary.js';

/** Options of {@link streamAnalyzeInWorkers}. */
export interface WorkersAnalyzeOptions extends ShardPassSettings {
  /** Worker threads, at least 2 (each one shard). */
  workers: number;
  /** Which connections get a row (a filter expression, hosts, ports): compiled in each worker. */
  selection?: ShardSelection;
  /** See AnalyzeStreamOptions.maxHeldRows. */
  maxHeldRows?: number;
  onDiagnostic?: PassOptions['onDiagnostic'];
  onSkipped?: PassOptions['onSkipped'];
  onProgress?: PassOptions['onProgress'];
  signal?: AbortSignal;
  /**
   * What to wait for after each batch of rows: back-pressure from a slow output. The workers wait while it
   * is pending.
   */
  drain?: () => Promise<void> | void;
  /** The script a worker runs; default lib/parallel/worker.js beside this module. */
  workerScript?: URL;
}

/** What {@link streamAnalyzeInWorkers} resolves with: streamAnalyze's result without the one pass's internals. */
export type WorkersAnalyzeResult = Omit<AnalyzeStreamResult, 'pass'>;

/**
 * Like streamAnalyze, on `options.workers` threads: the rows go to `onRow` in the same order with the same
 * values. Input must be files (each worker reads them itself), not standard input. The limits
 * (`pool.maxConnections`, `assembler.maxBufferedPagesTotal`) are shared out evenly between the workers.
 * Rejects with CaptureError for unreadable input, as streamAnalyze does.
 */
export async function streamAnalyzeInWorkers(input: string | readonly string[], onRow: (row: ConnectionRowView) => void, options: WorkersAnalyzeOptions): Promise<WorkersAnalyzeResult> {
  const started = process.hrtime.bigint();
  const count = options.workers;
  if (!Number.isInteger(count) || count < 2) throw new RangeError(`workers: at least 2, not ${count}`);
  const files = typeof input === 'string' ? [input] : [...input];
  const unfit = notRereadable(files);
  if (unfit !== null) throw new RangeError(`workers: ${unfit}`);
  const control = new SharedArrayBuffer(4 * (ACK + count));
  const progress = new SharedArrayBuffer(8 * count);
  const ctl = new Int32Array(control);
  const merge = new ShardIdMerge(count, onRow, Math.max(1, options.maxHeldRows ?? DEFAULT_MAX_HELD_ROWS));
  const settings = shareLimits(options, count);
  const script = options.workerScript ?? new URL('./worker.js', import.meta.url);
  const summaries: Array<RunSummary | undefined> = new Array<RunSummary | undefined>(count).fill(undefined);
  const workers: Worker[] = [];
  const stop = (): void => {
    Atomics.store(ctl, STOP, 1);
    for (let w = 0; w < count; w++) Atomics.notify(ctl, ACK + w);
  };
  if (options.signal?.aborted === true) stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      let ended = 0;
      let failed = false;
      const fail = (e: Error): void => {
        if (failed) return;
        failed = true;
        for (const w of workers) void w.terminate();
        reject(e);
      };
      for (let w = 0; w < count; w++) {
        const job: ShardJob = { kind: SHARD_JOB, input: typeof input === 'string' ? input : files, index: w, count, settings, selection: options.selection ?? {}, control, progress, reports: w === 0 };
        const worker = new Worker(script, { workerData: job });
        workers.push(worker);
        // Messages of one worker are handled one at a time, in order: the next waits for the output to drain.
        let queue = Promise.resolve();
        // The worker's encapsulation ids to this thread's.
        const encaps = [0, ENCAP_OVERFLOW];
        let endPosted = false;
        worker.on('message', (m: ShardMessage) => {
          if (m.t === 'end' || m.t === 'error') endPosted = true;
          queue = queue.then(async () => {
            if (failed) return;
            switch (m.t) {
              case 'diagnostic':
                options.onDiagnostic?.(m.d);
                return;
              case 'skipped':
                options.onSkipped?.(m.s);
                return;
              case 'error':
                fail(rebuildError(m));
                return;
              case 'batch':
              case 'end':
                for (const words of m.encapsulations) encaps.push(ENCAPSULATIONS.intern(words, words.length));
                translateEncapsulations(m.rows, m.nRows, encaps);
                merge.take(w, m.created, m.through, m.rows, m.nRows, m.unselected);
                if (w === 0) options.onProgress?.(m.bytesRead, m.records, merge.connections);
                if (options.drain !== undefined) await options.drain();
                Atomics.add(ctl, ACK + w, 1);
                Atomics.notify(ctl, ACK + w);
                if (m.t === 'end') {
                  summaries[w] = m.summary;
                  if (++ended === count) resolve();
                }
            }
          }).catch((e: unknown) => fail(e instanceof Error ? e : new Error(String(e))));
        });
        worker.on('error', (e) => fail(e));
        worker.on('exit', (code) => {
          if (!endPosted) fail(new Error(`worker ${w} ended (exit code ${code}) before its shard was done`));
        });
      }
    });
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
  merge.finish();
  const elapsed = Number(process.hrtime.bigint() - started);
  const summary = mergeShardSummaries(summaries as RunSummary[], elapsed);
  return { summary, rows: merge.rows, lateRows: merge.reorder.lateRows, heldRowsPeak: merge.reorder.heldPeak };
}

/** The settings each worker gets: the table and page limits divided between them (at least 1 each). */
function shareLimits(o: WorkersAnalyzeOptions, count: number): ShardPassSettings {
  const settings = shardSettings(o);
  const share = (n: number): number => Math.max(1, Math.ceil(n / count));
  const pool = { ...DEFAULT_POOL_OPTIONS, ...o.pool };
  return {
    ...settings,
    pool: { ...o.pool, maxConnections: share(pool.maxConnections), maxTombstones: share(pool.maxTombstones), maxRememberedTuples: share(pool.maxRememberedTuples) },
    assembler: { ...o.assembler, maxBufferedPagesTotal: share(o.assembler?.maxBufferedPagesTotal ?? DEFAULT_ASSEMBLER_OPTIONS.maxBufferedPagesTotal) },
  };
}

function rebuildError(m: Extract<ShardMessage, { t: 'error' }>): Error {
  if (m.name === 'CaptureError' && m.code !== undefined) {
    const e = new CaptureError(m.code as CaptureErrorCode, m.source ?? '', '', m.fileOffset ?? 0);
    e.message = m.message;
    return e;
  }
  return new Error(`worker: ${m.message}`);
}

/**
 * Why `files` cannot be read once per worker, or null when they can: standard input, a FIFO or a device would
 * give each worker a different part of the stream. A path that cannot be opened passes: the reader says why.
 */
export function notRereadable(files: readonly string[]): string | null {
  for (const f of files) {
    if (f === '-') return 'reads each capture once per worker: give files, not standard input (-)';
    let regular = true;
    try {
      regular = statSync(f).isFile();
    } catch {
      // Missing or unreadable: the reader's own message.
    }
    if (!regular) return `reads each capture once per worker: ${f} is not a regular file (a pipe or a device is read once, without workers)`;
  }
  return null;
}

/** Rows' encapsulation ids from a worker's table to this thread's (`map`: worker id to ours). */
function translateEncapsulations(rows: Float64Array, nRows: number, map: readonly number[]): void {
  for (let r = 0, at = FIELD_OFFSET.encapsulation; r < nRows; r++, at += ROW_FIELDS) {
    const id = rows[at]!;
    if (id > ENCAP_OVERFLOW) rows[at] = map[id]!;
  }
}
