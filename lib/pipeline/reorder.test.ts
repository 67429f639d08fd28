import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { IdReorder } from './reorder.js';

describe('rows come out in id order however connections end', () => {
  it('any arrival order within the bound gives exact id order, each row once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }).chain((n) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n })), (ids) => {
        const out: number[] = [];
        const r = new IdReorder<number>((x) => out.push(x), 1000);
        for (const id of ids) r.add(id, id);
        r.flush();
        expect(out).toEqual([...Array(ids.length).keys()]);
        expect(r.lateRows).toBe(0);
        expect(r.size).toBe(0);
      }),
    );
  });

  it('emits a row as soon as every lower id is out, and holds only what waits', () => {
    const out: number[] = [];
    const r = new IdReorder<number>((x) => out.push(x), 100);
    r.add(1, 1);
    r.add(2, 2);
    expect(out).toEqual([]);
    expect(r.size).toBe(2);
    r.add(0, 0);
    expect(out).toEqual([0, 1, 2]);
    expect(r.size).toBe(0);
    expect(r.heldPeak).toBe(2);
  });

  it('one connection open across many: held rows stay under the bound, the open one comes late, none is lost', () => {
    const out: number[] = [];
    const r = new IdReorder<number>((x) => out.push(x), 8);
    for (let id = 1; id <= 1000; id++) {
      r.add(id, id);
      expect(r.size).toBeLessThanOrEqual(8);
    }
    r.add(0, 0);
    r.flush();
    expect(r.heldPeak).toBe(9); // the row that crossed the bound, before half was released
    expect(r.lateRows).toBe(1);
    expect(out.length).toBe(1001);
    expect([...out].sort((a, b) => a - b)).toEqual([...Array(1001).keys()]);
    expect(out.at(-1)).toBe(0);
    // Everything but the late row is in increasing order.
    const rest = out.slice(0, -1);
    expect(rest).toEqual([...rest].sort((a, b) => a - b));
  });

  it('rows arriving thousands of ids ahead of the next one still come out in order, each once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, seed) => {
        // Connection 0 and every 97th stay open the longest: the rest arrive up to n ids ahead of them.
        const ids = [...Array(n).keys()];
        const late = ids.filter((id) => id % 97 === 0);
        const early = ids.filter((id) => id % 97 !== 0);
        let x = seed;
        for (let i = early.length - 1; i > 0; i--) {
          x = (x * 1103515245 + 12345) % 2 ** 31;
          const j = x % (i + 1);
          [early[i], early[j]] = [early[j]!, early[i]!];
        }
        const out: number[] = [];
        const r = new IdReorder<number>((v) => out.push(v), n + 1);
        for (const id of [...early, ...late.reverse()]) r.add(id, id);
        expect(r.size).toBe(0);
        expect(out).toEqual(ids);
        expect(r.lateRows).toBe(0);
      }),
      { numRuns: 30 },
    );
  });
});
