import type { CaptureRecord } from './record.js';

const TWO_32 = 4294967296;
const TWO_16 = 65536;

const DECIMAL = 0;
const BINARY = 1;
/** Resolutions beyond what the exact float arithmetic below covers (finer than 1 ns decimal, 2^-33 binary). */
const EXOTIC = 2;

/**
 * How one pcapng interface's 64-bit timestamps (a count of units since the epoch, `if_tsresol` units) turn into
 * whole seconds and nanoseconds, plus `if_tsoffset`.
 *
 * At nanosecond resolution the counts exceed 2^53, so a plain `hi * 2^32 + lo` would lose the last digits. The
 * split below is exact with doubles: a long division in base 2^16 keeps every intermediate under 2^46. Only
 * exotic resolutions (decimal finer than 1 ns, binary finer than 2^-32) take a BigInt path, which allocates.
 */
export class Timebase {
  /** Timestamp units per second (approximate as a number for exotic resolutions). */
  readonly unitsPerSecond: number;
  private readonly kind: number;
  /** DECIMAL: 10^k; BINARY: unused. */
  private readonly divisor: number;
  /** DECIMAL: nanoseconds per unit, 10^(9-k). */
  private readonly nsPerUnit: number;
  /** BINARY: n of 2^-n. */
  private readonly shift: number;
  private readonly bigUnits: bigint;

  /**
   * @param tsresol raw `if_tsresol` byte: bit 7 clear, a negative power of 10; set, a negative power of 2.
   * @param offsetSec `if_tsoffset`, seconds added to every timestamp.
   */
  constructor(
    readonly tsresol: number,
    readonly offsetSec: number,
  ) {
    const exp = tsresol & 0x7f;
    const binary = (tsresol & 0x80) !== 0;
    this.shift = exp;
    if (binary) {
      this.kind = exp <= 32 ? BINARY : EXOTIC;
      this.unitsPerSecond = 2 ** exp;
      this.bigUnits = 1n << BigInt(exp);
      this.divisor = 0;
      this.nsPerUnit = 0;
    } else {
      this.kind = exp <= 9 ? DECIMAL : EXOTIC;
      this.unitsPerSecond = 10 ** exp;
      this.bigUnits = 10n ** BigInt(exp);
      this.divisor = exp <= 9 ? 10 ** exp : 0;
      this.nsPerUnit = exp <= 9 ? 10 ** (9 - exp) : 0;
    }
  }

  /** Writes the time of a `hi:lo` unit count into `rec.tsSec` / `rec.tsNsec` (nanoseconds truncated, not rounded). */
  set(rec: CaptureRecord, hi: number, lo: number): void {
    if (this.kind === DECIMAL) {
      const d = this.divisor;
      const qh = Math.floor(hi / d);
      let r = hi - qh * d;
      let cur = r * TWO_16 + (lo >>> 16);
      const q1 = Math.floor(cur / d);
      r = cur - q1 * d;
      cur = r * TWO_16 + (lo & 0xffff);
      const q0 = Math.floor(cur / d);
      r = cur - q0 * d;
      rec.tsSec = qh * TWO_32 + q1 * TWO_16 + q0 + this.offsetSec;
      rec.tsNsec = r * this.nsPerUnit;
    } else if (this.kind === BINARY) {
      const n = this.shift;
      let sec: number;
      let r: number;
      if (n === 0) {
        rec.tsSec = hi * TWO_32 + lo + this.offsetSec;
        rec.tsNsec = 0;
        return;
      } else if (n === 32) {
        sec = hi;
        r = lo;
      } else {
        sec = hi * 2 ** (32 - n) + (lo >>> n);
        r = lo - (lo >>> n) * 2 ** n;
      }
      rec.tsSec = sec + this.offsetSec;
      // floor(r * 1e9 / 2^n) without a product above 2^53: split r into 16-bit halves.
      rec.tsNsec =
        n < 16
          ? Math.floor((r * 1e9) / 2 ** n)
          : Math.floor((Math.floor(r / TWO_16) * 1e9 + Math.floor(((r & 0xffff) * 1e9) / TWO_16)) / 2 ** (n - 16));
    } else {
      const v = (BigInt(hi) << 32n) | BigInt(lo);
      const u = this.bigUnits;
      rec.tsSec = Number(v / u) + this.offsetSec;
      rec.tsNsec = Number(((v % u) * 1_000_000_000n) / u);
    }
  }
}

/** The default pcapng resolution: microseconds, no offset. */
export const MICROSECONDS = new Timebase(6, 0);
