import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { u16be, u16le, u32be, u32le } from './bytes.js';

describe('hot-path integer reads', () => {
  it('agree with Buffer.readUInt* at every in-range offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 64 }), fc.nat(), (bytes, at) => {
        const b = Buffer.from(bytes);
        const p2 = at % (b.length - 1);
        const p4 = at % (b.length - 3);
        expect(u16be(b, p2)).toBe(b.readUInt16BE(p2));
        expect(u16le(b, p2)).toBe(b.readUInt16LE(p2));
        expect(u32be(b, p4)).toBe(b.readUInt32BE(p4));
        expect(u32le(b, p4)).toBe(b.readUInt32LE(p4));
      }),
    );
  });

  it('read missing bytes as 0 past the end instead of throwing', () => {
    const b = Buffer.from([0xff, 0xfe]);
    expect(u16be(b, 1)).toBe(0xfe00);
    expect(u32be(b, 0)).toBe(0xfffe0000);
    expect(u32le(b, 0)).toBe(0xfeff);
    expect(u16le(b, 5)).toBe(0);
  });
});
