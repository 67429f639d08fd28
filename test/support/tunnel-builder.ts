/**
 * Builders of tunnel and link headers around a packet, for the decoder's tests and the crafted captures:
 * GRE (with ERSPAN), UDP tunnels (VXLAN, Geneve, GTP-U), MPLS, PPPoE, PPP, Cisco HDLC, Ethernet with any
 * EtherType. Each returns new bytes; none computes checksums the decoder does not check.
 */
import { ipv4Packet, ipv6Packet } from './frame-builder.js';

/** An Ethernet frame with `type` (VLAN tags first when given, 0x8100 each). */
export function ethernet(type: number, payload: Buffer, vlans: number[] = []): Buffer {
  const h = Buffer.alloc(12 + 4 * vlans.length + 2);
  Buffer.from([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2]).copy(h);
  let at = 12;
  for (const v of vlans) {
    h.writeUInt16BE(0x8100, at);
    h.writeUInt16BE(v, at + 2);
    at += 4;
  }
  h.writeUInt16BE(type, at);
  return Buffer.concat([h, payload]);
}

/** The EtherType of an IP packet by its version nibble. */
export function ipType(ip: Buffer): number {
  return ip[0]! >>> 4 === 6 ? 0x86dd : 0x0800;
}

/** An IP packet of the version of `outerSrc` carrying `protocol`. */
export function outerIp(outerSrc: string, outerDst: string, protocol: number, payload: Buffer): Buffer {
  return outerSrc.includes(':') ? ipv6Packet(outerSrc, outerDst, protocol, payload) : ipv4Packet(outerSrc, outerDst, protocol, payload);
}

/** GRE options: key and sequence number fields, checksum field, version (1: PPTP's enhanced GRE). */
export interface GreSpec {
  key?: number;
  seq?: number;
  checksum?: boolean;
  version?: number;
  /** The routing bit (RFC 1701). */
  routing?: boolean;
}

/** A GRE header for protocol type `proto` followed by `payload`. */
export function gre(proto: number, payload: Buffer, spec: GreSpec = {}): Buffer {
  let flags = spec.version ?? 0;
  const fields: Buffer[] = [];
  if (spec.checksum === true) {
    flags |= 0x8000;
    fields.push(Buffer.alloc(4));
  }
  if (spec.routing === true) flags |= 0x4000;
  if (spec.key !== undefined) {
    flags |= 0x2000;
    const k = Buffer.alloc(4);
    k.writeUInt32BE(spec.key >>> 0);
    fields.push(k);
  }
  if (spec.seq !== undefined) {
    flags |= 0x1000;
    const s = Buffer.alloc(4);
    s.writeUInt32BE(spec.seq >>> 0);
    fields.push(s);
  }
  const h = Buffer.alloc(4);
  h.writeUInt16BE(flags);
  h.writeUInt16BE(proto, 2);
  return Buffer.concat([h, ...fields, payload]);
}

/** An ERSPAN type II header (session id) before a mirrored frame; put it in GRE 0x88be with a sequence number. */
export function erspan2(session: number, frame: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x1000); // version 1 (type II), VLAN 0
  h.writeUInt16BE(session & 0x3ff, 2);
  return Buffer.concat([h, frame]);
}

/** An ERSPAN type III header (session id; `platform` adds the 8-byte subheader) before a frame (GRE 0x22eb). */
export function erspan3(session: number, frame: Buffer, platform = false): Buffer {
  const h = Buffer.alloc(platform ? 20 : 12);
  h.writeUInt16BE(0x2000);
  h.writeUInt16BE(session & 0x3ff, 2);
  if (platform) h[11] = 1;
  return Buffer.concat([h, frame]);
}

/** A UDP header from `srcPort` to `dstPort` before `payload` (checksum 0: not computed). */
export function udp(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(srcPort);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

/** A VXLAN header (I flag, `vni`) before an Ethernet frame. */
export function vxlan(vni: number, frame: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = 0x08;
  h.writeUInt32BE((vni << 8) >>> 0, 4);
  return Buffer.concat([h, frame]);
}

/** A Geneve header (`vni`, protocol type, `optionWords` 4-byte words of options) before `payload`. */
export function geneve(vni: number, proto: number, payload: Buffer, optionWords = 0): Buffer {
  const h = Buffer.alloc(8 + 4 * optionWords, 0xab);
  h[0] = optionWords & 0x3f;
  h[1] = 0;
  h.writeUInt16BE(proto, 2);
  h.writeUInt32BE((vni << 8) >>> 0, 4);
  return Buffer.concat([h, payload]);
}

/** A GTP-U G-PDU (`teid`) before an IP packet; `extension` adds a PDU session container extension header. */
export function gtpu(teid: number, ip: Buffer, extension = false): Buffer {
  const h = Buffer.alloc(extension ? 16 : 8);
  h[0] = extension ? 0x34 : 0x30; // version 1, PT 1, (E)
  h[1] = 0xff;
  h.writeUInt16BE(h.length - 8 + ip.length, 2);
  h.writeUInt32BE(teid >>> 0, 4);
  if (extension) {
    h[11] = 0x85; // next extension: PDU session container
    h[12] = 1; // 4 bytes
    h[13] = 0;
    h[14] = 0x09;
    h[15] = 0; // no next extension
  }
  return Buffer.concat([h, ip]);
}

/** An MPLS label stack (outermost first) before `payload`; `controlWord` adds a pseudowire control word. */
export function mpls(labels: number[], payload: Buffer, controlWord = false): Buffer {
  const h = Buffer.alloc(4 * labels.length + (controlWord ? 4 : 0));
  labels.forEach((l, i) => h.writeUInt32BE(((l << 12) | (i === labels.length - 1 ? 0x100 : 0) | 64) >>> 0, 4 * i));
  return Buffer.concat([h, payload]);
}

/** PPP framing of an IP packet: `hdlc` adds the ff 03 address and control bytes; `compressed` a 1-byte protocol. */
export function ppp(ip: Buffer, hdlc = false, compressed = false): Buffer {
  const v6 = ip[0]! >>> 4 === 6;
  const proto = compressed ? Buffer.from([v6 ? 0x57 : 0x21]) : Buffer.from([0x00, v6 ? 0x57 : 0x21]);
  return Buffer.concat([hdlc ? Buffer.from([0xff, 0x03]) : Buffer.alloc(0), proto, ip]);
}

/** A PPPoE session header (`session`) before PPP (no address and control bytes). */
export function pppoe(session: number, ip: Buffer): Buffer {
  const body = ppp(ip);
  const h = Buffer.alloc(6);
  h[0] = 0x11;
  h[1] = 0;
  h.writeUInt16BE(session, 2);
  h.writeUInt16BE(body.length, 4);
  return Buffer.concat([h, body]);
}

/** A Cisco HDLC frame (link type 104) of an IP packet. */
export function ciscoHdlc(ip: Buffer): Buffer {
  const h = Buffer.from([0x0f, 0x00, 0, 0]);
  h.writeUInt16BE(ipType(ip), 2);
  return Buffer.concat([h, ip]);
}

/** An 802.2 LLC SNAP header (AA AA 03, OUI 0) with the EtherType of `ip`, before it. */
export function snap(ip: Buffer): Buffer {
  const h = Buffer.from([0xaa, 0xaa, 0x03, 0, 0, 0, 0, 0]);
  h.writeUInt16BE(ipType(ip), 6);
  return Buffer.concat([h, ip]);
}

/** An 802.3 frame (length field) with LLC SNAP carrying `ip`. */
export function ethernet8023(ip: Buffer): Buffer {
  const body = snap(ip);
  return ethernet(body.length, body);
}

/** An FDDI frame (link type 10): frame control, two addresses, LLC SNAP, the IP packet. */
export function fddi(ip: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x50, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), snap(ip)]);
}

/** A Linux NFLOG record (link type 239): a prefix TLV, then the payload TLV holding the packet. */
export function nflog(ip: Buffer): Buffer {
  const tlv = (type: number, value: Buffer) => {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(4 + value.length, 0);
    h.writeUInt16LE(type, 2);
    const pad = Buffer.alloc((4 - ((4 + value.length) % 4)) % 4);
    return Buffer.concat([h, value, pad]);
  };
  const family = ip[0]! >>> 4 === 6 ? 10 : 2;
  return Buffer.concat([Buffer.from([family, 0, 0, 0]), tlv(10, Buffer.from('prefix\0')), tlv(9, ip)]);
}

/** An 802.1ah I-TAG with `isid` before a customer Ethernet frame (EtherType 0x88e7 carries it). */
export function pbb(isid: number, frame: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(isid & 0xffffff);
  return Buffer.concat([h, frame]);
}
