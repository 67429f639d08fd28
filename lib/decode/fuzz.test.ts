import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Decoder } from './decoder.js';
import { TcpPacket } from './packet.js';
import {
  captureRecord,
  fragmentIpv4,
  fragmentIpv6,
  linkFrame,
  tcpFrame,
  tcpPacket,
  TCP_SYN,
} from '../../test/support/frame-builder.js';
import { expectBalanced } from '../../test/support/decode-assert.js';

const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 9999];
const MAX_FRAGMENT_BYTES = 16 * 1024;

/** Valid frames of every shape the decoder knows, to mutate. */
function seeds(): Array<[Buffer, number]> {
  const out: Array<[Buffer, number]> = [];
  const v4 = { src: '10.9.8.7', dst: '10.1.2.3', payload: Buffer.alloc(200, 0x61), options: { mss: 1460, sack: [[1, 2]] as Array<[number, number]> } };
  const v6 = { ...v4, src: 'fd00::1', dst: 'fd00::2', extHeaders: [{ type: 'hop-by-hop' as const }, { type: 'destination' as const }] };
  for (const linkType of [0, 1, 101, 108, 113, 276]) {
    out.push([tcpFrame({ ...v4, flags: TCP_SYN, ipOptions: [1, 1, 1, 0] }, { linkType, vlans: linkType === 1 ? [3, 4] : undefined }), linkType]);
    out.push([tcpFrame(v6, { linkType }), linkType]);
  }
  for (const f of fragmentIpv4(tcpPacket(v4), 64)) out.push([linkFrame(f, { linkType: 1 }), 1]);
  for (const f of fragmentIpv6(tcpPacket(v6), 64)) out.push([linkFrame(f, { linkType: 101 }), 101]);
  return out;
}

function checkPacket(ok: boolean, out: TcpPacket) {
  if (!ok) return;
  expect(out.payloadLength).toBeGreaterThanOrEqual(0);
  expect(out.payloadLength).toBeLessThanOrEqual(out.wireLength);
  expect(out.payloadOffset + out.payloadLength).toBeLessThanOrEqual(out.payloadBuf.length);
  expect(out.headerLength).toBeGreaterThanOrEqual(20);
  expect(out.sackCount).toBeLessThanOrEqual(4);
}

describe('decoder fuzz (deterministic seeds)', () => {
  it('random bytes under every link type never throw, and the counters add up', () => {
    const dec = new Decoder({ verifyChecksums: true, maxFragmentBytes: MAX_FRAGMENT_BYTES, maxFragmentDatagrams: 8 });
    const out = new TcpPacket();
    fc.assert(
      fc.property(
        fc.constantFrom(...LINK_TYPES),
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.integer({ min: 0, max: 64 }),
        (linkType, bytes, extraOnWire) => {
          const frame = Buffer.from(bytes);
          const rec = captureRecord(frame, linkType);
          rec.originalLength += extraOnWire;
          checkPacket(dec.decode(rec, out), out);
          expect(dec.stats.fragmentBytesHeld).toBeLessThanOrEqual(MAX_FRAGMENT_BYTES);
        },
      ),
      { seed: 20240601, numRuns: 3000 },
    );
    expectBalanced(dec.stats);
    expect(dec.stats.packets).toBe(3000);
  });

  it('mutated valid frames (bytes flipped, cut, extended; fragments mixed) never throw', () => {
    const frames = seeds();
    const dec = new Decoder({ verifyChecksums: false, maxFragmentBytes: MAX_FRAGMENT_BYTES, maxFragmentDatagrams: 8 });
    const out = new TcpPacket();
    let delivered = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: frames.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.integer({ min: -40, max: 20 }),
        fc.integer({ min: 0, max: 100 }),
        (which, flips, resize, t) => {
          const [seed, linkType] = frames[which]!;
          let frame = Buffer.from(seed);
          for (const [at, value] of flips) frame[at % frame.length] = value;
          if (resize < 0) frame = frame.subarray(0, Math.max(0, frame.length + resize));
          else if (resize > 0) frame = Buffer.concat([frame, Buffer.alloc(resize, 0xee)]);
          const snaplen = t % 3 === 0 ? Math.max(0, frame.length - t) : undefined;
          const ok = dec.decode(captureRecord(frame, linkType, { snaplen, tsSec: 1000 + t }), out);
          if (ok) delivered++;
          checkPacket(ok, out);
          expect(dec.stats.fragmentBytesHeld).toBeLessThanOrEqual(MAX_FRAGMENT_BYTES);
        },
      ),
      { seed: 77, numRuns: 3000 },
    );
    expectBalanced(dec.stats);
    expect(dec.stats.tcp).toBe(delivered);
    // The mutations are light: a good share must still decode, or the test exercises nothing.
    expect(delivered).toBeGreaterThan(300);
    dec.finish();
    expect(dec.stats.fragmentBytesHeld).toBe(0);
  });
});
