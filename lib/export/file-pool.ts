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

/** Something that holds a write buffer and can flush it to give it back. */
export interface SlabHolder {
  readonly slabLink: LruLink<SlabHolder>;
  /** Writes the buffered bytes out and returns the buffer to the pool. */
  flushSlab(): void;
}

/**
 * Fixed-size write buffers shared by all files, bounded in total: a file gets a buffer when it has bytes to
 * hold and gives it back when flushed; when all are out, the least recently written file is flushed to free
 * one. Buffers are allocated once, up to the bound, and reused: no allocation per packet.
 */
export class SlabPool {
  private readonly free: Buffer[] = [];
  private readonly holders = new LruList<SlabHolder>();
  private allocated = 0;
  readonly maxSlabs: number;
  /** Buffers flushed early to free memory for another file. */
  forcedFlushes = 0;

  constructor(
    readonly slabSize: number,
    maxBytes: number,
  ) {
    this.maxSlabs = Math.max(1, Math.floor(maxBytes / slabSize));
  }

  /** A buffer for `holder`, flushing another holder if the bound is reached. */
  acquire(holder: SlabHolder): Buffer {
    let slab = this.free.pop();
    if (slab === undefined) {
      if (this.allocated < this.maxSlabs) {
        this.allocated++;
        slab = Buffer.allocUnsafe(this.slabSize);
      } else {
        const victim = this.holders.oldest();
        if (victim === null) throw new Error('SlabPool: no buffer and no holder'); // cannot happen: maxSlabs >= 1
        this.forcedFlushes++;
        victim.flushSlab(); // gives its buffer back through release()
        slab = this.free.pop()!;
      }
    }
    this.holders.touch(holder.slabLink);
    return slab;
  }

  /** Marks `holder` as the most recently written. */
  touch(holder: SlabHolder): void {
    this.holders.touch(holder.slabLink);
  }

  /** Returns a holder's buffer. */
  release(holder: SlabHolder, slab: Buffer): void {
    this.holders.remove(holder.slabLink);
    this.free.push(slab);
  }

  /** Bytes of buffer memory allocated so far (never more than maxSlabs * slabSize). */
  get allocatedBytes(): number {
    return this.allocated * this.slabSize;
  }
}
