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
