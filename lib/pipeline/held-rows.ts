import { ROW_FIELDS } from '../schema/row.js';

/** Slots per block: blocks are added as more rows wait, never copied. */
const SLOTS_PER_BLOCK = 1024;
const SHIFT = 10;

/**
 * Slots for rows that wait in the reorder buffer for a lower id, or for a slow output: each a run of {@link ROW_FIELDS} numbers in
 * Float64Array blocks, written straight from the engine (see writeRow). Freed slots are reused, so the blocks
 * grow only to the most rows waiting at once (8 * ROW_FIELDS bytes a row: about 5.7 MB per 8 192 rows).
 * Float64 rather than narrower columns: any counter fits exactly, and writing a row is one store a field.
 */
export class HeldRows {
  private readonly blocks: Float64Array[] = [];
  private free: Int32Array = new Int32Array(64);
  private freeCount = 0;
  private slots = 0;

  /** A slot to write a row into. */
  alloc(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount]!;
    const s = this.slots++;
    if (s >>> SHIFT >= this.blocks.length) this.blocks.push(new Float64Array(SLOTS_PER_BLOCK * ROW_FIELDS));
    return s;
  }

  /** Gives a slot back once its row has been handed over. */
  release(slot: number): void {
    if (this.freeCount === this.free.length) {
      const bigger = new Int32Array(this.free.length * 2);
      bigger.set(this.free);
      this.free = bigger;
    }
    this.free[this.freeCount++] = slot;
  }

  /** The block holding `slot`. */
  values(slot: number): Float64Array {
    return this.blocks[slot >>> SHIFT]!;
  }

  /** Where `slot`'s row starts in its block. */
  offset(slot: number): number {
    return (slot & (SLOTS_PER_BLOCK - 1)) * ROW_FIELDS;
  }

  /** Bytes of the blocks. */
  get bytes(): number {
    return this.blocks.length * SLOTS_PER_BLOCK * ROW_FIELDS * 8;
  }
}

/** A first-in first-out queue of slots (growing by doubling, never shrinking): the rows due for output. */
export class SlotQueue {
  private ring = new Int32Array(1024);
  private head = 0;
  /** Slots queued. */
  size = 0;

  push(slot: number): void {
    if (this.size === this.ring.length) {
      const bigger = new Int32Array(this.ring.length * 2);
      for (let i = 0; i < this.size; i++) bigger[i] = this.ring[(this.head + i) & (this.ring.length - 1)]!;
      this.ring = bigger;
      this.head = 0;
    }
    this.ring[(this.head + this.size++) & (this.ring.length - 1)] = slot;
  }

  /** The oldest slot, removed; the queue must not be empty. */
  shift(): number {
    const slot = this.ring[this.head]!;
    this.head = (this.head + 1) & (this.ring.length - 1);
    this.size--;
    return slot;
  }
}
