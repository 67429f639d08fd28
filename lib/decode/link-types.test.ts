import { describe, it, expect } from 'vitest';
import { Decoder } from './decoder.js';
import { TcpPacket } from './packet.js';
import {
  addressWords,
  captureRecord,
  tcpFrame,
  TCP_ACK,
  TCP_PSH,
  type LinkSpec,
  type TcpSegmentSpec,
} from '../../test/support/frame-builder.js';
import { expectBalanced, nonZero } from '../../test/support/decode-assert.js';

const payload = Buffer.from('GET /index.html HTTP/1.1\r\nHost: example\r\n\r\n');

function segment(v6: boolean): TcpSegmentSpec {
  return {
    src: v6 ? '2001:db8::1' : '192.168.10.1',
    dst: v6 ? '2001:db8:0:1::abcd' : '10.20.30.40',
    srcPort: 51234,
    dstPort: 8080,
    seq: 0xfffffff0,
    ack: 0x80000001,
    flags: TCP_ACK | TCP_PSH,
    window: 501,
    options: { timestamps: [123456, 654321], sack: [[10, 20]] },
    payload,
  };
}

function expectSegment(out: TcpPacket, spec: TcpSegmentSpec, v6: boolean) {
  expect(out.ipVersion).toBe(v6 ? 6 : 4);
  expect(Array.from(out.src)).toEqual(Array.from(addressWords(spec.src!)));
  expect(Array.from(out.dst)).toEqual(Array.from(addressWords(spec.dst!)));
  expect(out.srcPort).toBe(spec.srcPort);
  expect(out.dstPort).toBe(spec.dstPort);
  expect(out.seq).toBe(spec.seq);
  expect(out.ack).toBe(spec.ack);
  expect(out.flags).toBe(spec.flags);
  expect(out.window).toBe(spec.window);
  expect(out.hasTimestamps).toBe(true);
  expect(out.tsVal).toBe(123456);
  expect(out.tsEcr).toBe(654321);
  expect(out.sackCount).toBe(1);
  expect(Array.from(out.sackBlocks.subarray(0, 2))).toEqual([10, 20]);
  expect(out.payload().equals(payload)).toBe(true);
  expect(out.payloadLength).toBe(payload.length);
  expect(out.wireLength).toBe(payload.length);
  expect(out.reassembled).toBe(false);
}

const links: Array<[string, LinkSpec, boolean | 'both']> = [
  ['Ethernet', { linkType: 1 }, 'both'],
  ['Linux SLL', { linkType: 113 }, 'both'],
  ['Linux SLL2', { linkType: 276 }, 'both'],
  ['raw IP 101', { linkType: 101 }, 'both'],
  ['raw IP 12', { linkType: 12 }, 'both'],
  ['raw IP 14', { linkType: 14 }, 'both'],
  ['IPv4 228', { linkType: 228 }, false],
  ['IPv6 229', { linkType: 229 }, true],
  ['BSD null, little-endian family', { linkType: 0, nullByteOrder: 'le' }, 'both'],
  ['BSD null, big-endian family', { linkType: 0, nullByteOrder: 'be' }, 'both'],
  ['BSD null, FreeBSD AF_INET6 28', { linkType: 0, inet6Family: 28 }, true],
  ['BSD null, NetBSD AF_INET6 24', { linkType: 0, inet6Family: 24, nullByteOrder: 'be' }, true],
  ['OpenBSD loop', { linkType: 108, inet6Family: 24 }, 'both'],
];

describe('every link type decodes the same TCP segment', () => {
  for (const [name, link, versions] of links) {
    for (const v6 of versions === 'both' ? [false, true] : [versions]) {
      it(`${name} over IPv${v6 ? 6 : 4}`, () => {
        const spec = segment(v6);
        const dec = new Decoder({ verifyChecksums: true });
        const out = new TcpPacket();
        const rec = captureRecord(tcpFrame(spec, link), link.linkType, { recordNumber: 42, tsSec: 5, tsNsec: 6 });
        expect(dec.decode(rec, out)).toBe(true);
        expectSegment(out, spec, v6);
        expect(out.checksumOk).toBe(1);
        expect(out.recordNumber).toBe(42);
        expect(out.tsSec).toBe(5);
        expect(out.tsNsec).toBe(6);
        expect(out.vlan).toBe(-1);
        expect(out.outerVlan).toBe(-1);
        expect(dec.stats.tcp).toBe(1);
        expect(dec.stats.packets).toBe(1);
      });
    }
  }
});

describe('VLAN stacks', () => {
  const cases: Array<[string, number[], number[] | undefined, number, number]> = [
    ['one 802.1Q tag', [100], undefined, 100, -1],
    ['802.1ad + 802.1Q (QinQ)', [200, 300], undefined, 300, 200],
    ['three tags', [7, 8, 9], undefined, 9, 7],
    ['old QinQ 0x9100 outer tag', [11, 12], [0x9100, 0x8100], 12, 11],
    ['two 0x8100 tags', [4095, 1], [0x8100, 0x8100], 1, 4095],
  ];
  for (const [name, vlans, tagTypes, inner, outer] of cases) {
    for (const linkType of [1, 113, 276]) {
      it(`${name} on link type ${linkType}`, () => {
        const spec = segment(false);
        const dec = new Decoder();
        const out = new TcpPacket();
        expect(dec.decode(captureRecord(tcpFrame(spec, { linkType, vlans, tagTypes }), linkType), out)).toBe(true);
        expect(out.vlan).toBe(inner);
        expect(out.outerVlan).toBe(outer);
        expect(out.payload().equals(payload)).toBe(true);
        expect(out.seq).toBe(spec.seq);
      });
    }
  }

  it('a reused TcpPacket loses the VLAN of the previous frame', () => {
    const dec = new Decoder();
    const out = new TcpPacket();
    dec.decode(captureRecord(tcpFrame(segment(false), { linkType: 1, vlans: [5, 6] }), 1), out);
    expect(out.vlan).toBe(6);
    dec.decode(captureRecord(tcpFrame(segment(false), { linkType: 1 }), 1), out);
    expect(out.vlan).toBe(-1);
    expect(out.outerVlan).toBe(-1);
  });

  it('a tag cut off in the middle is a truncated link header', () => {
    const frame = tcpFrame(segment(false), { linkType: 1, vlans: [1, 2] });
    const dec = new Decoder();
    // 14-byte Ethernet header + first tag + 2 bytes of the second tag.
    expect(dec.decode(captureRecord(frame.subarray(0, 20), 1), new TcpPacket())).toBe(false);
    expect(nonZero(dec.stats.malformedByKind())).toEqual({ truncatedLinkHeader: 1 });
    expectBalanced(dec.stats);
  });
});

describe('frames that are not TCP', () => {
  function ethernet(type: number, body: Buffer): Buffer {
    const h = Buffer.alloc(14);
    h.writeUInt16BE(type, 12);
    return Buffer.concat([h, body]);
  }

  it('counts ARP, other EtherTypes, 802.3 length frames, other families and unknown link types by kind', () => {
    const dec = new Decoder();
    const out = new TcpPacket();
    const records = [
      captureRecord(ethernet(0x0806, Buffer.alloc(28)), 1),
      captureRecord(ethernet(0x8035, Buffer.alloc(28)), 1),
      captureRecord(ethernet(0x88cc, Buffer.alloc(40)), 1), // LLDP
      captureRecord(ethernet(0x0040, Buffer.alloc(64)), 1), // 802.3 length field
      captureRecord(Buffer.from([7, 0, 0, 0, 0x45, 0]), 0), // null: AF 7
      captureRecord(Buffer.from([0, 0, 0, 2, 0x45]), 0), // null, big-endian AF_INET, but IPv4 header cut
      captureRecord(tcpFrame(segment(false)), 147), // a DLT_USER link type
      captureRecord(tcpFrame(segment(false), { linkType: 101 }), 229), // IPv4 bytes under the IPv6 link type
      captureRecord(Buffer.alloc(0), 101),
      captureRecord(Buffer.from([0x50, 0, 0, 0]), 101),
    ];
    for (const r of records) expect(dec.decode(r, out)).toBe(false);
    expect(nonZero(dec.stats.nonTcpByKind())).toEqual({ arp: 2, nonIp: 3, unknownLinkType: 1 });
    expect(nonZero(dec.stats.malformedByKind())).toEqual({
      truncatedIpv4Header: 1,
      badIpVersion: 2,
      truncatedLinkHeader: 1,
    });
    expectBalanced(dec.stats);
  });

  it('counts UDP, ICMP, ICMPv6, ESP and other protocols by kind', async () => {
    const { ipv4Packet, ipv6Packet, linkFrame } = await import('../../test/support/frame-builder.js');
    const dec = new Decoder();
    const out = new TcpPacket();
    const body = Buffer.alloc(16, 1);
    const packets = [
      ipv4Packet('1.1.1.1', '2.2.2.2', 17, body),
      ipv6Packet('::1', '::2', 17, body),
      ipv4Packet('1.1.1.1', '2.2.2.2', 1, body),
      ipv6Packet('::1', '::2', 58, body),
      ipv4Packet('1.1.1.1', '2.2.2.2', 50, body),
      ipv6Packet('::1', '::2', 50, body),
      ipv4Packet('1.1.1.1', '2.2.2.2', 132, body), // SCTP
      ipv6Packet('::1', '::2', 59, body), // no next header
    ];
    for (const p of packets) expect(dec.decode(captureRecord(linkFrame(p, { linkType: 1 }), 1), out)).toBe(false);
    expect(nonZero(dec.stats.nonTcpByKind())).toEqual({ udp: 2, icmp: 1, icmpv6: 1, esp: 2, otherIp: 2 });
    expectBalanced(dec.stats);
  });
});

describe('records that lie about their length', () => {
  it('a captured length beyond the buffer is bounded by the buffer, never a RangeError', () => {
    const frame = tcpFrame(segment(false));
    const dec = new Decoder();
    const out = new TcpPacket();
    for (const cut of [0, 10, 40, 60]) {
      const rec = captureRecord(frame, 1, { bufferOffset: 0 });
      rec.buf = rec.buf.subarray(0, cut);
      expect(() => dec.decode(rec, out)).not.toThrow();
    }
    expectBalanced(dec.stats);
    expect(dec.stats.malformed).toBe(4);
  });
});
