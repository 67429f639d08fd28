/**
 * Integer reads for the per-record hot paths. Node 20's Buffer.readUInt*() validate their offset argument through
 * a wrapped validator on every call (a fifth of the decode time on small packets); callers here have already
 * checked the bounds, so plain indexed reads do. Out of range they read 0 bytes instead of throwing.
 */

/** Unsigned 16-bit big-endian at `p`. */
export function u16be(b: Uint8Array, p: number): number {
  return ((b[p]! << 8) | b[p + 1]!) & 0xffff;
}

/** Unsigned 16-bit little-endian at `p`. */
export function u16le(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8)) & 0xffff;
}

/** Unsigned 32-bit big-endian at `p`. */
export function u32be(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

/** Unsigned 32-bit little-endian at `p`. */
export function u32le(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}
