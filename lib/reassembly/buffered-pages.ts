/**
 * Pages holding buffered bytes (queued out of order, or kept for a stream), taken from the page cache and
 * counted: the assembler's totals and peaks, and each direction's own.
 */
import type { HalfConnection } from './connection.js';
import type { Page, PageCache } from './memory.js';
import type { AssemblerStats } from './stats.js';

export class BufferedPages {
  constructor(
    private readonly pc: PageCache,
    private readonly stats: AssemblerStats,
  ) {}

  /** Bytes a page holds. */
  get pageSize(): number {
    return this.pc.pageSize;
  }

  /** A page for buffered bytes (the caller links it and counts it on its direction). */
  alloc(): Page {
    const p = this.pc.next();
    const s = this.stats;
    s.bufferedPages++;
    if (s.bufferedPages > s.bufferedPagesPeak) s.bufferedPagesPeak = s.bufferedPages;
    s.pagesInUse = s.bufferedPages + s.windowPages;
    if (s.pagesInUse > s.pagesPeak) s.pagesPeak = s.pagesInUse;
    return p;
  }

  /** Releases a page that was queued (already unlinked). */
  freeQueued(half: HalfConnection, p: Page): void {
    half.queuedPages--;
    this.free(half, p);
  }

  /** Releases a page of `half` (its direction's count of that kind already lowered). */
  free(half: HalfConnection, p: Page): void {
    const s = this.stats;
    s.bufferedPages--;
    s.pagesInUse = s.bufferedPages + s.windowPages;
    this.pc.release(p);
    half.notePages();
  }
}
