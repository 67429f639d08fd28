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

/** A new block holding `fill` everywhere, of the narrowest type for both `fill` and `v`. */
function materialize(fill: number, v: number): { block: Block; limit: number } {
  const both = (limit: number) => fits(limit, fill) && fits(limit, v);
  const w = both(U8)
    ? { block: new Uint8Array(BLOCK_ROWS), limit: U8 }
    : both(U16)
      ? { block: new Uint16Array(BLOCK_ROWS), limit: U16 }
      : both(U32)
        ? { block: new Uint32Array(BLOCK_ROWS), limit: U32 }
        : { block: new Float64Array(BLOCK_ROWS), limit: ANY };
  w.block.fill(fill);
  return w;
}

/** Whether `v` is a whole number from 0 to `limit` (ANY: anything). NaN fails every comparison. */
function fits(limit: number, v: number): boolean {
  return limit === ANY || (v >= 0 && v <= limit && Math.floor(v) === v);
}

/**
 * Append-only exact number column. A block whose values are all the same (a counter that stays 0 on most
 * connections: conflicts, RSTs, SYN data) holds no array at all, only that value, until another comes.
 */
export class NumberColumn {
  /** Per block: its values, or null while they are all `constants[b]`. */
  private readonly blocks: Array<Block | null> = [];
  /** Per block: the largest integer it holds, or ANY for a Float64 block. */
  private readonly limits: number[] = [];
  private readonly constants: number[] = [];

  /** Stores `v` at row `i`; rows are written in order (i is the row count so far, or an existing row). */
  set(i: number, v: number): void {
    const bi = i >>> SHIFT;
    if (this.blocks.length <= bi) {
      // A new block starts as the constant of its first value (blocks are reached in order).
      while (this.blocks.length <= bi) {
        this.blocks.push(null);
        this.limits.push(U8);
        this.constants.push(v);
      }
      return;
    }
    let b = this.blocks[bi]!;
    if (b === null) {
      if (Object.is(this.constants[bi], v)) return;
      const m = materialize(this.constants[bi]!, v);
      this.blocks[bi] = b = m.block;
      this.limits[bi] = m.limit;
    }
    if (!fits(this.limits[bi]!, v)) {
      // Widen until it fits: Uint16 may still be too narrow for the next value, widen() picks the right one.
      const w = widen(b, v);
      this.blocks[bi] = b = w.block;
      this.limits[bi] = w.limit;
    }
    b[i & MASK] = v;
  }

  get(i: number): number {
    const bi = i >>> SHIFT;
    const b = this.blocks[bi]!;
    return b === null ? this.constants[bi]! : b[i & MASK]!;
  }

  /** Bytes held by the blocks. */
  get bytes(): number {
    let n = 0;
    for (const b of this.blocks) if (b !== null) n += b.byteLength;
    return n;
  }
}
