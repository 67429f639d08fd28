/**
 * Tunnel and link headers between IP and IP: GRE (with ERSPAN), VXLAN, Geneve, GTP-U, MPLS, PPPoE and PPP.
 * Each reader checks its header against the bytes present, notes its layer on the path, and returns where
 * the carried packet starts, with what it is in {@link Inner.type} (an EtherType, or ETHERNET for a whole
 * frame); or a negative {@link HeaderError}. The decoder dispatches on the type.
 */
import { u16be, u32be } from '../capture/bytes.js';
import { Layer, type EncapsulationPath } from './encapsulation.js';
import { Undecoded } from './undecoded.js';

/** What a header reader found inside (an EtherType value), or a whole Ethernet frame. */
export const ETHERNET = 0x6558;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_MPLS = 0x8847;
export const ETHERTYPE_MPLS_MULTICAST = 0x8848;
export const ETHERTYPE_PPP = 0x880b;
export const ETHERTYPE_PPPOE_SESSION = 0x8864;
/** 802.1ah provider backbone bridging: an I-TAG, then the customer's frame. */
export const ETHERTYPE_PBB = 0x88e7;
const ETHERTYPE_ERSPAN_2 = 0x88be;
const ETHERTYPE_ERSPAN_3 = 0x22eb;

/** Well-known UDP ports of tunnels. */
export const PORT_VXLAN = 4789;
export const PORT_GENEVE = 6081;
export const PORT_GTPU = 2152;
/** GRE in UDP (RFC 8086). */
export const PORT_GRE_UDP = 4754;

/** Why a header reader gave up. */
export const HeaderError = {
  /** The header is not all there. */
  TRUNCATED: -1,
  /** Well formed, but something this decoder does not open (see {@link Inner.undecoded}). */
  UNDECODED: -2,
  /** No room for one more layer: deeper than the bound. */
  TOO_DEEP: -3,
  /** Not data (a GTP signalling message, a PPP control protocol): not TCP, nothing to warn about. */
  NOT_DATA: -4,
} as const;

/** The reader's findings beyond its return value (one reused instance). */
export class Inner {
  /** What starts at the returned offset: an EtherType, or {@link ETHERNET}. */
  type = 0;
  /** With HeaderError.UNDECODED: the kind and value for the warning. */
  undecoded = 0;
  undecodedValue = 0;

  protected fail(kind: number, value: number): number {
    this.undecoded = kind;
    this.undecodedValue = value;
    return HeaderError.UNDECODED;
  }

  /** GRE (RFC 2784/2890, and version 1 of PPTP, RFC 2637) at `p`, with ERSPAN types I to III behind it. */
  gre(buf: Buffer, p: number, end: number, path: EncapsulationPath): number {
    if (end - p < 4) return HeaderError.TRUNCATED;
    const flags = u16be(buf, p);
    const proto = u16be(buf, p + 2);
    const version = flags & 7;
    if (version > 1) return this.fail(Undecoded.GRE_VERSION, version);
    if ((flags & 0x4000) !== 0) return this.fail(Undecoded.GRE_ROUTING, 0);
    let h = 4;
    if ((flags & 0x8000) !== 0) h += 4; // checksum and reserved
    // The key is not identity: it can differ by direction (see encapsulation.ts).
    if ((flags & 0x2000) !== 0) h += 4;
    const hasSeq = (flags & 0x1000) !== 0;
    if (hasSeq) h += 4;
    if (version === 1 && (flags & 0x0080) !== 0) h += 4; // acknowledgement number
    if (end - p < h) return HeaderError.TRUNCATED;
    if (!path.push(Layer.GRE, proto)) return HeaderError.TOO_DEEP;
    p += h;
    switch (proto) {
      case ETHERTYPE_IPV4:
      case ETHERTYPE_IPV6:
      case ETHERTYPE_MPLS:
      case ETHERTYPE_MPLS_MULTICAST:
      case ETHERTYPE_PPP:
      case ETHERNET:
        this.type = proto;
        return p;
      case ETHERTYPE_ERSPAN_2: {
        // Without a sequence number this is ERSPAN type I: the mirrored frame follows at once.
        if (!hasSeq) {
          if (!path.push(Layer.ERSPAN, 1, 0)) return HeaderError.TOO_DEEP;
          this.type = ETHERNET;
          return p;
        }
        if (end - p < 8) return HeaderError.TRUNCATED;
        if (!path.push(Layer.ERSPAN, 2, u16be(buf, p + 2) & 0x3ff)) return HeaderError.TOO_DEEP;
        this.type = ETHERNET;
        return p + 8;
      }
      case ETHERTYPE_ERSPAN_3: {
        if (end - p < 12) return HeaderError.TRUNCATED;
        // The O flag (last bit of the header) announces an 8-byte platform-specific subheader.
        const len = (buf[p + 11]! & 1) !== 0 ? 20 : 12;
        if (end - p < len) return HeaderError.TRUNCATED;
        if (!path.push(Layer.ERSPAN, 3, u16be(buf, p + 2) & 0x3ff)) return HeaderError.TOO_DEEP;
        this.type = ETHERNET;
        return p + len;
      }
      default:
        return this.fail(Undecoded.GRE_PROTOCOL, proto);
    }
  }

  /** VXLAN (RFC 7348): 8 bytes, then an Ethernet frame. */
  vxlan(buf: Buffer, p: number, end: number, path: EncapsulationPath): number {
    if (end - p < 8) return HeaderError.TRUNCATED;
    // Without the I flag the VNI is not valid; such packets are not VXLAN data.
    if ((buf[p]! & 0x08) === 0) return HeaderError.NOT_DATA;
    if (!path.push(Layer.VXLAN, u32be(buf, p + 4) >>> 8)) return HeaderError.TOO_DEEP;
    this.type = ETHERNET;
    return p + 8;
  }

  /** Geneve (RFC 8926): 8 bytes plus options, then what its protocol type says. */
  geneve(buf: Buffer, p: number, end: number, path: EncapsulationPath): number {
    if (end - p < 8) return HeaderError.TRUNCATED;
    const b0 = buf[p]!;
    if (b0 >>> 6 !== 0) return this.fail(Undecoded.GENEVE_PROTOCOL, u16be(buf, p + 2));
    const len = 8 + (b0 & 0x3f) * 4;
    if (end - p < len) return HeaderError.TRUNCATED;
    // The O flag marks a control packet.
    if ((buf[p + 1]! & 0x80) !== 0) return HeaderError.NOT_DATA;
    const proto = u16be(buf, p + 2);
    if (proto !== ETHERNET && proto !== ETHERTYPE_IPV4 && proto !== ETHERTYPE_IPV6) return this.fail(Undecoded.GENEVE_PROTOCOL, proto);
    if (!path.push(Layer.GENEVE, u32be(buf, p + 4) >>> 8)) return HeaderError.TOO_DEEP;
    this.type = proto;
    return p + len;
  }

  /** GTP-U (3GPP TS 29.281): a G-PDU's header with its optional fields and extension headers, then IP. */
  gtpu(buf: Buffer, p: number, end: number, path: EncapsulationPath): number {
    if (end - p < 8) return HeaderError.TRUNCATED;
    const flags = buf[p]!;
    // Version 1, protocol type GTP; only G-PDUs (type 255) carry user packets.
    if (flags >>> 5 !== 1 || (flags & 0x10) === 0 || buf[p + 1] !== 0xff) return HeaderError.NOT_DATA;
    let h = 8;
    if ((flags & 0x07) !== 0) {
      if (end - p < 12) return HeaderError.TRUNCATED;
      let next = buf[p + 11]!;
      h = 12;
      // Extension headers: a length in 4-byte units, the content, and the next type in the last byte.
      for (let n = 0; (flags & 0x04) !== 0 && next !== 0; n++) {
        if (end - p < h + 1 || n >= 16) return HeaderError.TRUNCATED;
        const len = buf[p + h]! * 4;
        if (len === 0 || end - p < h + len) return HeaderError.TRUNCATED;
        next = buf[p + h + len - 1]!;
        h += len;
      }
    }
    if (end - p <= h) return HeaderError.NOT_DATA; // an empty G-PDU (an end marker)
    const v = buf[p + h]! >>> 4;
    if (v !== 4 && v !== 6) return this.fail(Undecoded.GTPU_PAYLOAD, v);
    if (!path.push(Layer.GTPU)) return HeaderError.TOO_DEEP;
    this.type = v === 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
    return p + h;
  }

  /**
   * An MPLS label stack (RFC 3032) down to its bottom entry; what follows is told by its first nibble, as
   * routers do without signalling: 4 IPv4, 6 IPv6, 0 a pseudowire control word (RFC 4385) before an Ethernet
   * frame, anything else an Ethernet pseudowire without one.
   */
  mpls(buf: Buffer, p: number, end: number, path: EncapsulationPath): number {
    let labels = 0;
    for (;;) {
      if (end - p < 4) return HeaderError.TRUNCATED;
      labels++;
      const bottom = (buf[p + 2]! & 1) !== 0;
      p += 4;
      if (bottom) break;
      if (labels >= 16) return HeaderError.TRUNCATED;
    }
    if (!path.push(Layer.MPLS, labels)) return HeaderError.TOO_DEEP;
    if (end - p < 1) return HeaderError.TRUNCATED;
    const nibble = buf[p]! >>> 4;
    if (nibble === 4) this.type = ETHERTYPE_IPV4;
    else if (nibble === 6) this.type = ETHERTYPE_IPV6;
    else {
      this.type = ETHERNET;
      if (nibble === 0) {
        if (end - p < 4) return HeaderError.TRUNCATED;
        p += 4;
      }
    }
    return p;
  }

  /** An 802.1ah I-TAG (flags and the 24-bit I-SID), then the customer's Ethernet frame. */
  pbb(buf: Buffer, p: number, end: number, path: EncapsulationPath): number {
    if (end - p < 4 + 14) return HeaderError.TRUNCATED;
    if (!path.push(Layer.PBB, u32be(buf, p) & 0xffffff)) return HeaderError.TOO_DEEP;
    this.type = ETHERNET;
    return p + 4;
  }

  /** A PPPoE session header (RFC 2516), then PPP. */
  pppoe(buf: Buffer, p: number, end: number, path: EncapsulationPath): number {
    if (end - p < 6) return HeaderError.TRUNCATED;
    if (buf[p] !== 0x11 || buf[p + 1] !== 0x00) return HeaderError.NOT_DATA;
    if (!path.push(Layer.PPPOE, u16be(buf, p + 2))) return HeaderError.TOO_DEEP;
    return this.ppp(buf, p + 6, end);
  }

  /**
   * PPP (RFC 1661) with or without the HDLC-like address and control bytes (RFC 1662) and with a compressed
   * or full protocol field; the carried protocol as an EtherType.
   */
  ppp(buf: Buffer, p: number, end: number): number {
    if (end - p >= 2 && buf[p] === 0xff && buf[p + 1] === 0x03) p += 2;
    if (end - p < 1) return HeaderError.TRUNCATED;
    let proto: number;
    if ((buf[p]! & 1) !== 0) {
      proto = buf[p]!;
      p += 1;
    } else {
      if (end - p < 2) return HeaderError.TRUNCATED;
      proto = u16be(buf, p);
      p += 2;
    }
    switch (proto) {
      case 0x0021:
        this.type = ETHERTYPE_IPV4;
        return p;
      case 0x0057:
        this.type = ETHERTYPE_IPV6;
        return p;
      case 0x0281:
      case 0x0283:
        this.type = ETHERTYPE_MPLS;
        return p;
      default:
        return HeaderError.NOT_DATA; // LCP, IPCP, CHAP, compressed data, ...
    }
  }
}
