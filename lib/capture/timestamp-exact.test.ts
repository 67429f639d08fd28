import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureRecord } from './record.js';
import { Timebase } from './timestamp.js';

function reference(ts: bigint, tsresol: number, offset: number): [number, number] {
  const units = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
  return [Number(ts / units) + offset, Number(((ts % units) * 1_000_000_000n) / units)];
}

const RESOLUTIONS = [
  ...Array.from({ length: 10 }, (_, k) => k), // 10^0 .. 10^-9: exact float path
  ...Array.from({ length: 33 }, (_, n) => 0x80 | n), // 2^0 .. 2^-32: exact float path
  10, 12, 15, 0x80 | 33, 0x80 | 40, 0x80 | 63, // exotic: BigInt path
];

describe('pcapng timestamps split exactly into seconds and nanoseconds', () => {
  it('matches BigInt arithmetic for every resolution over the whole 64-bit range', () => {
    const rec = new CaptureRecord();
    fc.assert(
      fc.property(
        fc.constantFrom(...RESOLUTIONS),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        (tsresol, anyTs, offset) => {
          // Seconds beyond 2^53 cannot be exact as a number (and no capture has them): keep below.
          const units = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
          const ts = anyTs % (units << 53n);
          const tb = new Timebase(tsresol, offset);
          tb.set(rec, Number(ts >> 32n), Number(ts & 0xffffffffn));
          const [sec, nsec] = reference(ts, tsresol, offset);
          expect(rec.tsSec).toBe(sec);
          expect(rec.tsNsec).toBe(nsec);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('is exact at the edges of realistic nanosecond and microsecond timestamps', () => {
    const rec = new CaptureRecord();
    const cases: [bigint, number][] = [
      [0n, 9],
      [999_999_999n, 9],
      [1_000_000_000n, 9],
      [(1n << 53n) + 1n, 9],
      [1_700_000_000_999_999_999n, 9],
      [4_102_444_800_000_000_001n, 9], // year 2100
      [(1n << 64n) - 1n, 9],
      [(1n << 64n) - 1n, 6],
      [(1n << 64n) - 1n, 3],
      [1_700_000_000_999_999n, 6],
      [(1n << 32n) - 1n, 0x80 | 32],
      [(1n << 64n) - 1n, 0x80 | 32],
    ];
    for (const [ts, res] of cases) {
      new Timebase(res, 0).set(rec, Number(ts >> 32n), Number(ts & 0xffffffffn));
      expect([rec.tsSec, rec.tsNsec], `${ts} at ${res}`).toEqual(reference(ts, res, 0));
    }
  });
});
