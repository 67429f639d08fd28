import { describe, expect, it } from 'vitest';
import { TIME_BINS, TimeBins } from './time-bins.js';

describe('TimeBins', () => {
  it('widens its bins as the capture goes on and loses no count', () => {
    const bins = new TimeBins(0.001);
    for (let i = 0; i < 10_000; i++) bins.segment(100 + i * 0.01, 10);
    bins.connection(100);
    bins.connection(199.99);
    const j = bins.json();
    expect(j.segments.length).toBeLessThanOrEqual(TIME_BINS);
    expect(j.segments.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(j.bytes.reduce((a, b) => a + b, 0)).toBe(100_000);
    expect(j.starts.reduce((a, b) => a + b, 0)).toBe(2);
    // 100 s in at most 240 bins of a doubling width: 0.512 s.
    expect(j.width).toBe(0.512);
    expect(j.start).toBe(100);
    // Even traffic stays even: every full bin holds the same count (51 or 52 segments).
    for (const n of j.segments.slice(0, -1)) expect(n === 51 || n === 52).toBe(true);
  });

  it('puts a time before the first into the first bin', () => {
    const bins = new TimeBins();
    bins.segment(10, 1);
    bins.segment(5, 1);
    expect(bins.json().segments).toEqual([2]);
  });
});
