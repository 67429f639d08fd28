import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLOCK_ROWS, NumberColumn } from './number-column.js';

describe('a number column reads back exactly what was stored', () => {
  it('any values, in order, rewritten at random: equal to a plain array (0, -0, NaN, fractions, huge)', () => {
    const value = fc.oneof(fc.constantFrom(0, -0, 1, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, NaN, -1, 0.5, 1e300), fc.nat(), fc.double());
    fc.assert(
      fc.property(fc.array(value, { maxLength: 3 * BLOCK_ROWS }), fc.array(fc.tuple(fc.nat(), value), { maxLength: 50 }), (values, rewrites) => {
        const col = new NumberColumn();
        const ref = [...values];
        values.forEach((v, i) => col.set(i, v));
        for (const [at, v] of rewrites) {
          if (ref.length === 0) break;
          col.set(at % ref.length, v);
          ref[at % ref.length] = v;
        }
        for (let i = 0; i < ref.length; i++) expect(Object.is(col.get(i), ref[i])).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('a block of one value holds no array; the first other value makes the narrowest one', () => {
    const col = new NumberColumn();
    for (let i = 0; i < BLOCK_ROWS; i++) col.set(i, 0);
    expect(col.bytes).toBe(0);
    col.set(BLOCK_ROWS, 7);
    col.set(BLOCK_ROWS + 1, 7);
    expect(col.bytes).toBe(0);
    col.set(BLOCK_ROWS + 2, 300);
    expect(col.bytes).toBe(2 * BLOCK_ROWS);
    expect([col.get(0), col.get(BLOCK_ROWS + 1), col.get(BLOCK_ROWS + 2), col.get(BLOCK_ROWS + 3)]).toEqual([0, 7, 300, 7]);
  });
});
