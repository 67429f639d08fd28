/** The shard hash of a run on several threads: both directions alike, and blind to VLAN tags and tunnels. */
import { describe, expect, it } from 'vitest';
import { tupleHash } from './hash.js';

const a = new Uint32Array([0, 0, 0, 0x0a000001]);
const b = new Uint32Array([0, 0, 0, 0x0a000002]);

describe('tupleHash', () => {
  it('is the same both ways, and differs with a port or an address', () => {
    expect(tupleHash(a, 40000, b, 80)).toBe(tupleHash(b, 80, a, 40000));
    expect(tupleHash(a, 40001, b, 80)).not.toBe(tupleHash(a, 40000, b, 80));
    expect(tupleHash(b, 40000, b, 80)).not.toBe(tupleHash(a, 40000, b, 80));
  });

  it('spreads consecutive client ports evenly over 2 and 3 shards', () => {
    for (const n of [2, 3]) {
      const counts = new Array<number>(n).fill(0);
      for (let p = 30000; p < 40000; p++) counts[tupleHash(a, p, b, 80) % n]!++;
      for (const c of counts) expect(Math.abs(c - 10000 / n)).toBeLessThan(10000 / n / 10);
    }
  });
});
