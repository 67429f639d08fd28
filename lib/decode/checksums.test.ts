import { describe, it, expect } from 'vitest';
import { Decoder } from './decoder.js';
import { TcpPacket } from './packet.js';
import { checksumOf, sumBytes, foldSum } from './checksum.js';
import { captureRecord, internetChecksum, tcpFrame } from '../../test/support/frame-builder.js';
import { expectBalanced } from '../../test/support/decode-assert.js';

const v4 = { src: '192.0.2.1', dst: '198.51.100.7', payload: 'odd-length payload!' };
const v6 = { src: '2001:db8::a', dst: '2001:db8:ffff::b', payload: 'even-length payload!' };

describe('checksum verification', () => {
  for (const [name, spec] of [
    ['IPv4', v4],
    ['IPv6', v6],
  ] as const) {
    it(`${name}: a good TCP checksum is marked good`, () => {
      const dec = new Decoder({ verifyChecksums: true });
      const out = new TcpPacket();
      expect(dec.decode(captureRecord(tcpFrame(spec), 1), out)).toBe(true);
      expect(out.checksumOk).toBe(1);
    });

    it(`${name}: a bad TCP checksum is counted and the segment skipped`, () => {
      const dec = new Decoder({ verifyChecksums: true });
      const out = new TcpPacket();
      expect(dec.decode(captureRecord(tcpFrame({ ...spec, tcpChecksum: 'bad' }), 1), out)).toBe(false);
      expect(dec.stats.badTcpChecksums).toBe(1);
      expect(dec.stats.checksumFailed).toBe(1);
      expect(dec.stats.tcp).toBe(0);
      expectBalanced(dec.stats);
    });

    it(`${name}: with verification off (the default) a bad checksum is not looked at`, () => {
      const dec = new Decoder();
      const out = new TcpPacket();
      expect(dec.decode(captureRecord(tcpFrame({ ...spec, tcpChecksum: 'bad' }), 1), out)).toBe(true);
      expect(out.checksumOk).toBe(-1);
      expect(dec.stats.checksumFailed).toBe(0);
    });

    it(`${name}: a segment cut by snaplen cannot be verified and is delivered unchecked`, () => {
      const dec = new Decoder({ verifyChecksums: true });
      const out = new TcpPacket();
      const frame = tcpFrame({ ...spec, tcpChecksum: 'bad' });
      expect(dec.decode(captureRecord(frame, 1, { snaplen: frame.length - 3 }), out)).toBe(true);
      expect(out.checksumOk).toBe(-1);
    });
  }

  it('IPv4: a bad header checksum is counted and the packet skipped', () => {
    const dec = new Decoder({ verifyChecksums: true });
    expect(dec.decode(captureRecord(tcpFrame({ ...v4, ipChecksum: 'bad' }), 1), new TcpPacket())).toBe(false);
    expect(dec.stats.badIpv4Checksums).toBe(1);
    expect(dec.stats.checksumFailed).toBe(1);
    expectBalanced(dec.stats);
  });

  it('IPv4: the header checksum covers options', () => {
    const dec = new Decoder({ verifyChecksums: true });
    const out = new TcpPacket();
    expect(dec.decode(captureRecord(tcpFrame({ ...v4, ipOptions: [7, 7, 4, 0, 0, 0, 0, 0] }), 1), out)).toBe(true);
    expect(out.checksumOk).toBe(1);
  });

  it('agrees with a plain 16-bit reference sum at every length and alignment', () => {
    const backing = Buffer.alloc(400);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 151 + 7) & 0xff;
    // Views at every byteOffset modulo 4, so both the word path and the byte path are taken.
    for (const shift of [0, 1, 2, 3]) {
      const bytes = backing.subarray(shift);
      for (let start = 0; start < 8; start++) {
        for (let len = 0; len < 200; len++) {
          const slice = bytes.subarray(start, start + len);
          expect(checksumOf(sumBytes(bytes, start, start + len, 0))).toBe(internetChecksum(slice));
          expect(checksumOf(sumBytes(bytes, start, start + len, 0x1234))).toBe(internetChecksum(Buffer.from([0x12, 0x34]), slice));
        }
      }
    }
    const ones = Buffer.alloc(65536, 0xff);
    expect(checksumOf(sumBytes(ones, 0, ones.length, 0))).toBe(internetChecksum(ones));
    expect(foldSum(0x1_0000_fffe)).toBe(0xffff);
  });
});
