import { createHash, type Hash } from 'node:crypto';
import { join } from 'node:path';
import { formatCaptureTime, formatEpoch } from '../report/time.js';
import { errorCode, fsError, type ExportError } from './errors.js';
import type { ChunkHolder, ChunkPool, FdHolder, FilePool } from './file-pool.js';
import { OPEN_NEW, OPEN_REOPEN, type ExportFs } from './fs.js';
import { LruLink } from './lru.js';
import type { FillBudget } from './fill-budget.js';
import type { NameHints } from './name-hints.js';
import type { DirectionRow, GapEntry } from './manifest.js';
import { flowBaseName, isSafeFileName, withConnectionCount, type FlowNameParts } from './naming.js';
import type { DirectionEnd, StreamSink } from './sink.js';

/** What all direction files of one export share. */
export interface ExportContext {
  readonly fs: ExportFs;
  readonly dir: string;
  readonly files: FilePool;
  readonly chunks: ChunkPool;
  /** Most bytes one file buffers before writing (a multiple of the chunk size). */
  readonly bufferSize: number;
  readonly fillGaps: boolean;
  /** What `fillGaps` may still write, for the whole export. */
  readonly fill: FillBudget;
  readonly maxGapsPerStream: number;
  /** Next connection count to try per flow name: a bounded hint; the file system has the final word. */
  readonly nameHints: NameHints;
  /** Called once per failed file, with the error naming it. */
  reportError(err: ExportError): void;
  /** The error that stopped every write (a full disk), or null: after it nothing more is written to streams. */
  stopped(): ExportError | null;
  /** Manifest space for rows not yet written: each file adds its estimate (see ManifestReserve). */
  reserveRowSpace(bytes: number): void;
}

/** Manifest row space a stream file's direction may need (its stats and names; measured about 1.1 KB). */
export const FILE_ROW_BYTES = 2048;
/** ...and each gap entry it lists (about 150 B of JSON). */
export const GAP_ROW_BYTES = 192;

const ZEROS = Buffer.alloc(64 * 1024);
/** The conflicts of a direction that had none: shared, so a reused file allocates nothing for them. */
const NO_CONFLICTS: unknown[] = Object.freeze([]) as unknown as unknown[];
const EMPTY_SHA256 = createHash('sha256').digest('hex');

/**
 * One direction of one connection written to its own file: bytes are batched in pooled chunks and
 * written (one write or writev per flush) with positional writes at the file's own offset, so the file can be closed by the pool and
 * reopened later without append mode. The sha256 is updated with exactly the bytes that go to the file, in
 * file order (zeros of filled holes included).
 */
export class DirectionFile implements StreamSink, FdHolder, ChunkHolder {
  readonly fdLink: LruLink<FdHolder> = new LruLink<FdHolder>(this);
  readonly chunkLink: LruLink<ChunkHolder> = new LruLink<ChunkHolder>(this);

  private name: string | null = null;
  private path = '';
  private fd = -1;
  /**
   * Buffered bytes: chunks[0, nChunks), all full but the last, which holds `lastUsed` bytes of `lastCap`
   * (its length, or less when a whole chunk would pass the buffer size).
   */
  private readonly buffer: Buffer[] = [];
  private nChunks = 0;
  private lastUsed = 0;
  private lastCap = 0;
  private buffered = 0;
  /** File offset where the buffered bytes go: everything before it is written (or is a sparse hole). */
  private position = 0;
  /** Bytes the file really holds so far; below `position` after a sparse hole at the end. */
  private fileSize = 0;
  private hash: Hash | null = null;
  /** The final sha256, once the file is done. */
  private digest: string | null = null;
  /** Stream bytes handed to write(). */
  private receivedBytes = 0;
  private droppedBytes = 0;
  private gaps: GapEntry[] = [];
  private gapsOmitted = 0;
  private missingBytes = 0;
  /** Zeros written for this file's holes. */
  private filledBytes = 0;
  private error: ExportError | null = null;
  /** The export stopped (disk full elsewhere) while this file still had bytes to write: they were dropped. */
  private cutBy: ExportError | null = null;
  /** The bytes on disk may differ from those hashed (a failed write could not be undone): no sha256. */
  private contentUnknown = false;
  /** Manifest row space reserved for this direction (returned when its row is written). */
  reservedRowBytes = 0;
  private finished = false;
  private stats: object | null = null;
  private conflicts: unknown[] = NO_CONFLICTS;
  private completeAtClose = false;
  /** The file's modification time to set at close (seconds, fractional); NaN: leave it. */
  private mtime = Number.NaN;

  /**
   * `parts` is read whenever the file is created or named in an error, so it must stay valid until the
   * direction is done: the exporter passes its own copy of the addresses, never the engine's reused arrays.
   */
  constructor(
    private readonly ctx: ExportContext,
    private readonly parts: FlowNameParts,
  ) {}

  /**
   * Makes a done direction new again for the next connection (the exporter reuses its objects so that a
   * million short connections do not leave a million promoted objects behind). `parts` is the same object,
   * refilled by the owner. Rows returned earlier keep their own gap list.
   * @internal
   */
  reset(): void {
    if (!this.finished) throw new Error('DirectionFile.reset: direction still open');
    this.name = null;
    this.path = '';
    this.nChunks = 0;
    this.lastUsed = 0;
    this.buffered = 0;
    this.position = 0;
    this.fileSize = 0;
    this.hash = null;
    this.digest = null;
    this.receivedBytes = 0;
    this.droppedBytes = 0;
    if (this.gaps.length !== 0) this.gaps = [];
    this.gapsOmitted = 0;
    this.missingBytes = 0;
    this.filledBytes = 0;
    this.error = null;
    this.cutBy = null;
    this.contentUnknown = false;
    this.reservedRowBytes = 0;
    this.finished = false;
    this.stats = null;
    this.conflicts = NO_CONFLICTS;
    this.completeAtClose = false;
    this.mtime = Number.NaN;
  }

  write(buf: Buffer, offset: number, length: number): void {
    if (length <= 0) return;
    this.receivedBytes += length;
    this.ctx.fill.dataBytes += length;
    if (this.finished || this.error !== null || this.isCut()) {
      this.droppedBytes += length;
      return;
    }
    while (length > 0) {
      if (this.buffered === 0 && length >= this.ctx.bufferSize) {
        // Large and nothing buffered: one write straight from the caller's buffer.
        this.writeOut(buf, offset, length);
        return;
      }
      const chunk = this.room();
      if (chunk === null) {
        this.droppedBytes += length;
        return;
      }
      const n = Math.min(length, this.lastCap - this.lastUsed);
      buf.copy(chunk, this.lastUsed, offset, offset + n);
      this.lastUsed += n;
      this.buffered += n;
      offset += n;
      length -= n;
    }
  }

  gap(seq: number, length: number, tsSec: number, tsNsec: number): void {
    if (this.finished) return;
    const known = length >= 0;
    if (known) this.missingBytes += length;
    const wanted = known && length > 0 && this.ctx.fillGaps && this.error === null && !this.isCut();
    const refused = wanted ? this.ctx.fill.take(length, this.filledBytes) : null;
    const fill = wanted && refused === null;
    if (fill) this.filledBytes += length;
    if (this.gaps.length < this.ctx.maxGapsPerStream) {
      this.reserve(GAP_ROW_BYTES);
      this.gaps.push({
        offset: this.position + this.buffered,
        seq: seq >>> 0,
        length: known ? length : null,
        time: formatCaptureTime(tsSec, tsNsec),
        epoch: formatEpoch(tsSec, tsNsec),
        filled: fill,
        unfilledBy: refused,
      });
    } else {
      this.gapsOmitted++;
    }
    if (fill) this.fillZeros(length);
  }

  finish(end?: DirectionEnd): void {
    if (this.finished) return;
    if (end?.stats !== undefined) this.stats = end.stats;
    if (end?.conflicts !== undefined && end.conflicts.length > 0) this.conflicts = [...end.conflicts];
    if (end?.lastByteTsSec !== undefined) this.mtime = end.lastByteTsSec + (end.lastByteTsNsec ?? 0) / 1e9;
    this.close(end?.cutShort !== true);
  }

  /** Ends the direction without its engine end (the export is closing first): the row says partial. */
  abandon(): void {
    if (!this.finished) this.close(false);
  }

  private close(complete: boolean): void {
    this.flushBuffer();
    if (this.error === null && this.fileSize < this.position) {
      // The file ends in a filled hole left sparse: extend it so its length is what the hash covered.
      if (this.open()) {
        try {
          this.ctx.fs.ftruncateSync(this.fd, this.position);
          this.fileSize = this.position;
        } catch (err) {
          this.fail(err, 'extend');
        }
      }
    }
    this.releaseFd();
    this.finished = true;
    this.completeAtClose = complete && this.error === null && this.droppedBytes === 0;
    if (this.name !== null && this.error === null && !Number.isNaN(this.mtime)) this.setTime();
  }

  /** The capture time as the file's mtime (and atime). A refusal is reported; the bytes and row stay good. */
  private setTime(): void {
    try {
      this.ctx.fs.utimesSync(this.path, this.mtime, this.mtime);
    } catch (err) {
      this.ctx.reportError(fsError(err, 'set the modification time of', this.path));
    }
  }

  /** True once finished or abandoned. */
  get done(): boolean {
    return this.finished;
  }

  /** The manifest entry; final once the direction is done. */
  row(): DirectionRow {
    const why = this.error ?? (this.droppedBytes > 0 ? this.cutBy : null);
    return {
      file: this.name,
      bytes: this.position,
      dataBytes: Math.max(0, this.receivedBytes - this.droppedBytes),
      sha256: this.contentUnknown || (this.name === null && this.error !== null) ? null : this.sha256(),
      complete: this.finished && this.completeAtClose,
      truncated: this.droppedBytes > 0,
      error: why === null ? null : why === this.error ? why.message : `not all written: the export stopped (${why.message})`,
      droppedBytes: this.droppedBytes,
      gaps: this.gaps,
      gapsOmitted: this.gapsOmitted,
      missingBytes: this.missingBytes,
      conflicts: this.conflicts,
      stats: this.stats,
    };
  }

  /** The hash of the bytes so far: digested once when the file is done (a copy of the state before). */
  private sha256(): string {
    if (this.digest !== null) return this.digest;
    if (this.hash === null) return EMPTY_SHA256;
    if (!this.finished) return this.hash.copy().digest('hex');
    this.digest = this.hash.digest('hex');
    this.hash = null;
    return this.digest;
  }

  // --- buffer and file handling ---

  /** Writes the buffered bytes (one write or writev) and gives the chunks back to the pool. */
  flushBuffer(): void {
    const n = this.nChunks;
    if (n === 0) return;
    const chunks = this.buffer;
    const bytes = this.buffered;
    const last = this.lastUsed;
    this.nChunks = 0;
    this.lastUsed = 0;
    this.buffered = 0;
    this.ctx.chunks.giveBack(this, chunks, n);
    if (bytes === 0 || this.error !== null) return;
    if (this.isCut()) {
      this.droppedBytes += bytes;
      return;
    }
    // The chunks are back in the pool but nothing can take them before this write returns (no callbacks).
    if (n === 1) this.writeOut(chunks[0], 0, bytes);
    else this.writeChunks(chunks, n, last, bytes);
  }

  /**
   * The chunk to copy into next, with room in it: the last one, or a new one from the pool, or, when the
   * buffer is full, after flushing it. Null after an error.
   */
  private room(): Buffer | null {
    const pool = this.ctx.chunks;
    if (this.nChunks > 0 && this.lastUsed < this.lastCap) {
      pool.touch(this);
      return this.buffer[this.nChunks - 1];
    }
    if (this.buffered >= this.ctx.bufferSize) this.flushBuffer();
    if (this.error !== null) return null;
    // take() may flush this very file to free a chunk: read the counters only after it returns.
    const chunk = pool.take(this, this.nChunks === 0);
    if (this.error !== null) {
      this.ctx.chunks.giveBack(this, [chunk], 1);
      return null;
    }
    this.buffer[this.nChunks++] = chunk;
    this.lastUsed = 0;
    // After a small first chunk the regular ones end off the 8 KiB grid: the last is used only up to the buffer size.
    this.lastCap = Math.min(chunk.length, this.ctx.bufferSize - this.buffered);
    return chunk;
  }

  releaseFd(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    this.ctx.files.closed(this);
    try {
      this.ctx.fs.closeSync(fd);
    } catch (err) {
      this.fail(err, 'close');
    }
  }

  private fillZeros(n: number): void {
    while (n > 0 && this.error === null && !this.isCut()) {
      if (this.buffered === 0 && n >= this.ctx.bufferSize) {
        // Large hole: hash the zeros but leave the file sparse (the next write, or finish, extends it).
        if (!this.open()) return;
        const h = this.hasher();
        for (let left = n; left > 0; left -= ZEROS.length) h.update(left >= ZEROS.length ? ZEROS : ZEROS.subarray(0, left));
        this.position += n;
        return;
      }
      const chunk = this.room();
      if (chunk === null) return;
      const k = Math.min(n, this.lastCap - this.lastUsed);
      chunk.fill(0, this.lastUsed, this.lastUsed + k);
      this.lastUsed += k;
      this.buffered += k;
      n -= k;
    }
  }

  private hasher(): Hash {
    if (this.hash === null) this.hash = createHash('sha256');
    return this.hash;
  }

  private writeOut(buf: Buffer, offset: number, length: number): void {
    if (!this.open()) {
      this.droppedBytes += length;
      return;
    }
    try {
      let done = 0;
      while (done < length) {
        done += this.ctx.fs.writeSync(this.fd, buf, offset + done, length - done, this.position + done);
      }
    } catch (err) {
      this.droppedBytes += length;
      this.fail(err, 'write');
      return;
    }
    this.hasher().update(offset === 0 && length === buf.length ? buf : buf.subarray(offset, offset + length));
    this.position += length;
    if (this.position > this.fileSize) this.fileSize = this.position;
  }

  /** Writes chunks[0, n) (all full but the last, which holds `last` bytes), `bytes` in all, with one writev. */
  private writeChunks(chunks: Buffer[], n: number, last: number, bytes: number): void {
    if (!this.open()) {
      this.droppedBytes += bytes;
      return;
    }
    const views = chunks.slice(0, n);
    if (last < chunks[n - 1].length) views[n - 1] = chunks[n - 1].subarray(0, last);
    try {
      let done = this.ctx.fs.writevSync(this.fd, views, this.position);
      // A short writev (rare: signals, quotas) is finished view by view.
      let start = 0;
      for (let i = 0; i < n && done < bytes; i++) {
        const end = start + views[i].length;
        while (done < end) done += this.ctx.fs.writeSync(this.fd, views[i], done - start, end - done, this.position + done);
        start = end;
      }
    } catch (err) {
      this.droppedBytes += bytes;
      this.fail(err, 'write');
      return;
    }
    const h = this.hasher();
    for (let i = 0; i < n; i++) h.update(views[i]);
    this.position += bytes;
    if (this.position > this.fileSize) this.fileSize = this.position;
  }

  /** Makes sure the file is open (created on first use); false after an error. */
  private open(): boolean {
    if (this.fd >= 0) {
      this.ctx.files.touch(this);
      return true;
    }
    if (this.error !== null) return false;
    // After a full disk no new file is made; one of ours may still be reopened (to flush nothing, or to extend).
    if (this.name === null && this.isCut()) return false;
    const files = this.ctx.files;
    for (;;) {
      files.makeRoom();
      try {
        if (this.name === null) this.create();
        else this.fd = this.ctx.fs.openSync(this.path, OPEN_REOPEN);
        files.touch(this);
        return true;
      } catch (err) {
        const code = errorCode(err);
        if ((code === 'EMFILE' || code === 'ENFILE') && files.shrink()) continue;
        this.fail(err, this.name === null ? 'create' : 'reopen');
        return false;
      }
    }
  }

  /**
   * Creates the file under the first free tcpflow name: the base name, then `c1`, `c2`, ... Exclusive
   * creation means an existing file is never overwritten and names need no table of every name used: the
   * folder is the table, and a small hint map skips the probing for busy 4-tuples.
   */
  private create(): void {
    const base = flowBaseName(this.parts);
    let count = this.ctx.nameHints.get(this.parts);
    for (;;) {
      const name = withConnectionCount(base, count);
      if (!isSafeFileName(name)) throw Object.assign(new Error(`unsafe file name ${JSON.stringify(name)}`), { code: 'EINVAL' });
      const path = join(this.ctx.dir, name);
      try {
        this.fd = this.ctx.fs.openSync(path, OPEN_NEW, 0o644);
      } catch (err) {
        if (errorCode(err) === 'EEXIST') {
          count++;
          continue;
        }
        this.path = path; // so the error names the file
        throw err;
      }
      this.name = name;
      this.path = path;
      break;
    }
    this.reserve(FILE_ROW_BYTES);
    // Only a name found taken is worth a hint: most flow names are used once, and their slots would evict
    // the hints of busy ones. (A second use then probes one name more, once.)
    if (count > 0) this.ctx.nameHints.set(this.parts, count + 1);
  }

  /** True once the export stopped; the first time, remembers why (for the row). */
  private isCut(): boolean {
    if (this.cutBy !== null) return true;
    const stop = this.ctx.stopped();
    if (stop === null) return false;
    this.cutBy = stop;
    return true;
  }

  private reserve(bytes: number): void {
    this.reservedRowBytes += bytes;
    this.ctx.reserveRowSpace(bytes);
  }

  private fail(err: unknown, action: string): void {
    if (this.error !== null) return;
    const path = this.path !== '' ? this.path : join(this.ctx.dir, withConnectionCount(flowBaseName(this.parts), 0));
    this.error = fsError(err, action, path);
    if (this.fd >= 0 && (action === 'write' || action === 'extend')) {
      // A write cut short may have left part of its bytes: cut the file back to what was hashed, so the row's
      // size and sha256 describe exactly what is on disk (shrinking needs no space, even on a full disk).
      try {
        this.ctx.fs.ftruncateSync(this.fd, this.position);
        this.fileSize = this.position;
      } catch {
        this.contentUnknown = true;
      }
    }
    if (this.nChunks > 0) {
      this.ctx.chunks.giveBack(this, this.buffer, this.nChunks);
      this.droppedBytes += this.buffered;
      this.nChunks = 0;
      this.lastUsed = 0;
      this.buffered = 0;
    }
    if (this.fd >= 0) {
      const fd = this.fd;
      this.fd = -1;
      this.ctx.files.closed(this);
      try {
        this.ctx.fs.closeSync(fd);
      } catch {
        // Already failing; the first error is the one to report.
      }
    }
    this.ctx.reportError(this.error);
  }
}
