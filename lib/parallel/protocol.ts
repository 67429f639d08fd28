/**
 * What the main thread and the shard workers of a parallel run say to each other. Each worker reads the whole
 * input and reassembles the connections of its shard; it tells the main thread which connections it created
 * (by the number of the record that created them: the key that orders them across shards) and posts the row of
 * each one that ended. Shared memory carries the flow control: a stop flag, each worker's batches acknowledged,
 * and each worker's progress through the input, so no worker runs far ahead of the others or of the output.
 */
import type { Diagnostic, SkippedInput } from '../capture/index.js';
import type { ExportOptions, ExportSummary } from '../export/index.js';
import type { PassOptions } from '../pipeline/options.js';
import type { RunSummary } from '../pipeline/summary.js';

/** Which connections the workers keep: the CLI's --host, --port and filter expression (ids are not known there). */
export interface ShardSelection {
  hosts?: string[];
  ports?: number[];
  expression?: string;
}

/** The PassOptions a worker can be given: plain data (functions and signals stay in the main thread). */
export const SHARD_SETTING_KEYS = [
  'sourceName', 'assembler', 'pool', 'flushAfterSec', 'closeAfterSec', 'allowMissingInit', 'checkState', 'checkOptions', 'verifyChecksums', 'resync', 'since', 'until',
] as const satisfies ReadonlyArray<keyof PassOptions>;

/** Those settings, a folder's files as a list. */
export type ShardPassSettings = Pick<PassOptions, (typeof SHARD_SETTING_KEYS)[number]> & { fromFolder?: string[] };

/** The settings of `o` (pass options, or settings already) a worker can be given. */
export function shardSettings(o: Omit<ShardPassSettings, 'fromFolder'> & { fromFolder?: Iterable<string> }): ShardPassSettings {
  const out: Record<string, unknown> = {};
  for (const k of SHARD_SETTING_KEYS) if (o[k] !== undefined) out[k] = o[k];
  if (o.fromFolder !== undefined) out.fromFolder = [...o.fromFolder];
  return out as ShardPassSettings;
}

/** `workerData` of a shard worker. */
export interface ShardJob {
  kind: typeof SHARD_JOB;
  input: string | string[];
  index: number;
  count: number;
  settings: ShardPassSettings;
  selection: ShardSelection;
  /** Int32Array: [STOP, acknowledged batches of worker 0, of worker 1, ...]. */
  control: SharedArrayBuffer;
  /** BigInt64Array: records each worker has read (MAX when it is done). */
  progress: SharedArrayBuffer;
  /** This worker forwards the reader's diagnostics and skipped inputs, and hashes the inputs (one does: all read the same). */
  reports: boolean;
  /** An export's shard: its files go into the prepared folder, its rows to the main thread as JSON. */
  export?: ShardExportJob;
}

/** The plain export settings a shard gets (the folder already prepared, the bounds already divided). */
export type ShardExportOptions = Pick<ExportOptions, 'dir' | 'fillGaps' | 'fill' | 'maxOpenFiles' | 'bufferSize' | 'maxBufferedBytes' | 'maxGapsPerStream'>;

export interface ShardExportJob {
  options: ShardExportOptions;
  /** The shard's own manifest-space reserve file in the folder, and how many shards share the reserve. */
  reserveName: string;
  shares: number;
}

/** An export error as it crosses threads. */
export interface ShardExportError {
  code: string;
  path: string;
  message: string;
}

/** What an export shard says at its end. */
export interface ShardExportEnd {
  summary: ExportSummary;
  errors: ShardExportError[];
  errorCount: number;
  fatal: ShardExportError | null;
  /** The inputs as the run record lists them (the reporting worker's; others' are empty). */
  inputs: object[];
}

export const SHARD_JOB = 'tcpreasm-shard';

/** Index of the stop flag in the control array; worker `w`'s acknowledgements are at `ACK + w`. */
export const STOP = 0;
export const ACK = 1;

/** Batches a worker may have posted and not yet had acknowledged: bounds what waits in the main thread. */
export const MAX_UNACKED = 8;
/** Records a worker may be ahead of the slowest one: bounds the rows waiting for another shard's ids. */
export const MAX_SKEW_RECORDS = 1n << 17n;

/**
 * What a worker read and assembled since its last batch. `created` holds the record numbers of the connections
 * it created, in its own id order (its ids are 0, 1, ... in that order); `rows` the rows of those that ended
 * (`nRows` of them, the row layout of lib/schema/row.ts, the id field the worker's own id); `unselected` the
 * ids of those that ended without a row. `through`: every later connection of this worker is created by a
 * record after this one.
 */
export interface ShardBatch {
  t: 'batch';
  created: Float64Array;
  rows: Float64Array;
  nRows: number;
  unselected: Float64Array;
  through: number;
  /** Encapsulations the worker met since its last batch, its next ids in order (their words; see ENCAPSULATIONS). */
  encapsulations: Uint32Array[];
  /** Source bytes read so far and records read (the progress display). */
  bytesRead: number;
  records: number;
  /** An export's shard: the rows that ended, each the shard's own id and the row's JSON (id included, the shard's). */
  rowIds?: Float64Array;
  rowJson?: string[];
  /** An export's shard: files it closed, whose modification times (`times`, epoch seconds) the main thread sets before their rows. */
  timedPaths?: string[];
  times?: Float64Array;
  /** An export's shard: the error that stopped its writing (a full disk), once: every shard stops then. */
  fatal?: ShardExportError;
}

/** The worker's last message: its last batch and its run's summary. */
export interface ShardEnd extends Omit<ShardBatch, 't'> {
  t: 'end';
  summary: RunSummary;
  exported?: ShardExportEnd;
}

export type ShardMessage =
  | ShardBatch
  | ShardEnd
  | { t: 'diagnostic'; d: Diagnostic }
  | { t: 'skipped'; s: SkippedInput }
  | { t: 'error'; name: string; message: string; code?: string; source?: string; fileOffset?: number };
