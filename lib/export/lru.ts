/** A node of an intrusive least-recently-used list, created once per owner so moving it allocates nothing. */
export class LruLink<T> {
  prev: LruLink<T> | null = null;
  next: LruLink<T> | null = null;
  linked = false;
  constructor(readonly owner: T) {}
}

/** Doubly linked list ordered from least to most recently used; every operation is O(1). */
export class LruList<T> {
  private head: LruLink<T> | null = null;
  private tail: LruLink<T> | null = null;
  size = 0;

  /** Makes `link` the most recently used, adding it if absent. */
  touch(link: LruLink<T>): void {
    if (link.linked) {
      if (this.tail === link) return;
      this.unlink(link);
    }
    link.prev = this.tail;
    link.next = null;
    if (this.tail !== null) this.tail.next = link;
    else this.head = link;
    this.tail = link;
    link.linked = true;
    this.size++;
  }

  /** Removes `link` if present. */
  remove(link: LruLink<T>): void {
    if (link.linked) this.unlink(link);
  }

  /** The least recently used owner, or null when empty. */
  oldest(): T | null {
    return this.head === null ? null : this.head.owner;
  }

  private unlink(link: LruLink<T>): void {
    if (link.prev !== null) link.prev.next = link.next;
    else this.head = link.next;
    if (link.next !== null) link.next.prev = link.prev;
    else this.tail = link.prev;
    link.prev = link.next = null;
    link.linked = false;
    this.size--;
  }
}
