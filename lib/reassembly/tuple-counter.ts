/**
 * Connections seen per 4-tuple hash, to number port reuse: an open-addressing table of two Int32Arrays (hash,
 * count), bounded, cleared when full. Replaces a Map<number, number> of up to a million entries, whose inserts
 * and rehashes were a tenth of the engine's time on many short connections and kept the heap large for the GC.
 */
export class TupleCounter {
  private keys = new Int32Array(4096);
  /** 0 marks an empty slot (a remembered tuple has count >= 1). */
  private counts = new Int32Array(4096);
  private mask = 4095;
  /** Tuples remembered. */
  size = 0;

  /** @param max tuples remembered at most; when a new one would pass it, everything is forgotten first */
  constructor(private readonly max: number) {}

  /** Counts one more connection on `hash`; returns how many there were before. */
  next(hash: number): number {
    const h = hash | 0;
    let i = this.find(h);
    const n = this.counts[i]!;
    if (n === 0) {
      if (this.size >= this.max) {
        this.clear();
        i = this.find(h);
      } else if (2 * (this.size + 1) > this.keys.length) {
        this.grow();
        i = this.find(h);
      }
      this.keys[i] = h;
      this.size++;
    }
    this.counts[i] = n + 1;
    return n;
  }

  /** Forgets every tuple (keeps the table's size). */
  clear(): void {
    this.counts.fill(0);
    this.size = 0;
  }

  private find(h: number): number {
    const mask = this.mask;
    // Fibonacci scrambling: flow hashes are already mixed, but the low bits alone must spread too.
    let i = Math.imul(h, 0x9e3779b1) & mask;
    for (;;) {
      if (this.counts[i] === 0 || this.keys[i] === h) return i;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const n = oldKeys.length * 2;
    this.keys = new Int32Array(n);
    this.counts = new Int32Array(n);
    this.mask = n - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const c = oldCounts[j]!;
      if (c === 0) continue;
      const i = this.find(oldKeys[j]!);
      this.keys[i] = oldKeys[j]!;
      this.counts[i] = c;
    }
  }
}
