import { describe, expect, it } from 'vitest';
import { TimeRange } from './time-range.js';

describe('TimeRange: [since, until) to the nanosecond', () => {
  it('holds records from since, up to but not including until', () => {
    const r = new TimeRange({ sec: 1_795_648_459, nsec: 402_372_001 }, { sec: 1_795_648_460, nsec: 5 });
    expect(r.holds(1_795_648_459, 402_372_000)).toBe(false);
    expect(r.holds(1_795_648_459, 402_372_001)).toBe(true);
    expect(r.holds(1_795_648_460, 4)).toBe(true);
    expect(r.holds(1_795_648_460, 5)).toBe(false);
  });

  it('a relative bound counts from the first record asked about, carrying into the seconds', () => {
    const r = new TimeRange({ afterStartNs: 1_500_000_000 });
    expect(r.holds(100, 600_000_000)).toBe(false);
    expect(r.holds(102, 99_999_999)).toBe(false);
    expect(r.holds(102, 100_000_000)).toBe(true);
  });

  it('no bound: inactive', () => {
    expect(new TimeRange().active).toBe(false);
  });
});
