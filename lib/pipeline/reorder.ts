/**
 * Puts rows that arrive in any order back into id order (ids are dense: 0, 1, 2, ... as connections start),
 * emitting each as soon as every lower id has been emitted. Connections mostly end in the order they began,
 * so only the rows behind a connection that is still open wait here.
 *
 * Bounded: when more than `maxHeld` rows wait (one connection open for the whole capture while a million
 * others come and go), the oldest waiting rows are emitted anyway, in id order, and the ids they skip over
 * are emitted when they end, late (counted in {@link lateRows}). Memory is therefore at most `maxHeld` rows
 * whatever the capture holds; the order is exact whenever that bound was not reached.
 */
export class IdReorder<T> {
  /** Rows emitted after a higher id (their connection outlived the hold bound). */
  lateRows = 0;
  /** Most rows held at once. */
  heldPeak = 0;
  private next = 0;
  private held = 0;
  /**
   * Held rows by id, at `id & mask`: every held id lies in [next, next + ring.length), so the ring is indexed
   * without a hash. It grows (doubling) when a row arrives further ahead than that; the span it must cover is
   * at most the rows held plus the connections still open before them, both bounded.
   */
  private ring: Array<T | undefined> = new Array<T | undefined>(1024).fill(undefined);
  private mask = 1023;

  constructor(
    private readonly emit: (row: T) => void,
    private readonly maxHeld: number = DEFAULT_MAX_HELD_ROWS,
  ) {}

  /** The row of connection `id`, which ended. */
  add(id: number, row: T): void {
    if (id === this.next) {
      // The common case: connections mostly end in the order they began.
      this.emit(row);
      this.next++;
      if (this.held > 0) this.drain();
      return;
    }
    if (id < this.next) {
      // Its place was passed when the bound was reached: it goes out now.
      this.lateRows++;
      this.emit(row);
      return;
    }
    if (id - this.next > this.mask) this.grow(id - this.next + 1);
    this.ring[id & this.mask] = row;
    if (++this.held > this.heldPeak) this.heldPeak = this.held;
    // Half the bound is released at once, so a capture that keeps hitting it pays for it rarely.
    if (this.held > this.maxHeld) this.release(this.maxHeld >>> 1);
  }

  /** True when a row for `id` would go out at once (it is the next id, or late), rather than wait. */
  ready(id: number): boolean {
    return id <= this.next;
  }

  /** Emits every held row in id order (the end of the capture: nothing else will come). */
  flush(): void {
    this.release(0);
  }

  /** Rows waiting. */
  get size(): number {
    return this.held;
  }

  private drain(): void {
    const ring = this.ring;
    for (;;) {
      const i = this.next & this.mask;
      const r = ring[i];
      if (r === undefined) return;
      ring[i] = undefined;
      this.held--;
      this.next++;
      this.emit(r);
    }
  }

  /** Moves past missing ids, emitting held rows in order, until at most `keep` rows wait. */
  private release(keep: number): void {
    const ring = this.ring;
    while (this.held > keep) {
      const i = this.next & this.mask;
      const r = ring[i];
      this.next++;
      if (r !== undefined) {
        ring[i] = undefined;
        this.held--;
        this.emit(r);
      }
    }
    this.drain();
  }

  /** A ring covering at least `span` ids from `next`, the held rows moved to their new places. */
  private grow(span: number): void {
    let size = this.ring.length * 2;
    while (size < span) size *= 2;
    const old = this.ring;
    const ring = new Array<T | undefined>(size).fill(undefined);
    const mask = size - 1;
    // Held ids all lie in [next, next + old.length): each old index maps to exactly one of them.
    for (let k = 0; k < old.length; k++) {
      const id = this.next + k;
      const r = old[id & (old.length - 1)];
      if (r !== undefined) ring[id & mask] = r;
    }
    this.ring = ring;
    this.mask = mask;
  }
}

/**
 * Default bound on rows waiting for a lower id: 32 768 rows (streamAnalyze holds them in columns, a few
 * hundred bytes each: about 5 to 10 MB), reached only when one connection stays open while tens of thousands
 * of later ones end; the bench's many-connections capture (10 000 open at once) peaks at about 21 000.
 */
export const DEFAULT_MAX_HELD_ROWS = 1 << 15;
