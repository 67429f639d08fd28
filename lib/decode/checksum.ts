/**
 * Internet checksum (RFC 1071) helpers. Sums are kept unfolded in a double: 32-bit words added one by one
 * stay far below 2^53 for anything an IP packet can hold, and folding once at the end is cheaper than
 * folding per word.
 */

/**
 * Adds the bytes of `buf[start, end)` to a running one's-complement sum, as 16-bit big-endian words
 * (an odd last byte is padded with zero). Returns the unfolded sum.
 */
export function sumBytes(buf: Buffer, start: number, end: number, sum: number): number {
  let i = start;
  const end4 = end - 3;
  for (; i < end4; i += 4) sum += buf.readUInt32BE(i);
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
