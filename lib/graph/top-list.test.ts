import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopList } from './top-list.js';

describe('TopList', () => {
  it('holds the N largest, ties to the earlier id, and never a zero', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(20), { maxLength: 200 }), fc.nat(8), (values, n) => {
        const top = new TopList(n);
        const held = new Set<number>();
        values.forEach((v, id) => {
          const out = top.offer(id, v);
          if (out !== id) held.add(id);
          if (out >= 0 && out !== id) held.delete(out);
        });
        const want = values
          .map((v, id) => ({ v, id }))
          .filter((e) => e.v > 0)
          .sort((a, b) => b.v - a.v || a.id - b.id)
          .slice(0, n)
          .map((e) => e.id);
        expect(top.ranked()).toEqual(want);
        // What offer() said went in and out adds up to what it holds.
        expect([...held].sort((a, b) => a - b)).toEqual([...want].sort((a, b) => a - b));
      }),
    );
  });
});
