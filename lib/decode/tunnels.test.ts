import { describe, expect, it } from 'vitest';
import { Decoder } from './decoder.js';
import { TcpPacket } from './packet.js';
import { encapsulationText, ENCAPSULATIONS } from './encapsulation.js';
import { MAX_ENCAPSULATION_DEPTH } from './stats.js';
import { captureRecord, ipv4Packet, linkFrame, tcpPacket } from '../../test/support/frame-builder.js';
import {
  ciscoHdlc,
  erspan2,
  ethernet8023,
  fddi,
  nflog,
  pbb,
  erspan3,
  ethernet,
  geneve,
  gre,
  gtpu,
  mpls,
  outerIp,
  ppp,
  pppoe,
  udp,
  vxlan,
} from '../../test/support/tunnel-builder.js';

const inner = (payload = 'inner data', fwd = true) =>
  tcpPacket(fwd ? { src: '192.168.1.1', dst: '192.168.1.2', srcPort: 40000, dstPort: 80, seq: 7, payload } : { src: '192.168.1.2', dst: '192.168.1.1', srcPort: 80, dstPort: 40000, seq: 9, payload });

function decode(frame: Buffer, linkType = 1, dec = new Decoder()): { ok: boolean; out: TcpPacket; dec: Decoder } {
  const out = new TcpPacket();
  const ok = dec.decode(captureRecord(frame, linkType), out);
  const s = dec.stats;
  // The outcome identity holds whatever happened.
  expect(s.packets).toBe(s.tcp + s.nonTcp + s.malformed + s.checksumFailed + s.fragmentsHeld);
  return { ok, out, dec };
}

function nonZero(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0));
}

/** Every way the issue names, with the frame and the text its encapsulation must read as. */
const CASES: Array<{ name: string; frame: () => Buffer; linkType?: number; text: string }> = [
  { name: 'GRE, plain', frame: () => linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 47, gre(0x0800, inner())), { linkType: 1 }), text: 'gre 10.0.0.1-10.0.0.2' },
  { name: 'GRE with checksum, key and sequence number', frame: () => linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 47, gre(0x0800, inner(), { checksum: true, key: 77, seq: 5 })), { linkType: 1 }), text: 'gre 10.0.0.1-10.0.0.2' },
  { name: 'GRE over IPv6 carrying IPv6', frame: () => linkFrame(outerIp('2001:db8::1', '2001:db8::2', 47, gre(0x86dd, tcpPacket({ src: 'fd00::1', dst: 'fd00::2', srcPort: 40000, dstPort: 80, payload: 'inner data' }))), { linkType: 1 }), text: 'gre 2001:db8::1-2001:db8::2' },
  { name: 'GRE transparent Ethernet bridging, VLAN inside', frame: () => linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 47, gre(0x6558, ethernet(0x0800, inner(), [20]))), { linkType: 1 }), text: 'gre 10.0.0.1-10.0.0.2 / vlan 20' },
  { name: 'ERSPAN type I', frame: () => linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 47, gre(0x88be, ethernet(0x0800, inner()))), { linkType: 1 }), text: 'gre 10.0.0.1-10.0.0.2 / erspan session 0' },
  { name: 'ERSPAN type II', frame: () => linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 47, gre(0x88be, erspan2(300, ethernet(0x0800, inner())), { seq: 1 })), { linkType: 1 }), text: 'gre 10.0.0.1-10.0.0.2 / erspan ii session 300' },
  { name: 'ERSPAN type III with platform subheader', frame: () => linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 47, gre(0x22eb, erspan3(9, ethernet(0x0800, inner()), true), { seq: 1 })), { linkType: 1 }), text: 'gre 10.0.0.1-10.0.0.2 / erspan iii session 9' },
  { name: 'PPTP: GRE version 1 carrying PPP', frame: () => linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 47, gre(0x880b, ppp(inner(), true), { version: 1, key: 0x00200001, seq: 3 })), { linkType: 1 }), text: 'gre 10.0.0.1-10.0.0.2 / ppp' },
  { name: 'VXLAN', frame: () => linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 17, udp(51000, 4789, vxlan(42, ethernet(0x0800, inner())))), { linkType: 1 }), text: 'vxlan 10.0.0.1-10.0.0.2 vni 42' },
  { name: 'Geneve with options, Ethernet inside', frame: () => linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 17, udp(51000, 6081, geneve(7, 0x6558, ethernet(0x0800, inner()), 3))), { linkType: 1 }), text: 'geneve 10.0.0.1-10.0.0.2 vni 7' },
  { name: 'Geneve carrying IP', frame: () => linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 17, udp(51000, 6081, geneve(8, 0x0800, inner()))), { linkType: 1 }), text: 'geneve 10.0.0.1-10.0.0.2 vni 8' },
  { name: 'GTP-U', frame: () => linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 17, udp(2152, 2152, gtpu(0x1234, inner()))), { linkType: 1 }), text: 'gtp-u 10.0.0.1-10.0.0.2' },
  { name: 'GTP-U with an extension header', frame: () => linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 17, udp(2152, 2152, gtpu(0x1234, inner(), true))), { linkType: 1 }), text: 'gtp-u 10.0.0.1-10.0.0.2' },
  { name: 'IP in IP', frame: () => linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 4, inner()), { linkType: 1 }), text: 'ip-in-ip 10.0.0.1-10.0.0.2' },
  { name: 'IPv6 in IPv4', frame: () => linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 41, tcpPacket({ src: 'fd00::1', dst: 'fd00::2', srcPort: 40000, dstPort: 80, payload: 'inner data' })), { linkType: 1 }), text: 'ip-in-ip 10.0.0.1-10.0.0.2' },
  { name: 'IPv6 in IPv6', frame: () => linkFrame(outerIp('2001:db8::1', '2001:db8::2', 41, tcpPacket({ src: 'fd00::1', dst: 'fd00::2', srcPort: 40000, dstPort: 80, payload: 'inner data' })), { linkType: 1 }), text: 'ipv6-in-ip 2001:db8::1-2001:db8::2' },
  { name: 'MPLS, two labels, IPv4', frame: () => ethernet(0x8847, mpls([100, 200], inner())), text: 'mpls (2 labels)' },
  { name: 'MPLS Ethernet pseudowire with control word', frame: () => ethernet(0x8847, mpls([16], ethernet(0x0800, inner()), true)), text: 'mpls (1 label)' },
  { name: 'MPLS in a VLAN', frame: () => ethernet(0x8847, mpls([16], inner()), [30]), text: 'vlan 30 / mpls (1 label)' },
  { name: 'PPPoE session', frame: () => ethernet(0x8864, pppoe(0x11, inner())), text: 'pppoe session 17' },
  { name: 'PPPoE over QinQ', frame: () => ethernet(0x8864, pppoe(5, inner()), [100, 200]), text: 'vlan 100 / vlan 200 / pppoe session 5' },
  { name: 'PPP link type 9', frame: () => ppp(inner()), linkType: 9, text: '' },
  { name: 'PPP link type 9, compressed protocol', frame: () => ppp(inner(), false, true), linkType: 9, text: '' },
  { name: 'PPP in HDLC-like framing, link type 50', frame: () => ppp(inner(), true), linkType: 50, text: '' },
  { name: 'Cisco HDLC, link type 104', frame: () => ciscoHdlc(inner()), linkType: 104, text: '' },
  { name: 'FDDI with LLC SNAP, link type 10', frame: () => fddi(inner()), linkType: 10, text: '' },
  { name: 'Linux NFLOG, link type 239', frame: () => nflog(inner()), linkType: 239, text: '' },
  { name: '802.3 frame with LLC SNAP', frame: () => ethernet8023(inner()), text: '' },
  { name: '802.1ah provider backbone bridging', frame: () => ethernet(0x88e7, pbb(2014020, ethernet(0x0800, inner(), [4020])), [4051]), text: 'vlan 4051 / pbb i-sid 2014020 / vlan 4020' },
  { name: 'GRE in UDP (RFC 8086)', frame: () => linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 17, udp(50000, 4754, gre(0x0800, inner()))), { linkType: 1 }), text: 'gre 10.0.0.1-10.0.0.2' },
  {
    name: 'nested: GRE inside VXLAN inside a VLAN',
    frame: () => ethernet(0x0800, ipv4Packet('10.0.0.1', '10.0.0.2', 17, udp(5, 4789, vxlan(3, ethernet(0x0800, ipv4Packet('172.16.0.1', '172.16.0.2', 47, gre(0x0800, inner())))))), [9]),
    text: 'vlan 9 / vxlan 10.0.0.1-10.0.0.2 vni 3 / gre 172.16.0.1-172.16.0.2',
  },
];

describe('TCP inside tunnels and other links', () => {
  for (const c of CASES) {
    it(`${c.name}: the inner segment, and its encapsulation as "${c.text}"`, () => {
      const { ok, out, dec } = decode(c.frame(), c.linkType);
      expect(ok).toBe(true);
      expect(out.srcPort).toBe(40000);
      expect(out.dstPort).toBe(80);
      expect(out.payload().toString()).toBe('inner data');
      expect(encapsulationText(out.encap)).toBe(c.text);
      expect(dec.stats.encapsulated).toBe(c.text === '' ? 0 : 1);
    });
  }

  it('every header cut short at any length is malformed or not TCP, never thrown, never a segment', () => {
    for (const c of CASES) {
      const frame = c.frame();
      // Cuts inside the headers only: the inner TCP header ends 20 bytes before the payload.
      const headers = frame.length - 'inner data'.length - 20;
      for (let len = 0; len < headers; len++) {
        const cut = Buffer.from(frame.subarray(0, len));
        const { ok } = decode(cut, c.linkType);
        expect(ok, `${c.name} cut at ${len}`).toBe(false);
      }
    }
  });
});

describe('a connection identity includes its encapsulation', () => {
  const inVni = (vni: number, fwd: boolean) =>
    fwd
      ? linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 17, udp(51000, 4789, vxlan(vni, ethernet(0x0800, inner('x', true))))), { linkType: 1 })
      : linkFrame(ipv4Packet('10.0.0.2', '10.0.0.1', 17, udp(52000, 4789, vxlan(vni, ethernet(0x0800, inner('y', false))))), { linkType: 1 });

  it('the same inner 4-tuple in two VNIs gets two ids; both directions of one tunnel the same id', () => {
    const a = decode(inVni(1, true)).out.encap;
    const aBack = decode(inVni(1, false)).out.encap;
    const b = decode(inVni(2, true)).out.encap;
    expect(a).toBe(aBack);
    expect(a).not.toBe(b);
    expect(a).toBeGreaterThan(1);
  });

  it('GTP-U TEIDs and GRE keys, which differ by direction, are not part of it', () => {
    const g = (teid: number, src: string, dst: string) => decode(linkFrame(ipv4Packet(src, dst, 17, udp(2152, 2152, gtpu(teid, inner()))), { linkType: 1 })).out.encap;
    expect(g(1, '10.0.0.1', '10.0.0.2')).toBe(g(2, '10.0.0.2', '10.0.0.1'));
    const k = (key: number) => decode(linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 47, gre(0x0800, inner(), { key })), { linkType: 1 })).out.encap;
    expect(k(0)).toBe(k(0x02000000));
  });

  it('interning a known encapsulation does not grow the table', () => {
    decode(inVni(77, true));
    const size = ENCAPSULATIONS.size;
    for (let i = 0; i < 100; i++) decode(inVni(77, i % 2 === 0));
    expect(ENCAPSULATIONS.size).toBe(size);
  });
});

describe('what is not decoded is counted and warned once per kind', () => {
  it('IP in IP nested to the bound decodes; one more layer is tunnel-too-deep, with a warning', () => {
    const nest = (n: number) => {
      let p = inner();
      for (let i = 0; i < n; i++) p = ipv4Packet(`10.0.${i}.1`, `10.0.${i}.2`, 4, p);
      return linkFrame(p, { linkType: 1 });
    };
    expect(decode(nest(MAX_ENCAPSULATION_DEPTH)).ok).toBe(true);
    const dec = new Decoder();
    for (let i = 0; i < 3; i++) expect(decode(nest(MAX_ENCAPSULATION_DEPTH + 1), 1, dec).ok).toBe(false);
    expect(nonZero(dec.stats.nonTcpByKind())).toEqual({ tunnelTooDeep: 3 });
    const w = dec.undecodedWarnings();
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toMatch(/^3 packets not decoded: encapsulations nested deeper than the bound/);
  });

  it('a GRE protocol, a GRE version and a link type the decoder does not open: one warning each, with its count', () => {
    const dec = new Decoder();
    decode(linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 47, gre(0x1234, inner())), { linkType: 1 }), 1, dec);
    decode(linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 47, gre(0x1234, inner())), { linkType: 1 }), 1, dec);
    decode(linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 47, gre(0x0800, inner(), { version: 3 })), { linkType: 1 }), 1, dec);
    decode(inner(), 999, dec);
    expect(nonZero(dec.stats.nonTcpByKind())).toEqual({ undecodedEncapsulation: 3, unknownLinkType: 1 });
    expect(dec.undecodedWarnings().map((w) => w.message.replace(/ \(the first here\)$/, ''))).toEqual([
      '2 packets not decoded: GRE carrying protocol 0x1234; TCP in them is not reassembled',
      '1 packet not decoded: GRE version 3; TCP in them is not reassembled',
      '1 packet not decoded: link type 999; TCP in them is not reassembled',
    ]);
    expect(dec.undecodedWarnings()[0]!.recordNumber).toBe(1);
  });

  it('GTP signalling, a VXLAN packet without its I flag and PPP control traffic are not data: counted, no warning', () => {
    const dec = new Decoder();
    const echo = Buffer.from([0x32, 0x01, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0]);
    decode(linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 17, udp(2152, 2152, echo)), { linkType: 1 }), 1, dec);
    decode(linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 17, udp(1, 4789, Buffer.alloc(8))), { linkType: 1 }), 1, dec);
    decode(Buffer.from([0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4]), 50, dec); // LCP
    expect(nonZero(dec.stats.nonTcpByKind())).toEqual({ udp: 2, nonIp: 1 });
    expect(dec.undecodedWarnings()).toEqual([]);
  });

  it('a fragmented VXLAN packet is reassembled and decoded', async () => {
    const { fragmentIpv4 } = await import('../../test/support/frame-builder.js');
    const outer = ipv4Packet('10.0.0.1', '10.0.0.2', 17, udp(51000, 4789, vxlan(5, ethernet(0x0800, inner('f'.repeat(3000))))));
    const dec = new Decoder();
    const frags = fragmentIpv4(outer, 1024);
    const results = frags.map((f) => decode(linkFrame(f, { linkType: 1 }), 1, dec));
    expect(frags.length).toBeGreaterThan(2);
    const last = results.at(-1)!;
    expect(results.map((r) => r.ok)).toEqual([...frags.slice(1).map(() => false), true]);
    expect(last.out.payload().toString()).toBe('f'.repeat(3000));
    expect(encapsulationText(last.out.encap)).toBe('vxlan 10.0.0.1-10.0.0.2 vni 5');
  });
});

describe('IPv4 options, as a Linux receiver checks them', () => {
  const withOptions = (opts: number[]) => linkFrame(tcpPacket({ src: '1.1.1.1', dst: '2.2.2.2', payload: 'X', ipOptions: opts }), { linkType: 1 });

  it('options a Linux stack drops are malformed (bad-ipv4-options)', () => {
    for (const opts of [
      [0x44, 1, 5, 0], // timestamp with length 1
      [0x83, 9, 4, 0], // loose source route running past the header
      [0x07, 3, 3, 0], // record route with pointer 3
      [0x94, 2, 0, 0], // router alert of length 2
      [1, 1, 1, 0x83], // an option type with no room for its length byte
    ]) {
      const { ok, dec } = decode(withOptions(opts));
      expect(ok, JSON.stringify(opts)).toBe(false);
      expect(nonZero(dec.stats.malformedByKind())).toEqual({ badIpv4Options: 1 });
    }
  });

  it('valid options, and bytes after end-of-list, are fine', () => {
    for (const opts of [[1, 1, 1, 0], [0x94, 4, 0, 0], [0x07, 7, 4, 0, 0, 0, 0, 0], [0, 0x55, 0x55, 0x55]]) {
      const { ok, out } = decode(withOptions(opts));
      expect(ok, JSON.stringify(opts)).toBe(true);
      expect(out.payload().toString()).toBe('X');
    }
  });

  it('a security option shorter than its RFC allows is delivered (Linux and BSD accept it), counted and warned', () => {
    // suricata-verify tcp-session-decode-malformed-ipv4: option 0x82 of length 2, then end of list.
    const { ok, out, dec } = decode(withOptions([0x82, 2, 0, 0, 0, 0x78, 0x78, 0x78]));
    expect(ok).toBe(true);
    expect(out.payload().toString()).toBe('X');
    expect(dec.stats.ipv4OptionOddities).toBe(1);
    expect(dec.undecodedWarnings().map((w) => w.code)).toEqual(['odd-ip-option']);
  });
});
