/**
 * A column of numbers appended in order and read back exactly, stored in typed-array blocks that each take
 * the narrowest type their values fit (Uint8, Uint16, Uint32, else Float64). Report counters are mostly
 * small, so a million rows of them cost a few bytes each instead of a boxed property each; a value that does
 * not fit widens only its own block, once, and nothing is ever rounded.
 */

type Block = Uint8Array | Uint16Array | Uint32Array | Float64Array;

/** Rows per block: large enough that per-block overhead is nothing, small enough that widening one is cheap. */
export const BLOCK_ROWS = 1 << 14;
const SHIFT = 14;
const MASK = BLOCK_ROWS - 1;

/** Largest value of each integer block type; anything else (negative, fractional, larger, NaN) goes to Float64. */
const U8 = 0xff;
const U16 = 0xffff;
const U32 = 0xffffffff;
/** Limit of a Float64 block: it holds anything. */
const ANY = -1;

/** A block wide enough for `v` and the values of `b` (copied). */
function widen(b: Block, v: number): { block: Block; limit: number } {
  let next: Block;
  let limit: number;
  if (v >= 0 && Number.isInteger(v) && v <= U32 && b.BYTES_PER_ELEMENT < 4) {
    if (v <= U16 && b.BYTES_PER_ELEMENT < 2) {
      next = new Uint16Array(BLOCK_ROWS);
      limit = U16;
    } else {
      next = new Uint32Array(BLOCK_ROWS);
      limit = U32;
    }
  } else {
    next = new Float64Array(BLOCK_ROWS);
    limit = ANY;
  }
  next.set(b);
  return { block: next, limit };
}

/** Append-only exact number column. */
export class NumberColumn {
  private readonly blocks: Block[] = [];
  /** Per block: the largest integer it holds, or ANY for a Float64 block. */
  private readonly limits: number[] = [];

  /** Stores `v` at row `i`; rows are written in order (i is the row count so far, or an existing row). */
  set(i: number, v: number): void {
    const bi = i >>> SHIFT;
    while (this.blocks.length <= bi) {
      this.blocks.push(new Uint8Array(BLOCK_ROWS));
      this.limits.push(U8);
    }
    const limit = this.limits[bi]!;
    // Fits: a whole number from 0 to the limit (NaN fails every comparison and widens to Float64).
    if (limit !== ANY && !(v >= 0 && v <= limit && Math.floor(v) === v)) {
      // Widen until it fits: Uint16 may still be too narrow for the next value, widen() picks the right one.
      const w = widen(this.blocks[bi]!, v);
      this.blocks[bi] = w.block;
      this.limits[bi] = w.limit;
    }
    this.blocks[bi]![i & MASK] = v;
  }

  get(i: number): number {
    return this.blocks[i >>> SHIFT]![i & MASK]!;
  }

  /** Bytes held by the blocks. */
  get bytes(): number {
    let n = 0;
    for (const b of this.blocks) n += b.byteLength;
    return n;
  }
}
