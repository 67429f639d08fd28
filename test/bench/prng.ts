/**
 * Seeded pseudo-random numbers for the workload generator (SplitMix32-style mixing of a Weyl sequence).
 *
 * Math.random cannot be seeded, and a workload must be the same bytes on every machine and every run so that
 * cached captures and published figures stay comparable.
 */
export class Prng {
  private state: number;

  /** @param seed any 32-bit integer; equal seeds give equal sequences. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next unsigned 32-bit value. */
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform integer in [0, n) for n up to 2^32. */
  int(n: number): number {
    return Math.floor((this.next() / 4294967296) * n);
  }

  /** Uniform integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Fills a buffer with pseudo-random bytes. */
  fill(buf: Buffer): void {
    let i = 0;
    for (; i + 4 <= buf.length; i += 4) buf.writeUInt32LE(this.next(), i);
    for (; i < buf.length; i++) buf[i] = this.next() & 0xff;
  }
}
