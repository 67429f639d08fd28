import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatRate } from './format.js';
import { compareEpoch, durationNs, epochNs, formatCaptureTime, formatEpoch } from './time.js';

describe('human sizes, counts, durations and rates', () => {
  it('sizes: SI units, three significant digits, exact below 1 kB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.00 kB');
    expect(formatBytes(1234)).toBe('1.23 kB');
    expect(formatBytes(99_949)).toBe('99.9 kB');
    expect(formatBytes(999_499)).toBe('999 kB');
    expect(formatBytes(999_500)).toBe('1.00 MB'); // never "1000 kB"
    expect(formatBytes(812_345_678)).toBe('812 MB');
    expect(formatBytes(1.5e9)).toBe('1.50 GB');
    expect(formatBytes(-2048)).toBe('-2.05 kB');
  });

  it('counts with thousands separators', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1234567)).toBe('1,234,567');
  });

  it('counts as toLocaleString writes them, for any number', () => {
    const intl = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 }).replace(/^-0$/, '0');
    const samples = [999, 1000, -1000, 999999, 1e6, -1234567, 2 ** 53, 1e21, 0.5, 1.5, 999.5, -0.4, NaN, Infinity];
    for (const n of samples) expect(formatCount(n), String(n)).toBe(intl(n));
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.double({ min: -1e18, max: 1e18, noNaN: true }), fc.maxSafeInteger()),
        (n) => {
          expect(formatCount(n)).toBe(intl(n));
        },
      ),
    );
  });

  it('durations from nanoseconds, each in its natural unit', () => {
    expect(formatDuration(0)).toBe('0 ns');
    expect(formatDuration(850)).toBe('850 ns');
    expect(formatDuration(12_345)).toBe('12.3 µs');
    expect(formatDuration(123_456_789)).toBe('123 ms');
    expect(formatDuration(999_999_999)).toBe('1.00 s');
    expect(formatDuration(12_345_000_000)).toBe('12.35 s');
    expect(formatDuration(725e9)).toBe('12 min 05 s');
    expect(formatDuration(3 * 3600e9 + 4 * 60e9)).toBe('3 h 04 min');
    expect(formatDuration(51 * 3600e9)).toBe('2 d 03 h');
    expect(formatDuration(-1.5e9)).toBe('-1.50 s');
  });

  it('rates: bytes per second; none when no time passed', () => {
    expect(formatRate(100e6, 1e9)).toBe('100 MB/s');
    expect(formatRate(123_456_789, 1.5e9)).toBe('82.3 MB/s');
    expect(formatRate(5, 0)).toBe('-');
  });
});

describe('capture times stay exact to the nanosecond', () => {
  it('ISO 8601 and epoch text', () => {
    expect(formatCaptureTime(1_700_000_000, 1)).toBe('2023-11-14T22:13:20.000000001Z');
    expect(formatCaptureTime(0, 999_999_999)).toBe('1970-01-01T00:00:00.999999999Z');
    expect(formatEpoch(1_700_000_000, 1000)).toBe('1700000000.000001000');
    expect(formatEpoch(-1, 250_000_000)).toBe('-0.750000000');
    expect(formatEpoch(-2, 0)).toBe('-2.000000000');
  });

  it('property: epoch text reads back to its nanoseconds, and orders as the times do (negative ones too)', () => {
    const time = fc.tuple(fc.integer({ min: -2_000_000_000, max: 4_000_000_000 }), fc.integer({ min: 0, max: 999_999_999 }));
    fc.assert(
      fc.property(time, time, ([s1, n1], [s2, n2]) => {
        const a = BigInt(s1) * 1_000_000_000n + BigInt(n1);
        const b = BigInt(s2) * 1_000_000_000n + BigInt(n2);
        expect(epochNs(formatEpoch(s1, n1))).toBe(a);
        expect(compareEpoch(formatEpoch(s1, n1), formatEpoch(s2, n2))).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
    );
  });

  it('durations between capture times', () => {
    expect(durationNs(1_700_000_000, 999_999_999, 1_700_000_001, 0)).toBe(1);
    expect(durationNs(10, 5, 10, 5)).toBe(0);
    expect(durationNs(10, 0, 9, 0)).toBe(-1e9);
  });
});
