/**
 * The worker side of a parallel run: one shard's pass over the whole input, its creations and rows posted in
 * batches after every chunk of input (lib/parallel/protocol.ts). Rows go in the order connections end; the
 * main thread gives them their ids and puts them in order.
 */
import { parentPort, workerData, isMainThread } from 'node:worker_threads';
import { CaptureError } from '../capture/index.js';
import { ENCAP_OVERFLOW, ENCAPSULATIONS } from '../decode/encapsulation.js';
import { fillingNames, keepingWarnings } from '../pipeline/collect.js';
import type { PassOptions } from '../pipeline/options.js';
import { runPass } from '../pipeline/pass.js';
import { inputRecord } from '../pipeline/run-options.js';
import { runSummary } from '../pipeline/summary.js';
import { connectionFilter } from '../report/select.js';
import { ExportShardConsumer } from './export-shard.js';
import { AnalyzeShardConsumer, type ShardConsumer } from './shard-consumer.js';
import { ACK, MAX_SKEW_RECORDS, MAX_UNACKED, SHARD_JOB, STOP, type ShardBatch, type ShardJob, type ShardMessage } from './protocol.js';

/** True in a thread started as a shard worker. */
export function isShardWorker(): boolean {
  return !isMainThread && (workerData as { kind?: unknown } | null)?.kind === SHARD_JOB;
}

/** Runs this thread's shard (see {@link isShardWorker}) and posts its batches; the thread then ends. */
export async function runShardWorker(): Promise<void> {
  const job = workerData as ShardJob;
  const port = parentPort!;
  const post = (m: ShardMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  const control = new Int32Array(job.control);
  const progress = new BigInt64Array(job.progress);
  const exporting = job.export === undefined ? null : new ExportShardConsumer(job.export);
  const consumer: ShardConsumer = exporting ?? new AnalyzeShardConsumer();
  const stop = new AbortController();
  let posted = 0;
  // Encapsulation ids are this thread's (lib/decode/encapsulation.ts): their words go to the main thread.
  let encapsSent = ENCAP_OVERFLOW + 1;
  const newEncapsulations = (): Uint32Array[] => {
    const out: Uint32Array[] = [];
    while (encapsSent < ENCAPSULATIONS.size) out.push(ENCAPSULATIONS.wordsOf(encapsSent++));
    return out;
  };
  let bytesRead = 0;
  let records = 0;
  const batch = (): Omit<ShardBatch, 't'> => ({
    created: consumer.createdKeys.take(),
    unselected: consumer.unselectedIds.take(),
    through: records,
    encapsulations: newEncapsulations(),
    bytesRead,
    records,
    ...consumer.takeRows(),
  });
  const transfer = (b: Omit<ShardBatch, 't'>): ArrayBuffer[] => {
    const out = [b.created.buffer as ArrayBuffer, b.unselected.buffer as ArrayBuffer];
    if (b.nRows > 0) out.push(b.rows.buffer as ArrayBuffer);
    if (b.rowIds !== undefined) out.push(b.rowIds.buffer as ArrayBuffer);
    if (b.times !== undefined) out.push(b.times.buffer as ArrayBuffer);
    return out;
  };
  consumer.drain = (): void => {
    const b = batch();
    post({ t: 'batch', ...b }, transfer(b));
    posted++;
    Atomics.store(progress, job.index, BigInt(records));
    // Waits while the main thread is behind (a slow output) or this shard is far ahead of another.
    for (;;) {
      if (Atomics.load(control, STOP) !== 0) {
        stop.abort('stopped');
        return;
      }
      const acked = Atomics.load(control, ACK + job.index);
      if (posted - acked <= MAX_UNACKED && !aheadOfOthers(progress, job.index, BigInt(records))) return;
      Atomics.wait(control, ACK + job.index, acked, 20);
    }
  };
  const options: PassOptions = {
    ...job.settings,
    fromFolder: job.settings.fromFolder === undefined ? undefined : new Set(job.settings.fromFolder),
    select: connectionFilter(job.selection) ?? undefined,
    shard: { index: job.index, count: job.count },
    signal: stop.signal,
    hashInputs: exporting !== null && job.reports,
    onDiagnostic: job.reports ? (d) => post({ t: 'diagnostic', d }) : undefined,
    onSkipped: job.reports ? (s) => post({ t: 'skipped', s }) : undefined,
    onProgress: (b, r) => {
      bytesRead = b;
      records = r;
    },
  };
  try {
    const { options: opts, warnings } = keepingWarnings(exporting === null ? options : fillingNames(options, exporting.names));
    const pass = await runPass(job.input, consumer, opts);
    records = pass.read.records;
    const summary = runSummary(job.settings.sourceName ?? String(job.input), pass, warnings);
    const exported = exporting?.close(pass.interrupted ? (pass.stopReason ?? 'interrupted') : null, job.reports ? pass.inputs.map(inputRecord) : []);
    const b = batch();
    Atomics.store(progress, job.index, BigInt(Number.MAX_SAFE_INTEGER));
    post({ t: 'end', ...b, through: Infinity, summary, ...(exported === undefined ? {} : { exported }) }, transfer(b));
  } catch (e) {
    // The capture could not be read: the shard's files are closed (the main thread says why in the manifest).
    exporting?.close(null, []);
    Atomics.store(progress, job.index, BigInt(Number.MAX_SAFE_INTEGER));
    const err = e instanceof Error ? e : new Error(String(e));
    post({
      t: 'error',
      name: err.name,
      message: err instanceof CaptureError ? err.message : (err.stack ?? err.message),
      ...(err instanceof CaptureError ? { code: err.code, source: err.source, fileOffset: err.fileOffset } : {}),
    });
  }
}

/** This shard has read more than MAX_SKEW_RECORDS past the slowest shard still running. */
function aheadOfOthers(progress: BigInt64Array, self: number, mine: bigint): boolean {
  for (let w = 0; w < progress.length; w++) {
    if (w !== self && mine - Atomics.load(progress, w) > MAX_SKEW_RECORDS) return true;
  }
  return false;
}
