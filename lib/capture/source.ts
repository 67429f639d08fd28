import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip, type Gunzip } from 'node:zlib';
import { CaptureError } from './errors.js';
import type { ReadOptions } from './options.js';
import { CaptureParser } from './parser.js';
import { FileReadBack } from './read-back.js';
import { hashFile } from './file-digest.js';
import { SourceDigest } from './source-digest.js';
import type { CaptureRecord } from './record.js';
import type { ReadSummary } from './summary.js';

/** Where a capture comes from: a file path, `-` for standard input, or any Readable of bytes. */
export type CaptureSource = string | NodeJS.ReadableStream;

/** Read size for plain files: large sequential reads amortise the system calls (1-4 MiB all do about as well). */
const DEFAULT_CHUNK = 2 * 1024 * 1024;

/**
 * Reads a whole capture, calling `onRecord` for every record with one reused {@link CaptureRecord} (valid only
 * during the call) and resolving with the summary.
 *
 * Plain files are read with large sequential reads into two reused buffers, the next read running while a chunk
 * is parsed; gzip (sniffed from the first bytes, files and streams alike) is decompressed as a stream; standard
 * input and Readables are fed chunk by chunk.
 * Memory stays bounded whatever the input: the read buffer plus at most about twice the record cap.
 *
 * Rejects with {@link CaptureError} when the source cannot be opened, is empty, or is not a capture. Damage after
 * the file header, corrupt or truncated gzip, and read errors mid-way are Diagnostics: everything before them is
 * delivered and the promise resolves. An AbortSignal stops reading between chunks (and between records) and
 * resolves with `aborted: true`; aborted before the file header was even read, it rejects with the signal's reason.
 */
export async function readCapture(
  source: CaptureSource,
  onRecord: (rec: CaptureRecord) => void,
  options: ReadOptions = {},
): Promise<ReadSummary> {
  const hashing = options.hashSource === true;
  // A file is hashed by a second reader on another thread; a pipe can only be hashed as it is read.
  const file = hashing && typeof source === 'string' && source !== '-' ? hashFile(source) : null;
  const digest = hashing && file === null ? new SourceDigest() : null;
  let summary: ReadSummary;
  try {
    summary =
      source === '-'
        ? await readStream(process.stdin, '-', onRecord, options, digest)
        : typeof source === 'string'
          ? await readFile(source, onRecord, options)
          : await readStream(source, options.sourceName ?? '<stream>', onRecord, options, digest);
  } catch (e) {
    file?.cancel();
    throw e;
  }
  if (summary.aborted) {
    // Stopped by the signal (a pipe iterator then says done): no hash, and no waiting for one.
    file?.cancel();
    summary.sourceSha256 = null;
  } else {
    summary.sourceSha256 = file !== null ? await file.digest : digest === null ? null : digest.hex();
  }
  return summary;
}

async function readFile(path: string, onRecord: (rec: CaptureRecord) => void, options: ReadOptions): Promise<ReadSummary> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw openError(e, path);
  }
  const name = options.sourceName ?? path;
  let readBack: FileReadBack | undefined;
  try {
    const stat = await fh.stat();
    if (stat.isDirectory()) throw new CaptureError('EISDIR', name, 'is a directory');
    const size = Math.max(64 * 1024, options.chunkSize ?? DEFAULT_CHUNK);
    const buf = Buffer.allocUnsafe(size);
    let n: number;
    try {
      n = (await fh.read(buf, 0, size, null)).bytesRead;
    } catch (e) {
      throw openError(e, name);
    }
    if (n >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
      return await readGzip(fileChunks(fh, buf, n), name, onRecord, options);
    }
    // A regular file can be read again by position (a FIFO given by name cannot).
    if (stat.isFile()) readBack = new FileReadBack(fh.fd);
    const parser = new CaptureParser(onRecord, { ...options, sourceName: name, readBack });
    const signal = options.signal;
    let total = 0;
    // Read-ahead: the next chunk is read (on libuv's thread pool) into the other buffer while this one is
    // parsed; the parser copies what it keeps of a chunk, so a buffer is free again once push() returns.
    let cur = buf;
    let spare = Buffer.allocUnsafe(size);
    let ahead: Promise<number> | null = null;
    try {
      while (n > 0) {
        total += n;
        ahead = fh.read(spare, 0, size, null).then((r) => r.bytesRead);
        // A failed read-ahead is reported where it is awaited, not as an unhandled rejection meanwhile.
        ahead.catch(() => {});
        parser.push(n === size ? cur : cur.subarray(0, n));
        options.onProgress?.(total);
        if (parser.halted) break;
        if (options.afterChunk !== undefined) await options.afterChunk();
        if (signal?.aborted) return aborted(parser, signal, total);
        try {
          n = await ahead;
        } catch (e) {
          return readFailed(parser, e, total);
        } finally {
          ahead = null;
        }
        const t = cur;
        cur = spare;
        spare = t;
      }
    } finally {
      // Never close the file under a read still in flight.
      if (ahead !== null) await ahead.catch(() => 0);
    }
    const summary = parser.end();
    summary.sourceBytes = total;
    return summary;
  } finally {
    readBack?.close();
    await fh.close();
  }
}

/**
 * The file's chunks in the one read buffer, starting with the `n` bytes already in it. Reusing the buffer is
 * safe because readGzip has finished with a chunk (every zlib write awaited) before it asks for the next.
 */
async function* fileChunks(fh: FileHandle, buf: Buffer, n: number): AsyncGenerator<Buffer> {
  while (n > 0) {
    yield n === buf.length ? buf : buf.subarray(0, n);
    n = (await fh.read(buf, 0, buf.length, null)).bytesRead;
  }
}

async function readStream(
  stream: NodeJS.ReadableStream,
  name: string,
  onRecord: (rec: CaptureRecord) => void,
  options: ReadOptions,
  digest: SourceDigest | null,
): Promise<ReadSummary> {
  const it = abortable((stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator](), options.signal, stream);
  // Gather at least two bytes to tell gzip from a plain capture.
  const head: Buffer[] = [];
  let headBytes = 0;
  let done = false;
  try {
    while (headBytes < 2) {
      const r = await it.next();
      if (r.done === true) {
        done = true;
        break;
      }
      const b = toBuffer(r.value);
      head.push(b);
      headBytes += b.length;
    }
  } catch (e) {
    throw openError(e, name);
  }
  options.signal?.throwIfAborted();
  const first = head.length === 1 ? head[0]! : Buffer.concat(head);
  if (first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b) {
    const chunks = rest(first, it, done);
    return readGzip(digest === null ? chunks : digest.through(chunks), name, onRecord, options);
  }
  const parser = new CaptureParser(onRecord, { ...options, sourceName: name });
  const signal = options.signal;
  let total = 0;
  let chunk: Buffer | undefined = first;
  try {
    while (chunk !== undefined) {
      total += chunk.length;
      digest?.update(chunk);
      if (!parser.halted) parser.push(chunk);
      options.onProgress?.(total);
      if (parser.halted && digest === null) break;
      if (options.afterChunk !== undefined) await options.afterChunk();
      if (signal?.aborted) return aborted(parser, signal, total);
      if (done) break;
      let r: IteratorResult<Buffer | string>;
      try {
        r = await it.next();
      } catch (e) {
        return readFailed(parser, e, total);
      }
      chunk = r.done === true ? undefined : toBuffer(r.value);
    }
    if (chunk === undefined || done) digest?.end();
  } finally {
    if (!done) await it.return?.();
  }
  if (signal?.aborted) return aborted(parser, signal, total);
  const summary = parser.end();
  summary.sourceBytes = total;
  return summary;
}

async function* rest(first: Buffer, it: AsyncIterator<Buffer | string>, done: boolean): AsyncGenerator<Buffer> {
  yield first;
  if (done) return;
  try {
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      yield toBuffer(r.value);
    }
  } finally {
    await it.return?.();
  }
}

/**
 * Decompresses gzip as a stream and parses what comes out.
 *
 * zlib throws away the output of the call that fails, so the input is written in small slices, each awaited
 * (which is also the back-pressure), and the last 8 bytes (the gzip trailer: CRC and length) go in a write of
 * their own: a bad tail then loses nothing, and a truncated stream loses nothing. Corrupt deflate data in the
 * middle can still lose the output of the failing call, at most one zlib chunk (16 KiB) before the damage; the
 * diagnostic gives the decompressed offset actually reached.
 */
async function readGzip(
  raw: AsyncIterable<Buffer>,
  name: string,
  onRecord: (rec: CaptureRecord) => void,
  options: ReadOptions,
): Promise<ReadSummary> {
  const parser = new CaptureParser(onRecord, { ...options, sourceName: name });
  const signal = options.signal;
  const gunzip = createGunzip();
  const out: Buffer[] = [];
  let zlibError: Error | undefined;
  gunzip.on('data', (b: Buffer) => out.push(b));
  gunzip.on('error', (e: Error) => (zlibError ??= e));
  let compressed = 0;
  let held = EMPTY;
  let summary: ReadSummary | undefined;

  /** Hands what zlib produced to the parser; returns a summary when reading must stop. */
  const drain = async (): Promise<ReadSummary | undefined> => {
    if (out.length === 0) return undefined;
    for (let i = 0; i < out.length; i++) {
      parser.push(out[i]!);
      if (parser.halted) break;
    }
    out.length = 0;
    options.onProgress?.(compressed);
    if (parser.halted) return parser.summary();
    if (options.afterChunk !== undefined) await options.afterChunk();
    if (signal?.aborted) return aborted(parser, signal, compressed);
    return undefined;
  };

  try {
    try {
      for await (const chunk of raw) {
        compressed += chunk.length;
        const input = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
        const cut = Math.max(0, input.length - GZIP_TRAILER);
        held = Buffer.from(input.subarray(cut));
        for (let p = 0; p < cut && zlibError === undefined && summary === undefined; p += GZIP_SLICE) {
          await write(gunzip, input.subarray(p, Math.min(cut, p + GZIP_SLICE)));
          summary = await drain();
        }
        if (zlibError !== undefined || summary !== undefined) break;
      }
    } catch (e) {
      // The source itself failed (the zlib stream reports through zlibError, not here).
      if (parser.bytesPushed === 0 && out.length === 0 && compressed === 0) throw openError(e, name);
      // Still decompress the bytes held back for the trailer: they may end the last record.
      if (held.length > 0 && zlibError === undefined) await write(gunzip, held);
      summary = (await drain()) ?? finishAfter(parser, 'read-error', `read error: ${(e as Error).message}`);
    }
    if (summary === undefined && zlibError === undefined) {
      if (held.length > 0) await write(gunzip, held);
      if (zlibError === undefined) await finish(gunzip);
    }
    if (summary === undefined && signal?.aborted) summary = aborted(parser, signal, compressed);
    summary ??= await drain();
    if (summary === undefined && zlibError !== undefined) {
      if (!parser.headerRead && parser.bytesPushed === 0) {
        throw new CaptureError('not-a-capture', name, `gzip data unreadable: ${zlibError.message}`);
      }
      // Z_BUF_ERROR at the end: the compressed stream stops before its end (a cut file); anything else is corrupt.
      const truncated = (zlibError as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' || zlibError.message.includes('unexpected end');
      const code = truncated ? 'gzip-truncated' : 'gzip-corrupt';
      summary = finishAfter(parser, code, `gzip stream: ${zlibError.message}`);
    }
  } finally {
    gunzip.destroy();
  }
  summary ??= parser.end();
  summary.compressed = true;
  summary.sourceBytes = compressed;
  return summary;
}

const EMPTY = Buffer.alloc(0);
/** Compressed bytes per zlib write: bounds what one write can expand to (deflate tops out near 1032:1). */
const GZIP_SLICE = 16 * 1024;
const GZIP_TRAILER = 8;

/** Writes to zlib and waits until the chunk is processed (or the stream failed). */
function write(gunzip: Gunzip, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      gunzip.off('error', done);
      resolve();
    };
    gunzip.once('error', done);
    gunzip.write(chunk, () => done());
  });
}

/** Ends the zlib input and waits for the last output (or the failure: a truncated stream fails here). */
function finish(gunzip: Gunzip): Promise<void> {
  return new Promise((resolve) => {
    gunzip.once('error', () => resolve());
    gunzip.once('end', () => resolve());
    gunzip.end();
  });
}

/** Reports the error at the decompressed offset reached, then ends the parse (reporting any record cut short). */
function finishAfter(parser: CaptureParser, code: string, what: string): ReadSummary {
  parser.inputFailed(code, what);
  return parser.end();
}

function readFailed(parser: CaptureParser, e: unknown, total: number): ReadSummary {
  const s = finishAfter(parser, 'read-error', `read error: ${(e as Error).message}`);
  s.sourceBytes = total;
  return s;
}

function aborted(parser: CaptureParser, signal: AbortSignal, total: number): ReadSummary {
  if (!parser.headerRead) signal.throwIfAborted();
  parser.abort();
  const s = parser.summary();
  s.sourceBytes = total;
  return s;
}

/**
 * An iterator whose pending `next()` gives up when the signal aborts: Ctrl-C must stop a read from a pipe that
 * is sending nothing (a quiet `tcpdump -w -`), not wait for its next chunk.
 */
function abortable(
  it: AsyncIterator<Buffer | string>,
  signal: AbortSignal | undefined,
  stream: NodeJS.ReadableStream,
): AsyncIterator<Buffer | string> {
  if (signal === undefined) return it;
  const end: IteratorResult<Buffer | string> = { done: true, value: undefined };
  return {
    // One listener per pending read, removed when it settles. (A Promise.race against one promise living for
    // the whole read left a reaction on it per chunk, each holding that chunk: stdin kept every byte read.)
    next: () => {
      if (signal.aborted) return Promise.resolve(end);
      return new Promise<IteratorResult<Buffer | string>>((resolve, reject) => {
        const onAbort = (): void => resolve(end);
        signal.addEventListener('abort', onAbort, { once: true });
        it.next().then(
          (r) => {
            signal.removeEventListener('abort', onAbort);
            resolve(r);
          },
          (e: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(e instanceof Error ? e : new Error(String(e)));
          },
        );
      });
    },
    // Not awaited on abort: a stream's iterator may only settle return() after its pending read, which a
    // silent pipe never completes. Destroying the source is what unblocks it.
    return: (v?: unknown) => {
      if (signal.aborted) {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        void it.return?.(v).catch(() => {});
        return Promise.resolve(end);
      }
      return it.return ? it.return(v) : Promise.resolve(end);
    },
  };
}

function toBuffer(v: Buffer | string | Uint8Array): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return Buffer.from(v, 'latin1');
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function openError(e: unknown, name: string): CaptureError {
  const code = (e as NodeJS.ErrnoException).code;
  const msg = (e as Error).message;
  if (code === 'ENOENT') return new CaptureError('ENOENT', name, 'no such file');
  if (code === 'EACCES' || code === 'EPERM') return new CaptureError('EACCES', name, 'permission denied');
  if (code === 'EISDIR') return new CaptureError('EISDIR', name, 'is a directory');
  return new CaptureError('open-failed', name, `cannot open: ${msg}`);
}
