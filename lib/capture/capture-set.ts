/**
 * Several captures read as one timeline, merged by capture time as `mergecap` does: the files of a `tcpdump -C`
 * or `-G` ring, or captures of one incident taken at several points. Files are taken in the order of their first
 * timestamp; a file is opened only when the merged timeline reaches that timestamp, so a ring of a hundred
 * files holds one open at a time, and files whose time ranges overlap are merged record by record.
 *
 * Memory stays bounded: each open file holds the records of one read chunk, copied into a reused arena (the
 * reader's own buffer is reused for the next chunk), and its reader waits until they have been delivered.
 * A single capture is read directly, without the copy.
 */
import { fstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureError } from './errors.js';
import type { Diagnostic } from './diagnostic.js';
import type { ReadOptions } from './options.js';
import type { CaptureReadBack } from './read-back.js';
import { CaptureRecord } from './record.js';
import { readCapture, type CaptureSource } from './source.js';
import type { ReadSummary } from './summary.js';
import { recordRef } from './record-ref.js';

/** One input of a set, as the summary lists it. */
export interface InputSummary {
  /** The path as given or found in a folder, `-` for standard input. */
  name: string;
  /** Size of the file in bytes; null for a pipe. */
  size: number | null;
  format: 'pcap' | 'pcapng';
  compressed: boolean;
  /** Packet records read from it. */
  records: number;
  /** Capture time of its first and last record; null when it had none. */
  firstTime: CaptureTime | null;
  lastTime: CaptureTime | null;
  /** SHA-256 of its bytes as read (ReadOptions.hashSource); null without it or when reading stopped early. */
  sha256: string | null;
  /** Its reader's diagnostics by code. */
  diagnostics: Record<string, number>;
  cleanEnd: boolean;
}

/** A capture time, exact: seconds since the epoch and nanoseconds. */
export interface CaptureTime {
  sec: number;
  nsec: number;
}

/** What reading a set gives: the summaries of its inputs, and one summary adding them up. */
export interface CaptureSetSummary {
  /** Format, byte order and interfaces of the first input; counters summed over all. */
  read: ReadSummary;
  inputs: InputSummary[];
}

/** An input that was not read because it is not a capture; reported, the others are read. */
export interface SkippedInput {
  name: string;
  reason: string;
}

/**
 * The captures named by `args`: files as given, folders expanded to the regular files in them (not recursive,
 * sorted by name; hidden files left out). Throws CaptureError for a path that does not exist.
 */
export function expandInputs(args: readonly string[]): { files: string[]; fromFolder: Set<string> } {
  const files: string[] = [];
  const fromFolder = new Set<string>();
  for (const a of args) {
    if (a === '-') {
      files.push(a);
      continue;
    }
    let st;
    try {
      st = statSync(a);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CaptureError(code === 'EACCES' ? 'EACCES' : 'ENOENT', a, code === 'EACCES' ? 'permission denied' : 'no such file or directory');
    }
    if (!st.isDirectory()) {
      files.push(a);
      continue;
    }
    const names = readdirSync(a).filter((n) => !n.startsWith('.')).sort();
    for (const n of names) {
      const p = join(a, n);
      try {
        if (statSync(p).isFile()) {
          files.push(p);
          fromFolder.add(p);
        }
      } catch {
        // Vanished or unreadable: reading it reports why when it is named directly.
      }
    }
    if (names.length === 0) throw new CaptureError('empty', a, 'folder holds no captures');
  }
  return { files, fromFolder };
}

/** Copies of the records of one chunk of one input, waiting for the merge. */
class InputQueue {
  data = Buffer.allocUnsafe(256 * 1024);
  used = 0;
  // Per record: tsSec, tsNsec, recordNumber, fileOffset, interfaceId, linkType, capturedLength,
  // originalLength, offset in `data`, dataFileOffset.
  meta = new Float64Array(10 * 1024);
  count = 0;
  head = 0;
  readBack: CaptureReadBack | null = null;
  done = false;
  summary: ReadSummary | null = null;
  error: unknown = null;
  /** The merge has ended: the reader is not held back any more. */
  private stopped = false;
  /** Lets the reader go on to the next chunk. */
  private release: (() => void) | null = null;
  /** Wakes the merge when a chunk was read or the input ended. */
  private wake: (() => void) | null = null;
  size: number | null = null;
  firstTime: CaptureTime | null = null;
  lastTime: CaptureTime | null = null;

  constructor(
    readonly index: number,
    readonly name: string,
  ) {}

  add(rec: CaptureRecord): void {
    const n = rec.capturedLength;
    if (this.used + n > this.data.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.data.length * 2, this.used + n));
      this.data.copy(bigger, 0, 0, this.used);
      this.data = bigger;
    }
    rec.buf.copy(this.data, this.used, rec.offset, rec.offset + n);
    if ((this.count + 1) * 10 > this.meta.length) {
      const m = new Float64Array(this.meta.length * 2);
      m.set(this.meta);
      this.meta = m;
    }
    const m = this.meta;
    const k = this.count * 10;
    m[k] = rec.tsSec;
    m[k + 1] = rec.tsNsec;
    m[k + 2] = rec.recordNumber;
    m[k + 3] = rec.fileOffset;
    m[k + 4] = rec.interfaceId;
    m[k + 5] = rec.linkType;
    m[k + 6] = n;
    m[k + 7] = rec.originalLength;
    m[k + 8] = this.used;
    m[k + 9] = rec.dataFileOffset;
    this.used += n;
    this.count++;
    this.readBack = rec.readBack;
  }

  /** Called by the reader after each chunk: wakes the merge and waits until it wants more. */
  chunkRead(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const p = new Promise<void>((resolve) => {
      this.release = resolve;
    });
    this.wakeUp();
    return p;
  }

  ended(summary: ReadSummary | null, error: unknown): void {
    this.done = true;
    this.summary = summary;
    this.error = error;
    this.wakeUp();
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Resolves once there is a record at the head or the input has ended. */
  async fill(): Promise<void> {
    while (this.head === this.count && !this.done) {
      this.head = this.count = this.used = 0;
      const woken = new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      const r = this.release;
      this.release = null;
      r?.();
      await woken;
    }
  }

  /** Drops what is left and lets the reader go on, to see the stop signal and end. */
  letGo(): void {
    this.stopped = true;
    this.head = this.count;
    const r = this.release;
    this.release = null;
    r?.();
  }

  get empty(): boolean {
    return this.head === this.count;
  }

  /** Time of the head record as one comparable number (seconds; ties broken by input order). */
  headSec(): number {
    return this.meta[this.head * 10]!;
  }

  headNsec(): number {
    return this.meta[this.head * 10 + 1]!;
  }

  /** Fills `rec` with the head record and moves past it. */
  take(rec: CaptureRecord): void {
    const m = this.meta;
    const k = this.head * 10;
    rec.tsSec = m[k]!;
    rec.tsNsec = m[k + 1]!;
    rec.recordNumber = recordRef(this.index, m[k + 2]!);
    rec.fileOffset = m[k + 3]!;
    rec.interfaceId = m[k + 4]!;
    rec.linkType = m[k + 5]!;
    rec.capturedLength = m[k + 6]!;
    rec.originalLength = m[k + 7]!;
    rec.buf = this.data;
    rec.offset = m[k + 8]!;
    rec.dataFileOffset = m[k + 9]!;
    rec.readBack = this.readBack;
    this.head++;
  }
}

/** The first record's capture time of a capture (seconds), -Infinity when it has none or cannot be peeked. */
async function firstTimeOf(path: string): Promise<number> {
  if (path === '-') return -Infinity;
  const stop = new AbortController();
  let t = -Infinity;
  try {
    await readCapture(path, (rec) => {
      t = rec.tsSec + rec.tsNsec * 1e-9;
      stop.abort();
    }, { signal: stop.signal, chunkSize: 64 * 1024 });
  } catch (e) {
    if (e instanceof CaptureError) throw e;
    // Anything else surfaces again, properly reported, when the file is read.
  }
  return t;
}

function emptySummary(): ReadSummary {
  return {
    format: 'pcap',
    compressed: false,
    byteOrder: 'little',
    nanosecond: false,
    interfaces: [],
    interfaceCount: 0,
    sections: 0,
    records: 0,
    recordsSeen: 0,
    truncatedRecords: 0,
    bytes: 0,
    sourceBytes: 0,
    sourceSha256: null,
    diagnostics: {},
    cleanEnd: true,
    aborted: false,
    stoppedOnDamage: false,
  };
}

/** The set's summary: the first input's format, every counter added up. */
function combine(summaries: ReadSummary[]): ReadSummary {
  const out = summaries.length > 0 ? { ...summaries[0]!, diagnostics: { ...summaries[0]!.diagnostics }, interfaces: [...summaries[0]!.interfaces] } : emptySummary();
  // Each input's hash is in its InputSummary; the sum of several has none.
  if (summaries.length > 1) out.sourceSha256 = null;
  for (const s of summaries.slice(1)) {
    out.records += s.records;
    out.recordsSeen += s.recordsSeen;
    out.truncatedRecords += s.truncatedRecords;
    out.bytes += s.bytes;
    out.sourceBytes += s.sourceBytes;
    out.sections += s.sections;
    out.interfaceCount += s.interfaceCount;
    out.compressed ||= s.compressed;
    out.nanosecond ||= s.nanosecond;
    out.cleanEnd &&= s.cleanEnd;
    out.aborted ||= s.aborted;
    out.stoppedOnDamage ||= s.stoppedOnDamage;
    for (const [k, v] of Object.entries(s.diagnostics)) out.diagnostics[k] = (out.diagnostics[k] ?? 0) + v;
  }
  return out;
}

/** Options of {@link readCaptureSet}: those of readCapture, `onProgress` counting the bytes of all inputs. */
export interface CaptureSetOptions extends Omit<ReadOptions, 'sourceName'> {
  /** Inputs that came from a folder: one that is not a capture is skipped with a warning instead of failing. */
  fromFolder?: ReadonlySet<string>;
  /** An input skipped as not a capture. */
  onSkipped?: (s: SkippedInput) => void;
  /** Called once, before the first record, with the names in timeline order: the index recordRef carries. */
  onInputs?: (names: string[]) => void;
}

/**
 * Reads the captures as one timeline merged by capture time, calling `onRecord` with one reused record whose
 * `recordNumber` is a {@link recordRef} (input index and record number in it). Diagnostics carry the input's
 * name in `source`. Rejects with CaptureError when a named input cannot be read at all.
 */
export async function readCaptureSet(
  sources: readonly string[],
  onRecord: (rec: CaptureRecord) => void,
  options: CaptureSetOptions = {},
): Promise<CaptureSetSummary> {
  const named = (name: string) => (d: Diagnostic) => options.onDiagnostic?.({ ...d, source: name });
  if (sources.length === 1) {
    const name = sources[0]!;
    options.onInputs?.([name]);
    let first: CaptureTime | null = null;
    const last: CaptureTime = { sec: 0, nsec: 0 };
    const read = await readCapture(name as CaptureSource, (rec) => {
      if (first === null) first = { sec: rec.tsSec, nsec: rec.tsNsec };
      last.sec = rec.tsSec;
      last.nsec = rec.tsNsec;
      onRecord(rec);
    }, { ...options, sourceName: name, onDiagnostic: options.onDiagnostic === undefined ? undefined : named(name) });
    return { read, inputs: [inputSummary(name, captureSize(name), read, first, first === null ? null : last)] };
  }

  // Order by first timestamp (stable: equal or unknown keep the order given).
  const starts: { name: string; index: number; first: number }[] = [];
  for (let i = 0; i < sources.length; i++) {
    const name = sources[i]!;
    try {
      starts.push({ name, index: i, first: await firstTimeOf(name) });
    } catch (e) {
      if (e instanceof CaptureError && options.fromFolder?.has(name) && e.code !== 'EACCES') {
        options.onSkipped?.({ name, reason: e.message });
        continue;
      }
      throw e;
    }
  }
  if (starts.length === 0) throw new CaptureError('not-a-capture', sources.length === 1 ? sources[0]! : `${sources.length} inputs`, 'none of the inputs is a capture');
  starts.sort((a, b) => a.first - b.first || a.index - b.index);
  options.onInputs?.(starts.map((s) => s.name));

  // Stops the readers still waiting when the merge ends early (the caller's signal, or a failure).
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const queues: InputQueue[] = [];
  const readers: Promise<void>[] = [];
  const progress = new Float64Array(starts.length);
  const reportProgress = (): void => {
    if (options.onProgress === undefined) return;
    let total = 0;
    for (let i = 0; i < progress.length; i++) total += progress[i]!;
    options.onProgress(total);
  };
  const open = (k: number): InputQueue => {
    const s = starts[k]!;
    const q = new InputQueue(k, s.name);
    q.size = captureSize(s.name);
    queues.push(q);
    const p = readCapture(s.name as CaptureSource, (rec) => {
      if (q.firstTime === null) q.firstTime = { sec: rec.tsSec, nsec: rec.tsNsec };
      q.lastTime ??= { sec: 0, nsec: 0 };
      q.lastTime.sec = rec.tsSec;
      q.lastTime.nsec = rec.tsNsec;
      q.add(rec);
    }, {
      ...options,
      signal: stop.signal,
      sourceName: s.name,
      onDiagnostic: options.onDiagnostic === undefined ? undefined : named(s.name),
      onProgress: (n) => {
        progress[k] = n;
        reportProgress();
      },
      afterChunk: async () => {
        await options.afterChunk?.();
        await q.chunkRead();
      },
    }).then(
      (summary) => q.ended(summary, null),
      (err: unknown) => q.ended(null, err),
    );
    readers.push(p);
    return q;
  };

  const rec = new CaptureRecord();
  let next = 0;
  const live: InputQueue[] = [];
  try {
    for (;;) {
      // Open every input whose first record is not after the earliest record waiting.
      let best: InputQueue | null = null;
      for (const q of live) {
        if (best === null || q.headSec() < best.headSec() || (q.headSec() === best.headSec() && q.headNsec() < best.headNsec())) best = q;
      }
      if (next < starts.length && (best === null || starts[next]!.first <= best.headSec() + best.headNsec() * 1e-9)) {
        const q = open(next++);
        await q.fill();
        if (q.error !== null) throw q.error;
        if (!q.empty) live.push(q);
        continue;
      }
      if (best === null) break;
      best.take(rec);
      onRecord(rec);
      if (best.empty) {
        await best.fill();
        if (best.error !== null) throw best.error;
        if (best.empty) live.splice(live.indexOf(best), 1);
      }
      if (options.signal?.aborted) break;
    }
  } finally {
    // Readers still waiting (stopped early) are let go; the signal stops them at the next chunk.
    const early = queues.some((q) => !q.done);
    if (early) stop.abort();
    for (const q of queues) if (!q.done) q.letGo();
    await Promise.all(readers);
    options.signal?.removeEventListener('abort', onAbort);
  }
  const inputs = queues.map((q) => inputSummary(q.name, q.size, q.summary ?? emptySummary(), q.firstTime, q.lastTime));
  const read = combine(queues.map((q) => q.summary ?? emptySummary()));
  if (options.signal?.aborted === true) read.aborted = true;
  return { read, inputs };
}

/** Bytes of an input: a regular file's size (standard input's too when redirected from one), null otherwise. */
export function captureSize(name: string): number | null {
  try {
    const st = name === '-' ? fstatSync(0) : statSync(name);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

function inputSummary(name: string, size: number | null, s: ReadSummary, first: CaptureTime | null, last: CaptureTime | null): InputSummary {
  return {
    name,
    size,
    format: s.format,
    compressed: s.compressed,
    records: s.records,
    firstTime: first,
    lastTime: last,
    sha256: s.sourceSha256,
    diagnostics: { ...s.diagnostics },
    cleanEnd: s.cleanEnd,
  };
}
