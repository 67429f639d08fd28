import { LruList, type LruLink } from './lru.js';

/** Something that holds an open file descriptor and can give it up (flushing first if it must). */
export interface FdHolder {
  readonly fdLink: LruLink<FdHolder>;
  /** Closes the descriptor; the holder reopens its file for writing at its position when it next needs it. */
  releaseFd(): void;
}

/**
 * Bounds the number of open files whatever the number of connections: holders register here when they
 * open a file; when the bound is reached the least recently used holder closes its file first. Files are
 * reopened (not appended to: positional writes) when written again, so a closed file costs one open later.
 */
export class FilePool {
  private readonly lru = new LruList<FdHolder>();
  /** Current bound; lowered when the system says EMFILE/ENFILE below it. */
  limit: number;
  /** Files closed to make room (a measure of churn). */
  evictions = 0;

  constructor(limit: number) {
    this.limit = Math.max(1, Math.floor(limit));
  }

  get open(): number {
    return this.lru.size;
  }

  /** Makes room for one more open file: closes least recently used files until below the bound. */
  makeRoom(): void {
    while (this.lru.size >= this.limit) {
      const victim = this.lru.oldest();
      if (victim === null) return;
      this.evictions++;
      victim.releaseFd(); // calls closed()
    }
  }

  /**
   * After EMFILE/ENFILE: the process or system cannot open as many files as the bound allows. Closes the
   * least recently used file and lowers the bound to what is open now. False when nothing is left to close.
   */
  shrink(): boolean {
    const victim = this.lru.oldest();
    if (victim === null) return false;
    this.limit = Math.max(1, this.lru.size - 1);
    this.evictions++;
    victim.releaseFd();
    return true;
  }

  /** Records a use of an open file (it becomes the most recently used). */
  touch(holder: FdHolder): void {
    this.lru.touch(holder.fdLink);
  }

  /** Records that a holder closed its file. */
  closed(holder: FdHolder): void {
    this.lru.remove(holder.fdLink);
  }
}

/** Something that holds write-buffer chunks and can flush them to give them back. */
export interface ChunkHolder {
  readonly chunkLink: LruLink<ChunkHolder>;
  /** Writes the buffered bytes out and returns every chunk to the pool. */
  flushBuffer(): void;
}

/**
 * Buffer chunks shared by all files, bounded in total. A file's write buffer is a short list of chunks (up
 * to its buffer size), so the memory goes where the data is: with many active streams each holds a few
 * chunks, with few streams each holds a full buffer. When all chunks are out, the least recently written
 * file is flushed to free its chunks. Chunks are allocated once, up to the bound, and reused: no allocation
 * per packet. (One whole buffer per file would thrash as soon as streams outnumber buffers: round-robin
 * traffic then flushes a packet-sized buffer on every write.)
 *
 * Two sizes: a file's first chunk is a small one (1 KiB, cut from slabs of one regular chunk), the rest are
 * regular. Most streams of a capture with many connections are a few hundred bytes long: with regular chunks
 * only, 10 000 such streams open at once filled the whole bound with chunks 95% empty, and forced flushes
 * (a file created early, reopened at its end) followed. Small chunks take at most half of the bound, so
 * regular ones always have the other half; when the small ones are all out, a first chunk is a regular one.
 */
export class ChunkPool {
  private readonly free: Buffer[] = [];
  private readonly smallFree: Buffer[] = [];
  private readonly holders = new LruList<ChunkHolder>();
  /** Regular chunks and small-chunk slabs allocated: units of chunkSize bytes. */
  private allocated = 0;
  private slabs = 0;
  readonly maxChunks: number;
  /** Size of the small chunks; equal to chunkSize when there are none (chunks too small to split). */
  readonly smallSize: number;
  private readonly maxSlabs: number;
  /** Buffers flushed early to free memory for another file. */
  forcedFlushes = 0;

  constructor(
    readonly chunkSize: number,
    maxBytes: number,
  ) {
    this.maxChunks = Math.max(1, Math.floor(maxBytes / chunkSize));
    const split = chunkSize >= 2 * SMALL_CHUNK_SIZE;
    this.smallSize = split ? SMALL_CHUNK_SIZE : chunkSize;
    this.maxSlabs = split ? Math.floor(this.maxChunks / 2) : 0;
  }

  /**
   * A chunk for `holder`: a small one when `small` and one is to be had, else a regular one, flushing the
   * least recently written holder if the bound is reached.
   */
  take(holder: ChunkHolder, small: boolean): Buffer {
    let chunk: Buffer | undefined;
    if (small && this.maxSlabs > 0) {
      chunk = this.smallFree.pop();
      if (chunk === undefined && this.slabs < this.maxSlabs && this.allocated < this.maxChunks) {
        this.allocated++;
        this.slabs++;
        const slab = Buffer.allocUnsafeSlow(this.chunkSize);
        for (let at = this.chunkSize - this.smallSize; at > 0; at -= this.smallSize) this.smallFree.push(slab.subarray(at, at + this.smallSize));
        chunk = slab.subarray(0, this.smallSize);
      }
    }
    if (chunk === undefined) chunk = this.free.pop();
    while (chunk === undefined) {
      if (this.allocated < this.maxChunks) {
        this.allocated++;
        chunk = Buffer.allocUnsafeSlow(this.chunkSize);
        break;
      }
      // Regular chunks exist (slabs take at most half of the bound) and are all held: flushing frees them.
      const victim = this.holders.oldest();
      if (victim === null) throw new Error('ChunkPool: no chunk and no holder'); // cannot happen: see above
      this.forcedFlushes++;
      victim.flushBuffer(); // gives its chunks back through giveBack()
      chunk = (small ? this.smallFree.pop() : undefined) ?? this.free.pop();
    }
    this.holders.touch(holder.chunkLink);
    return chunk;
  }

  /** Marks `holder` as the most recently written. */
  touch(holder: ChunkHolder): void {
    this.holders.touch(holder.chunkLink);
  }

  /** Returns all of a holder's chunks: `chunks[0, count)`. */
  giveBack(holder: ChunkHolder, chunks: Buffer[], count: number): void {
    this.holders.remove(holder.chunkLink);
    for (let i = 0; i < count; i++) {
      const c = chunks[i];
      if (c.length === this.chunkSize) this.free.push(c);
      else this.smallFree.push(c);
    }
  }

  /** Bytes of buffer memory allocated so far (never more than maxChunks * chunkSize). */
  get allocatedBytes(): number {
    return this.allocated * this.chunkSize;
  }
}

/** A file's first chunk: most streams of a many-connection capture fit in it. */
const SMALL_CHUNK_SIZE = 1024;
