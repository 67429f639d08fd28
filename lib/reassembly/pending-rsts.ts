/**
 * The connections whose RST waits for evidence (rstPolicy 'evidence'), oldest RST first. RSTs come in capture
 * order, so appending keeps the list sorted and the assembler only ever looks at its head: an RST older than
 * `rstEvidenceSec` is taken as having ended its connection. Linked through the connections' own fields.
 */
import type { Connection } from './connection.js';

export class PendingRsts {
  head: Connection | null = null;
  private tail: Connection | null = null;

  /** Appends a connection whose RST just came. */
  add(c: Connection): void {
    c.rstPrev = this.tail;
    c.rstNext = null;
    if (this.tail !== null) this.tail.rstNext = c;
    else this.head = c;
    this.tail = c;
  }

  /** Takes a connection off the list (its RST was decided). */
  remove(c: Connection): void {
    if (c.rstPrev !== null) c.rstPrev.rstNext = c.rstNext;
    else if (this.head === c) this.head = c.rstNext;
    else return;
    if (c.rstNext !== null) c.rstNext.rstPrev = c.rstPrev;
    else this.tail = c.rstPrev;
    c.rstPrev = c.rstNext = null;
  }
}
