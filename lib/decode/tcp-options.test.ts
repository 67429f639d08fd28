import { describe, it, expect } from 'vitest';
import { Decoder } from './decoder.js';
import { TcpPacket, TcpFlag } from './packet.js';
import { captureRecord, tcpFrame, TCP_SYN, type TcpOptionsSpec } from '../../test/support/frame-builder.js';
import { expectBalanced } from '../../test/support/decode-assert.js';

function decodeOptions(options: TcpOptionsSpec | Buffer, payload = 'p') {
  const dec = new Decoder();
  const out = new TcpPacket();
  const ok = dec.decode(captureRecord(tcpFrame({ flags: TCP_SYN, options, payload }), 1), out);
  expectBalanced(dec.stats);
  return { ok, out, stats: dec.stats };
}

describe('TCP options', () => {
  it('reads the options of a Linux SYN (MSS, SACK permitted, timestamps, window scale)', () => {
    const { ok, out, stats } = decodeOptions({ mss: 1460, sackPermitted: true, timestamps: [0xdeadbeef, 0], windowScale: 7 });
    expect(ok).toBe(true);
    expect(out.flags & TcpFlag.SYN).toBe(TcpFlag.SYN);
    expect(out.mss).toBe(1460);
    expect(out.sackPermitted).toBe(true);
    expect(out.hasTimestamps).toBe(true);
    expect(out.tsVal).toBe(0xdeadbeef);
    expect(out.tsEcr).toBe(0);
    expect(out.windowScale).toBe(7);
    expect(out.headerLength).toBe(40);
    expect(out.payload().toString()).toBe('p');
    expect(stats.badTcpOptions).toBe(0);
  });

  it('reads one to four SACK blocks, edges across the wrap', () => {
    for (let n = 1; n <= 4; n++) {
      const blocks: Array<[number, number]> = [];
      for (let i = 0; i < n; i++) blocks.push([(0xfffffff0 + 100 * i) >>> 0, (0xfffffff0 + 100 * i + 50) >>> 0]);
      const { ok, out } = decodeOptions({ sack: blocks });
      expect(ok).toBe(true);
      expect(out.sackCount).toBe(n);
      expect(Array.from(out.sackBlocks.subarray(0, 2 * n))).toEqual(blocks.flat());
    }
  });

  it('reports absent options as absent', () => {
    const { out } = decodeOptions(Buffer.alloc(0));
    expect([out.mss, out.windowScale, out.sackPermitted, out.sackCount, out.hasTimestamps]).toEqual([-1, -1, false, 0, false]);
  });

  it('forgets the options of the previous segment', () => {
    const dec = new Decoder();
    const out = new TcpPacket();
    dec.decode(captureRecord(tcpFrame({ options: { mss: 1000, windowScale: 2, sack: [[1, 2]], timestamps: [1, 2] } }), 1), out);
    dec.decode(captureRecord(tcpFrame({}), 1), out);
    expect([out.mss, out.windowScale, out.sackPermitted, out.sackCount, out.hasTimestamps]).toEqual([-1, -1, false, 0, false]);
  });

  it('skips unknown options by their length and stops at EOL', () => {
    // MD5 signature (kind 19, 18 bytes), then MSS, then EOL followed by garbage that must be ignored.
    const md5 = [19, 18, ...Array(16).fill(0xab)];
    const { ok, out, stats } = decodeOptions(Buffer.from([...md5, 2, 4, 0x05, 0xb4, 0, 3, 3, 9]));
    expect(ok).toBe(true);
    expect(out.mss).toBe(1460);
    expect(out.windowScale).toBe(-1);
    expect(stats.badTcpOptions).toBe(0);
  });

  it('keeps the options read before a malformed one, and counts the list', () => {
    const cases: Array<[string, number[], Partial<TcpPacket>]> = [
      ['length byte missing at the end', [2, 4, 0x05, 0xb4, 1, 1, 1, 3], { mss: 1460 }],
      ['length 0', [2, 4, 0x02, 0x18, 8, 0, 0, 0], { mss: 536 }],
      ['length past the header', [3, 3, 5, 8, 12, 0, 0, 0], { windowScale: 5 }],
      ['timestamps of length 6, then window scale', [8, 6, 1, 2, 3, 4, 3, 3, 4, 0, 0, 0], { hasTimestamps: false, windowScale: 4 }],
      ['SACK permitted of length 3', [4, 3, 0, 2, 4, 0x05, 0xb4], { sackPermitted: false, mss: 1460 }],
    ];
    for (const [name, bytes, expected] of cases) {
      const { ok, out, stats } = decodeOptions(Buffer.from(bytes));
      expect(ok, name).toBe(true);
      expect(stats.badTcpOptions, name).toBe(1);
      for (const [k, v] of Object.entries(expected)) expect(out[k as keyof TcpPacket], `${name}: ${k}`).toBe(v);
      expect(out.payload().toString(), name).toBe('p');
    }
  });
});
