/**
 * TCP sequence number arithmetic modulo 2^32.
 *
 * Sequence numbers are plain JavaScript numbers in [0, 2^32). Differences are taken modulo 2^32 into the signed
 * 32-bit range, so comparisons stay right across the wrap (gopacket adds 0xFFFFFFFF instead of 2^32 and is off by
 * one there). The helpers are tiny so V8 inlines them on the hot path.
 */

/** `b - a` modulo 2^32 in [-2^31, 2^31): positive when `b` comes after `a`. */
export function seqDiff(a: number, b: number): number {
  return (b - a) | 0;
}

/** `s + n` modulo 2^32 (n may be negative). */
export function seqAdd(s: number, n: number): number {
  return (s + n) >>> 0;
}

/** Sequence helpers under gopacket's names. */
export const Sequence = {
  /** `b - a` modulo 2^32, signed: positive when `b` comes after `a`. */
  difference: seqDiff,
  /** `s + n` modulo 2^32. */
  add: seqAdd,
  /** True when `a` comes strictly before `b` in sequence space. */
  lessThan(a: number, b: number): boolean {
    return seqDiff(a, b) > 0;
  },
  /** The later of two sequence numbers. */
  max(a: number, b: number): number {
    return seqDiff(a, b) > 0 ? b : a;
  },
  /** The earlier of two sequence numbers. */
  min(a: number, b: number): number {
    return seqDiff(a, b) > 0 ? a : b;
  },
} as const;
