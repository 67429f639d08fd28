import { describe, it, expect } from 'vitest';
import { Decoder } from './decoder.js';
import { TcpPacket } from './packet.js';
import {
  captureRecord,
  fragmentIpv6,
  ipv6Packet,
  linkFrame,
  tcpFrame,
  tcpPacket,
  tcpSegment,
  type ExtHeaderSpec,
} from '../../test/support/frame-builder.js';
import { expectBalanced, nonZero } from '../../test/support/decode-assert.js';

const base = { src: '2001:db8:1::1', dst: '2001:db8:2::2', srcPort: 33000, dstPort: 22, seq: 5, payload: 'SSH-2.0-x\r\n' };

describe('IPv6 extension header chains', () => {
  const chains: ExtHeaderSpec[][] = [
    [{ type: 'hop-by-hop' }],
    [{ type: 'routing', length: 24 }],
    [{ type: 'destination' }],
    [{ type: 'ah' }],
    [{ type: 'hop-by-hop', length: 16 }, { type: 'destination' }, { type: 'routing' }, { type: 'destination', length: 32 }],
    [{ type: 'hop-by-hop' }, { type: 'ah', length: 16 }, { type: 'destination' }],
  ];
  for (const extHeaders of chains) {
    it(extHeaders.map((e) => `${e.type}(${e.length ?? 'default'})`).join(' -> '), () => {
      const dec = new Decoder({ verifyChecksums: true });
      const out = new TcpPacket();
      expect(dec.decode(captureRecord(tcpFrame({ ...base, extHeaders }), 1), out)).toBe(true);
      expect(out.payload().toString()).toBe(base.payload);
      expect(out.dstPort).toBe(22);
      expect(out.checksumOk).toBe(1);
      expect(out.reassembled).toBe(false);
    });
  }

  it('walks an atomic fragment header (offset 0, no more fragments) without reassembly', () => {
    const whole = tcpPacket(base);
    const [atomic] = fragmentIpv6(whole, [{ offset: 0, length: whole.length - 40, more: false }]);
    const dec = new Decoder();
    const out = new TcpPacket();
    expect(dec.decode(captureRecord(linkFrame(atomic!, { linkType: 1 }), 1), out)).toBe(true);
    expect(out.payload().toString()).toBe(base.payload);
    expect(out.reassembled).toBe(false);
    expect(dec.stats.fragments).toBe(0);
  });

  it('reassembles fragments whose fragmentable part starts with a destination options header', () => {
    const whole = tcpPacket({ ...base, payload: Buffer.alloc(2000, 7), extHeaders: [{ type: 'hop-by-hop' }, { type: 'routing' }, { type: 'destination' }] });
    const frags = fragmentIpv6(whole, 600);
    const dec = new Decoder({ verifyChecksums: true });
    const out = new TcpPacket();
    const results = frags.map((f) => dec.decode(captureRecord(linkFrame(f, { linkType: 1 }), 1), out));
    expect(results).toEqual([false, false, false, true]);
    expect(out.reassembled).toBe(true);
    expect(out.checksumOk).toBe(1);
    expect(out.payload().equals(Buffer.alloc(2000, 7))).toBe(true);
    expectBalanced(dec.stats);
  });

  it('counts a fragment header inside a reassembled datagram as malformed (no nesting)', () => {
    const innerFragment = Buffer.alloc(8 + 20);
    innerFragment[0] = 6;
    innerFragment.writeUInt16BE(8 | 1, 2); // offset 8, more
    // Destination options first, so the outer fragments are worth reassembling; the nested header comes after.
    const dstopts = Buffer.from([44, 0, 1, 4, 0, 0, 0, 0]);
    const outer = ipv6Packet(base.src, base.dst, 60, Buffer.concat([dstopts, innerFragment]));
    const frags = fragmentIpv6(outer, 16);
    const dec = new Decoder();
    for (const f of frags) dec.decode(captureRecord(linkFrame(f, { linkType: 1 }), 1), new TcpPacket());
    expect(nonZero(dec.stats.malformedByKind())).toEqual({ badFragment: 1 });
    expectBalanced(dec.stats);
  });

  it('counts ESP, no-next-header and jumbograms, and truncated chains', () => {
    const dec = new Decoder();
    const out = new TcpPacket();
    const seg = tcpSegment(base);
    const jumbo = ipv6Packet(base.src, base.dst, 6, seg, { extHeaders: [{ type: 'hop-by-hop' }], ipLength: 0 });
    const esp = ipv6Packet(base.src, base.dst, 50, Buffer.alloc(40), { extHeaders: [{ type: 'destination' }] });
    const none = ipv6Packet(base.src, base.dst, 59, Buffer.alloc(0), { extHeaders: [{ type: 'hop-by-hop' }] });
    const cut = ipv6Packet(base.src, base.dst, 6, Buffer.alloc(0), { extHeaders: [{ type: 'hop-by-hop', length: 16 }] }).subarray(0, 50);
    cut.writeUInt16BE(10, 4);
    for (const p of [jumbo, esp, none, cut]) expect(dec.decode(captureRecord(linkFrame(p, { linkType: 1 }), 1), out)).toBe(false);
    expect(nonZero(dec.stats.nonTcpByKind())).toEqual({ jumbogram: 1, esp: 1, otherIp: 1 });
    expect(nonZero(dec.stats.malformedByKind())).toEqual({ truncatedExtensionHeader: 1 });
    expectBalanced(dec.stats);
  });

  it('walks AH in IPv4 too', async () => {
    const { ipv4Packet } = await import('../../test/support/frame-builder.js');
    const ah = Buffer.alloc(24);
    ah[0] = 6;
    ah[1] = 24 / 4 - 2;
    const p = ipv4Packet('10.0.0.1', '10.0.0.2', 51, Buffer.concat([ah, tcpSegment({ ...base, src: '10.0.0.1', dst: '10.0.0.2' })]));
    const dec = new Decoder({ verifyChecksums: true });
    const out = new TcpPacket();
    expect(dec.decode(captureRecord(linkFrame(p, { linkType: 1 }), 1), out)).toBe(true);
    expect(out.payload().toString()).toBe(base.payload);
    expect(out.checksumOk).toBe(1);
  });
});
