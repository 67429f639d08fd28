import { describe, expect, it } from 'vitest';
import { HalfStats } from '../reassembly/index.js';
import { addHalfStats } from './totals.js';

/** Every numeric counter of HalfStats, found at run time: a counter added to the engine is in this list. */
const NUMERIC_KEYS = Object.keys(new HalfStats()).filter((k) => typeof (new HalfStats() as unknown as Record<string, unknown>)[k] === 'number');

function filled(base: number): HalfStats {
  const s = new HalfStats();
  const r = s as unknown as Record<string, number | boolean>;
  NUMERIC_KEYS.forEach((k, i) => (r[k] = base + i * 1000 + 1));
  s.startMissing = true;
  return s;
}

describe('run totals add every counter of both directions', () => {
  it('each numeric HalfStats field is summed, none left out, booleans untouched', () => {
    const total = new HalfStats();
    addHalfStats(total, filled(0));
    addHalfStats(total, filled(7));
    const r = total as unknown as Record<string, number | boolean>;
    const missing = NUMERIC_KEYS.filter((k, i) => r[k] !== 2 * (i * 1000 + 1) + 7);
    expect(missing, `HalfStats counters addHalfStats does not sum: ${missing.join(', ')}`).toEqual([]);
    expect(total.startMissing).toBe(false);
  });
});
