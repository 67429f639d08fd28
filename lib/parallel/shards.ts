/**
 * Starts the shard workers of a parallel run and hands their batches, one worker's at a time and in order, to
 * the command's merge; acknowledges each batch once the merge (and the output behind it) has taken it, which
 * is what lets a worker go on (lib/parallel/protocol.ts). With what every command run in workers shares: which
 * inputs can be read once per worker, and the engine's limits divided between them.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { CaptureError, type CaptureErrorCode } from '../capture/index.js';
import { ENCAP_OVERFLOW, ENCAPSULATIONS } from '../decode/encapsulation.js';
import type { PassOptions } from '../pipeline/options.js';
import { DEFAULT_ASSEMBLER_OPTIONS, DEFAULT_POOL_OPTIONS } from '../reassembly/index.js';
import { FIELD_OFFSET, ROW_FIELDS } from '../schema/row.js';
import { ACK, SHARD_JOB, shardSettings, STOP, type ShardBatch, type ShardEnd, type ShardJob, type ShardMessage, type ShardPassSettings, type ShardSelection } from './protocol.js';

/** What a parallel run's workers are given and what is done with what they say. */
export interface ShardRun {
  input: string | readonly string[];
  count: number;
  script: URL;
  settings: ShardPassSettings;
  selection: ShardSelection;
  /** The job's extra part for worker `w` (an export's folder and bounds). */
  extra?: (w: number) => Pick<ShardJob, 'export'>;
  onDiagnostic?: PassOptions['onDiagnostic'];
  onSkipped?: PassOptions['onSkipped'];
  signal?: AbortSignal;
  /**
   * A batch of worker `w` (its last one, with its summary, when `m.t` is `end`), encapsulation ids already
   * this thread's. The worker waits once it is MAX_UNACKED batches ahead of what this has taken.
   */
  onBatch(w: number, m: ShardBatch | ShardEnd): Promise<void> | void;
}

/** The running workers' stop: every worker ends at its next batch, as if interrupted. */
export interface ShardStop {
  stop(): void;
}

/** Runs the workers to their ends; resolves with their end messages in worker order. `started` gets the stop. */
export async function runShards(run: ShardRun, started?: (s: ShardStop) => void): Promise<ShardEnd[]> {
  const { count } = run;
  const control = new SharedArrayBuffer(4 * (ACK + count));
  const progress = new SharedArrayBuffer(8 * count);
  const ctl = new Int32Array(control);
  const ends: Array<ShardEnd | undefined> = new Array<ShardEnd | undefined>(count).fill(undefined);
  const workers: Worker[] = [];
  const stop = (): void => {
    Atomics.store(ctl, STOP, 1);
    for (let w = 0; w < count; w++) Atomics.notify(ctl, ACK + w);
  };
  started?.({ stop });
  if (run.signal?.aborted === true) stop();
  run.signal?.addEventListener('abort', stop, { once: true });
  const input = typeof run.input === 'string' ? run.input : [...run.input];
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
        const job: ShardJob = { kind: SHARD_JOB, input, index: w, count, settings: run.settings, selection: run.selection, control, progress, reports: w === 0, ...run.extra?.(w) };
        const worker = new Worker(run.script, { workerData: job });
        workers.push(worker);
        // Messages of one worker are handled one at a time, in order: the next waits for the output to drain.
        let queue = Promise.resolve();
        // The worker's encapsulation ids to this thread's.
        const encaps = [0, ENCAP_OVERFLOW];
        let endPosted = false;
        worker.on('message', (m: ShardMessage) => {
          if (m.t === 'end' || m.t === 'error') endPosted = true;
          queue = queue
            .then(async () => {
              if (failed) return;
              switch (m.t) {
                case 'diagnostic':
                  run.onDiagnostic?.(m.d);
                  return;
                case 'skipped':
                  run.onSkipped?.(m.s);
                  return;
                case 'error':
                  fail(rebuildError(m));
                  return;
                case 'batch':
                case 'end':
                  for (const words of m.encapsulations) encaps.push(ENCAPSULATIONS.intern(words, words.length));
                  translateEncapsulations(m.rows, m.nRows, encaps);
                  await run.onBatch(w, m);
                  Atomics.add(ctl, ACK + w, 1);
                  Atomics.notify(ctl, ACK + w);
                  if (m.t === 'end') {
                    ends[w] = m;
                    if (++ended === count) resolve();
                  }
              }
            })
            .catch((e: unknown) => fail(e instanceof Error ? e : new Error(String(e))));
        });
        worker.on('error', (e) => fail(e));
        worker.on('exit', (code) => {
          if (!endPosted) fail(new Error(`worker ${w} ended (exit code ${code}) before its shard was done`));
        });
      }
    });
  } finally {
    run.signal?.removeEventListener('abort', stop);
  }
  return ends as ShardEnd[];
}

function rebuildError(m: Extract<ShardMessage, { t: 'error' }>): Error {
  if (m.name === 'CaptureError' && m.code !== undefined) {
    const e = new CaptureError(m.code as CaptureErrorCode, m.source ?? '', '', m.fileOffset ?? 0);
    e.message = m.message;
    return e;
  }
  return new Error(`worker: ${m.message}`);
}

/** Rows' encapsulation ids from a worker's table to this thread's (`map`: worker id to ours). */
function translateEncapsulations(rows: Float64Array, nRows: number, map: readonly number[]): void {
  for (let r = 0, at = FIELD_OFFSET.encapsulation; r < nRows; r++, at += ROW_FIELDS) {
    const id = rows[at]!;
    if (id > ENCAP_OVERFLOW) rows[at] = map[id]!;
  }
}

/** The settings each worker gets: the table and page limits divided between them (at least 1 each). */
export function shareLimits(o: ShardPassSettings, count: number): ShardPassSettings {
  const settings = shardSettings(o);
  const share = (n: number): number => Math.max(1, Math.ceil(n / count));
  const pool = { ...DEFAULT_POOL_OPTIONS, ...o.pool };
  return {
    ...settings,
    pool: { ...o.pool, maxConnections: share(pool.maxConnections), maxTombstones: share(pool.maxTombstones), maxRememberedTuples: share(pool.maxRememberedTuples) },
    assembler: { ...o.assembler, maxBufferedPagesTotal: share(o.assembler?.maxBufferedPagesTotal ?? DEFAULT_ASSEMBLER_OPTIONS.maxBufferedPagesTotal) },
  };
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
