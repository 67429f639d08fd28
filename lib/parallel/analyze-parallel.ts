/**
 * analyze on several threads: connections shared out over worker threads by the hash of their 4-tuple (each
 * connection on one worker, both directions alike), every worker reading the whole input from the file itself
 * (a read and a decode cost a fraction of reassembly, and nothing per packet crosses threads), the rows put
 * back in the id order of a single run here (ShardIdMerge). The rows are those of a single run; the summary
 * differs only in the engine's peaks (added up over workers) and times.
 */
import type { AnalyzeStreamResult } from '../pipeline/analyze.js';
import type { PassOptions } from '../pipeline/options.js';
import { DEFAULT_MAX_HELD_ROWS } from '../pipeline/reorder.js';
import type { ConnectionRowView } from '../pipeline/row-view.js';
import type { ShardPassSettings, ShardSelection } from './protocol.js';
import { ShardIdMerge } from './id-merge.js';
import { mergeShardSummaries } from './shard-summary.js';
import { notRereadable, runShards, shareLimits } from './shards.js';

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
  /** Back-pressure from a slow output (see PassOptions.drain), awaited after each batch of rows: the workers wait while it is pending. */
  drain?: PassOptions['drain'];
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
  const merge = new ShardIdMerge(count, onRow, Math.max(1, options.maxHeldRows ?? DEFAULT_MAX_HELD_ROWS));
  const ends = await runShards({
    input: typeof input === 'string' ? input : files,
    count,
    script: options.workerScript ?? new URL('./worker.js', import.meta.url),
    settings: shareLimits(options, count),
    selection: options.selection ?? {},
    onDiagnostic: options.onDiagnostic,
    onSkipped: options.onSkipped,
    signal: options.signal,
    onBatch: async (w, m) => {
      merge.take(w, m.created, m.through, m.rows, m.nRows, m.unselected);
      if (w === 0) options.onProgress?.(m.bytesRead, m.records, merge.connections);
      if (options.drain !== undefined) await options.drain();
    },
  });
  merge.finish();
  const elapsed = Number(process.hrtime.bigint() - started);
  const summary = mergeShardSummaries(ends.map((e) => e.summary), elapsed);
  return { summary, rows: merge.rows, lateRows: merge.reorder.lateRows, heldRowsPeak: merge.reorder.heldPeak };
}
