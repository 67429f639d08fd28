/**
 * Capture time text. Captures carry seconds and nanoseconds; everything here stays exact to the nanosecond
 * (no float seconds), because analysts line these times up with Wireshark's frame times.
 */

/** Seconds and nanoseconds of a capture time as ISO 8601 UTC with nine fraction digits: `2023-11-14T22:13:20.000001000Z`. */
export function formatCaptureTime(sec: number, nsec: number): string {
  // Rows come in time order, many in the same second: the date part is made once a second, not once a row.
  if (sec !== lastSecond) {
    lastSecondText = new Date(sec * 1000).toISOString().slice(0, 19); // whole seconds: exact
    lastSecond = sec;
  }
  return `${lastSecondText}.${nineDigits(nsec)}Z`;
}
let lastSecond = NaN;
let lastSecondText = '';

/** 0..999 999 999 with leading zeros to nine digits. */
function nineDigits(n: number): string {
  const s = String(n);
  return s.length >= 9 ? s : '000000000'.slice(s.length) + s;
}

/** Seconds and nanoseconds as an exact decimal epoch string, as Wireshark's `frame.time_epoch`: `1700000000.000001000`. */
export function formatEpoch(sec: number, nsec: number): string {
  if (sec < 0 && nsec > 0) {
    // -1 s + 0.25 s is -0.75 s: write it as such rather than "-1.250000000".
    const s = sec + 1;
    const n = 1_000_000_000 - nsec;
    return `${s === 0 ? '-0' : String(s)}.${nineDigits(n)}`;
  }
  return `${sec}.${nineDigits(nsec)}`;
}

/** The inverse of {@link formatEpoch}, exact: `-0.750000000` is -750 000 000 ns. */
export function epochNs(text: string): bigint {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const ns = BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
  return negative ? -ns : ns;
}

/** Two epoch texts in time order, exactly (no float seconds). */
export function compareEpoch(a: string, b: string): number {
  const d = epochNs(a) - epochNs(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/**
 * Nanoseconds from one capture time to another. A number: exact up to 2^53 ns (104 days), which covers any
 * single capture; longer spans lose only sub-microsecond digits.
 */
export function durationNs(fromSec: number, fromNsec: number, toSec: number, toNsec: number): number {
  return (toSec - fromSec) * 1_000_000_000 + (toNsec - fromNsec);
}
