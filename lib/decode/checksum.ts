/**
 * Internet checksum (RFC 1071) helpers. Sums are kept unfolded in a double: 32-bit words added one by one
 * stay far below 2^53 for anything an IP packet can hold, and folding once at the end is cheaper than
 * folding per word.
 */

/** A 32-bit view over the last ArrayBuffer summed: readers reuse one buffer, so this is made once per buffer. */
let words: Uint32Array | null = null;
let wordsOf: ArrayBufferLike | null = null;

/**
 * Adds the bytes of `buf[start, end)` to a running one's-complement sum, as 16-bit big-endian words
 * (an odd last byte is padded with zero). Returns the unfolded sum.
 *
 * The bulk is summed as native 32-bit words through a typed-array view, several times faster than reading
 * big-endian values: the one's-complement sum does not depend on byte order (RFC 1071 §2(B)), so the
 * little-endian sum is folded and byte-swapped once. This needs the 16-bit words to sit at even addresses;
 * odd-aligned data takes the byte loop.
 */
export function sumBytes(buf: Buffer, start: number, end: number, sum: number): number {
  let i = start;
  const at = buf.byteOffset + start;
  if ((at & 1) === 0 && end - start >= 32) {
    if ((at & 2) !== 0) {
      sum += (buf[i]! << 8) | buf[i + 1]!;
      i += 2;
    }
    if (wordsOf !== buf.buffer) {
      wordsOf = buf.buffer;
      words = new Uint32Array(wordsOf, 0, wordsOf.byteLength >>> 2);
    }
    const w = words!;
    const first = (buf.byteOffset + i) >>> 2;
    const last = first + ((end - i) >>> 2);
    let le = 0;
    for (let k = first; k < last; k++) le += w[k]!;
    i += (last - first) * 4;
    le = foldSum(le);
    sum += ((le & 0xff) << 8) | (le >>> 8);
  }
  for (; i < end - 1; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) sum += buf[i]! << 8;
  return sum;
}

/** Folds an unfolded sum to 16 bits (end-around carry). 2^16 ≡ 1 (mod 0xffff) is what makes this valid. */
export function foldSum(sum: number): number {
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}

/** True when the bytes, checksum field included, sum to 0xffff: the checksum is right. */
export function checksumValid(sum: number): boolean {
  return foldSum(sum) === 0xffff;
}

/** The checksum to write into a header whose other bytes sum to `sum` (checksum field taken as zero). */
export function checksumOf(sum: number): number {
  return ~foldSum(sum) & 0xffff;
}

/**
 * Sum of the TCP pseudo-header for IPv4 or IPv6, from addresses stored as four 32-bit words
 * (IPv4 in word 3). Protocol 6 and the TCP length (header plus payload) complete it.
 */
export function pseudoHeaderSum(ipVersion: 4 | 6, src: Uint32Array, dst: Uint32Array, tcpLength: number): number {
  let sum = 6 + tcpLength;
  if (ipVersion === 4) {
    sum += src[3]! + dst[3]!;
  } else {
    for (let i = 0; i < 4; i++) sum += src[i]! + dst[i]!;
  }
  return sum;
}
