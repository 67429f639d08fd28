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

/** Limits of the integer block types; anything else (negative, fractional, larger, NaN) goes to Float64. */
const LIMITS = [0xff, 0xffff, 0xffffffff] as const;

function widen(b: Block, v: number): Block {
  let next: Block;
  if (v >= 0 && Number.isInteger(v)) {
    if (v <= LIMITS[1] && b.BYTES_PER_ELEMENT < 2) next = new Uint16Array(BLOCK_ROWS);
    else if (v <= LIMITS[2] && b.BYTES_PER_ELEMENT < 4) next = new Uint32Array(BLOCK_ROWS);
    else next = new Float64Array(BLOCK_ROWS);
  } else {
    next = new Float64Array(BLOCK_ROWS);
  }
  next.set(b);
  return next;
}

function fits(b: Block, v: number): boolean {
  if (b instanceof Float64Array) return true;
  return v >= 0 && v <= LIMITS[Math.log2(b.BYTES_PER_ELEMENT)]! && Number.isInteger(v);
}

/** Append-only exact number column. */
export class NumberColumn {
  private readonly blocks: Block[] = [];

  /** Stores `v` at row `i`; rows are written in order (i is the row count so far, or an existing row). */
  set(i: number, v: number): void {
    const bi = i >>> SHIFT;
    while (this.blocks.length <= bi) this.blocks.push(new Uint8Array(BLOCK_ROWS));
    let b = this.blocks[bi]!;
    if (!fits(b, v)) {
      // Widen until it fits: Uint16 may still be too narrow for the next value, widen() picks the right one.
      b = widen(b, v);
      this.blocks[bi] = b;
    }
    b[i & MASK] = v;
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
