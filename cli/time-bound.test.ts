import { describe, expect, it } from 'vitest';
import { parseTimeBound } from './time-bound.js';

describe('--since / --until values', () => {
  it.each([
    ['1700000000', { sec: 1_700_000_000, nsec: 0 }],
    ['1700000000.25', { sec: 1_700_000_000, nsec: 250_000_000 }],
    ['1795648459.402372001', { sec: 1_795_648_459, nsec: 402_372_001 }],
    ['2023-11-14T22:13:20Z', { sec: 1_700_000_000, nsec: 0 }],
    ['2023-11-14 22:13:20', { sec: 1_700_000_000, nsec: 0 }],
    ['2023-11-14T23:13:20+01:00', { sec: 1_700_000_000, nsec: 0 }],
    ['2023-11-14T17:13:20.5-0500', { sec: 1_700_000_000, nsec: 500_000_000 }],
    ['2023-11-14T22:13:20.123456789Z', { sec: 1_700_000_000, nsec: 123_456_789 }],
    ['2023-11-14', { sec: 1_699_920_000, nsec: 0 }],
    ['+10m', { afterStartNs: 600e9 }],
    ['+1.5s', { afterStartNs: 1.5e9 }],
  ])('%s', (text, want) => {
    expect(parseTimeBound(text)).toEqual(want);
  });

  it.each(['yesterday', '2023-13-01', '2023-11-14T25:00', '+soon', '-5', ''])('refuses %j', (text) => {
    expect(parseTimeBound(text)).toBeNull();
  });
});
