/**
 * The connections a flush may have to act on: every connection with queued pages or a FIN waiting is on this
 * list, so a flush by age visits those instead of every open connection. Linked through the connections' own
 * fields (no allocation); removal is lazy (at the next flush, or at close).
 */
import type { Connection } from './connection.js';

export class FlushList {
  /** First connection on the list, null when empty. */
  head: Connection | null = null;

  /** Puts a connection on the list (once). */
  note(c: Connection): void {
    if (c.inFlushList) return;
    c.inFlushList = true;
    c.flushPrev = null;
    c.flushNext = this.head;
    if (this.head !== null) this.head.flushPrev = c;
    this.head = c;
  }

  /** Takes a connection off the list (if on it). */
  unlist(c: Connection): void {
    if (!c.inFlushList) return;
    c.inFlushList = false;
    if (c.flushPrev !== null) c.flushPrev.flushNext = c.flushNext;
    else this.head = c.flushNext;
    if (c.flushNext !== null) c.flushNext.flushPrev = c.flushPrev;
    c.flushPrev = c.flushNext = null;
  }
}

/** Does a connection still belong on the list: a direction with queued pages or a FIN waiting? */
export function flushable(c: Connection): boolean {
  if (c.rstPending) return true;
  for (let i = 0; i < 2; i++) {
    const h = c.halves[i]!;
    if (!h.closed && (h.first !== null || h.finPending)) return true;
  }
  return false;
}
