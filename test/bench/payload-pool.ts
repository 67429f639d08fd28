import { Prng } from './prng.js';

/** Longest payload a segment may take from the pool in one piece (largest IPv4 TCP payload). */
const MAX_SEGMENT = 65536;

/**
 * Pseudo-random stream content, shared by every connection at a per-connection offset.
 *
 * Byte k of a connection's direction is `bytes[(salt + k) % size]`, so any sequence range (a first
 * transmission, a retransmission cut differently) yields the same bytes without keeping per-connection data.
 * The pool is followed by a copy of its first MAX_SEGMENT bytes, so every segment is one contiguous copy.
 * Prefix sums of the 16-bit words (for even and odd start offsets) make a segment's TCP checksum O(1), which is
 * what keeps the generator at hundreds of MB/s.
 */
export class PayloadPool {
  /** Distinct content bytes; offsets are taken modulo this. */
  readonly size: number;
  /** size + MAX_SEGMENT bytes: the content and its wrap-around copy. */
  readonly bytes: Buffer;
  private readonly evenSums: Float64Array;
  private readonly oddSums: Float64Array;

  constructor(seed: number, size = 1 << 20) {
    this.size = size;
    this.bytes = Buffer.allocUnsafe(size + MAX_SEGMENT + 2);
    const content = this.bytes.subarray(0, size);
    new Prng(seed).fill(content);
    for (let i = size; i < this.bytes.length; i++) this.bytes[i] = this.bytes[i - size];
    const words = (this.bytes.length >> 1) - 1;
    this.evenSums = new Float64Array(words + 1);
    this.oddSums = new Float64Array(words + 1);
    const b = this.bytes;
    for (let j = 0; j < words; j++) {
      this.evenSums[j + 1] = this.evenSums[j] + ((b[2 * j] << 8) | b[2 * j + 1]);
      this.oddSums[j + 1] = this.oddSums[j] + ((b[2 * j + 1] << 8) | b[2 * j + 2]);
    }
  }

  /** Pool offset of stream byte `streamOffset` for a connection direction with this salt. */
  offsetOf(salt: number, streamOffset: number): number {
    return (salt + streamOffset) % this.size;
  }

  /**
   * Unfolded one's-complement sum (as a plain number, below 2^53) of `len` bytes at pool offset `at`,
   * read as big-endian 16-bit words with an odd last byte padded with zero, as the TCP checksum reads a payload
   * that starts at an even offset of the TCP header.
   */
  sum(at: number, len: number): number {
    const words = len >> 1;
    let s: number;
    if ((at & 1) === 0) {
      const k = at >> 1;
      s = this.evenSums[k + words] - this.evenSums[k];
    } else {
      const k = at >> 1;
      s = this.oddSums[k + words] - this.oddSums[k];
    }
    if (len & 1) s += this.bytes[at + len - 1] << 8;
    return s;
  }
}
