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
  private readonly held = new Map<number, T>();

  constructor(
    private readonly emit: (row: T) => void,
    private readonly maxHeld: number = DEFAULT_MAX_HELD_ROWS,
  ) {}

  /** The row of connection `id`, which ended. */
  add(id: number, row: T): void {
    if (id < this.next) {
      // Its place was passed when the bound was reached: it goes out now.
      this.lateRows++;
      this.emit(row);
      return;
    }
    if (id !== this.next) {
      this.held.set(id, row);
      if (this.held.size > this.heldPeak) this.heldPeak = this.held.size;
      // Half the bound is released at once, so a capture that keeps hitting it pays for it rarely.
      if (this.held.size > this.maxHeld) this.release(this.maxHeld >>> 1);
      return;
    }
    this.emit(row);
    this.next++;
    this.drain();
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
    return this.held.size;
  }

  private drain(): void {
    for (let r = this.held.get(this.next); r !== undefined; r = this.held.get(this.next)) {
      this.held.delete(this.next);
      this.emit(r);
      this.next++;
    }
  }

  /** Moves past missing ids, emitting held rows in order, until at most `keep` rows wait. */
  private release(keep: number): void {
    while (this.held.size > keep) {
      const r = this.held.get(this.next);
      if (r !== undefined) {
        this.held.delete(this.next);
        this.emit(r);
      }
      this.next++;
    }
    this.drain();
  }
}

/**
 * Default bound on rows waiting for a lower id: 32 768 rows (streamAnalyze holds them in columns, a few
 * hundred bytes each: about 5 to 10 MB), reached only when one connection stays open while tens of thousands
 * of later ones end; the bench's many-connections capture (10 000 open at once) peaks at about 21 000.
 */
export const DEFAULT_MAX_HELD_ROWS = 1 << 15;
