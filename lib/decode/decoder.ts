import { u16be, u32be, u32le } from '../capture/bytes.js';
import type { CaptureRecord } from '../capture/record.js';
import type { TcpPacket } from './packet.js';
import { DecodeStats, MalformedKind, NonTcpKind } from './stats.js';
import { FragmentReassembler, FragmentResult } from './fragments.js';
import { checksumValid, sumBytes } from './checksum.js';
import { decodeTcp } from './tcp.js';
import { Undecoded, UndecodedLog } from './undecoded.js';
import { ipv4Options } from './ipv4-options.js';
import { ENCAP_OVERFLOW, ENCAPSULATIONS, EncapsulationPath, Layer } from './encapsulation.js';
import { MAX_ENCAPSULATION_DEPTH } from './stats.js';
import type { Diagnostic } from '../capture/diagnostic.js';
import {
  ETHERNET,
  ETHERTYPE_MPLS,
  ETHERTYPE_MPLS_MULTICAST,
  ETHERTYPE_PPP,
  ETHERTYPE_PPPOE_SESSION,
  HeaderError,
  Inner,
  ETHERTYPE_PBB,
  PORT_GENEVE,
  PORT_GRE_UDP,
  PORT_GTPU,
  PORT_VXLAN,
} from './tunnels.js';

/** Options of a {@link Decoder}. */
export interface DecoderOptions {
  /**
   * Verify the IPv4 header checksum and the TCP checksum; a packet with a wrong one is counted and skipped.
   * Off by default: captures taken on the sending host carry bad TCP checksums because of checksum offload.
   */
  verifyChecksums?: boolean;
  /** Seconds of capture time a fragmented datagram may wait for its missing pieces (default 30, as Linux). */
  fragmentTimeoutSec?: number;
  /** Cap on bytes held for fragment reassembly (default 4 MiB). */
  maxFragmentBytes?: number;
  /** Cap on fragmented datagrams in progress (default 1024). */
  maxFragmentDatagrams?: number;
  /** Cap on disjoint pieces of one fragmented datagram (default 256). */
  maxFragmentPieces?: number;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_RARP = 0x8035;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;

const PROTO_HOPOPTS = 0;
const PROTO_ICMP = 1;
const PROTO_IPIP = 4;
const PROTO_TCP = 6;
const PROTO_IPV6 = 41;
const PROTO_GRE = 47;
const PROTO_UDP = 17;
const PROTO_ROUTING = 43;
const PROTO_FRAGMENT = 44;
const PROTO_ESP = 50;
const PROTO_AH = 51;
const PROTO_ICMPV6 = 58;
const PROTO_DSTOPTS = 60;
const PROTO_MOBILITY = 135;
const PROTO_HIP = 139;
const PROTO_SHIM6 = 140;
const PROTO_EXP1 = 253;
const PROTO_EXP2 = 254;

/** BSD address families seen in null/loop headers. IPv6 differs by OS: NetBSD/OpenBSD, FreeBSD, Darwin. */
const AF_INET = 2;
const AF_INET6_BSD = 24;
const AF_INET6_FREEBSD = 28;
const AF_INET6_DARWIN = 30;

/**
 * Decodes capture records down to TCP segments: link layer (Ethernet with any VLAN stack, Linux SLL/SLL2,
 * raw IP, BSD null/loop, PPP, PPPoE, Cisco HDLC), IPv4 with options and fragment reassembly, IPv6 with
 * extension headers and fragment reassembly, tunnels (GRE with ERSPAN, VXLAN, Geneve, GTP-U, IP in IP, MPLS)
 * inside one another down to {@link MAX_ENCAPSULATION_DEPTH}, and TCP with options.
 *
 * Never throws on packet bytes: every record ends in exactly one outcome counted in {@link stats}
 * (TCP, non-TCP, malformed, checksum failure, fragment held). A plain frame decodes without allocating.
 */
export class Decoder {
  /** Counters; see {@link DecodeStats} for the outcome identity they keep. */
  readonly stats = new DecodeStats();
  /** IP fragment reassembly; its `lastKey` ties the fragment just decoded to its datagram (what split routes by). */
  readonly fragments: FragmentReassembler;
  private readonly verify: boolean;
  /** Capture time of the record being decoded, seconds (fragment timeouts). */
  private now = 0;
  /** Bytes the record had on the wire beyond what was captured (snaplen cut). */
  private cut = 0;
  /** The layers of the record being decoded. */
  private readonly path = new EncapsulationPath();
  private readonly inner = new Inner();
  /** What was not opened, for its warnings. */
  private readonly undecoded = new UndecodedLog();

  constructor(options: DecoderOptions = {}) {
    this.verify = options.verifyChecksums ?? false;
    this.fragments = new FragmentReassembler(this.stats, {
      timeoutSec: options.fragmentTimeoutSec,
      maxBytes: options.maxFragmentBytes,
      maxDatagrams: options.maxFragmentDatagrams,
      maxPieces: options.maxFragmentPieces,
    });
  }

  /**
   * Decodes one record. Returns true when `out` now holds a TCP segment; its payload then points into the
   * record's buffer (or a reassembly buffer) and is valid until the next call.
   */
  decode(rec: CaptureRecord, out: TcpPacket): boolean {
    const stats = this.stats;
    stats.packets++;
    this.now = rec.tsSec + rec.tsNsec * 1e-9;
    if (this.fragments.inProgress > 0) this.fragments.expire(this.now);
    const cut = rec.originalLength - rec.capturedLength;
    this.cut = cut > 0 ? cut : 0;
    out.setCapture(rec);
    out.vlan = -1;
    out.outerVlan = -1;
    out.encap = 0;
    out.reassembled = false;
    this.path.reset();

    const buf = rec.buf;
    const off = rec.offset;
    let end = off + rec.capturedLength;
    // A record that claims more bytes than its buffer holds must not turn into a RangeError.
    if (end > buf.length) end = buf.length;
    let ok: boolean;
    switch (rec.linkType) {
      case 1: // Ethernet
        ok = this.ethernet(buf, off, end, out);
        break;
      case 113: // Linux cooked v1: protocol (an EtherType) at 14, 16-byte header
        if (end - off < 16) return stats.countMalformed(MalformedKind.TRUNCATED_LINK_HEADER);
        ok = this.etherType(u16be(buf, off + 14), buf, off + 16, end, out);
        break;
      case 276: // Linux cooked v2: protocol at 0, 20-byte header
        if (end - off < 20) return stats.countMalformed(MalformedKind.TRUNCATED_LINK_HEADER);
        ok = this.etherType(u16be(buf, off), buf, off + 20, end, out);
        break;
      case 101:
      case 12:
      case 14:
        ok = this.rawIp(buf, off, end, out);
        break;
      case 228:
        ok = this.ipv4(buf, off, end, out);
        break;
      case 229:
        ok = this.ipv6(buf, off, end, out);
        break;
      case 0: {
        // BSD null: the family is in the writer's byte order. Families are small, so a value that only fits
        // big-endian tells the order.
        if (end - off < 4) return stats.countMalformed(MalformedKind.TRUNCATED_LINK_HEADER);
        const le = u32le(buf, off);
        ok = this.family(le > 0xffff ? u32be(buf, off) : le, buf, off + 4, end, out);
        break;
      }
      case 108: // OpenBSD loop: family in network order
        if (end - off < 4) return stats.countMalformed(MalformedKind.TRUNCATED_LINK_HEADER);
        ok = this.family(u32be(buf, off), buf, off + 4, end, out);
        break;
      case 9: // PPP
      case 50: // PPP in HDLC-like framing
        ok = this.carriedBy(this.inner.ppp(buf, off, end), buf, end, out);
        break;
      case 51: // PPPoE without its Ethernet header
        ok = this.carriedBy(this.deeper() ? this.inner.pppoe(buf, off, end, this.path) : HeaderError.TOO_DEEP, buf, end, out);
        break;
      case 10: // FDDI: frame control and two addresses, then 802.2 LLC
        if (end - off < 13) return stats.countMalformed(MalformedKind.TRUNCATED_LINK_HEADER);
        ok = this.llc(buf, off + 13, end, out);
        break;
      case 239: // Linux NFLOG: TLVs, the packet in the payload one
        ok = this.nflog(buf, off, end, out);
        break;
      case 104: // Cisco HDLC: address, control, then an EtherType
        if (end - off < 4) return stats.countMalformed(MalformedKind.TRUNCATED_LINK_HEADER);
        ok = this.etherType(u16be(buf, off + 2), buf, off + 4, end, out);
        break;
      default:
        this.note(Undecoded.LINK_TYPE, rec.linkType, out);
        return stats.countNonTcp(NonTcpKind.UNKNOWN_LINK_TYPE);
    }
    if (!ok) return false;
    stats.tcp++;
    if (this.path.encapsulated) {
      stats.encapsulated++;
      const id = this.path.intern(ENCAPSULATIONS, out.vlan, out.outerVlan);
      if (id === ENCAP_OVERFLOW) stats.encapsulationsUnkept++;
      out.encap = id;
    }
    out.locatePayload(rec);
    return true;
  }

  /**
   * One warning per kind of thing not decoded (a link type, a GRE protocol, ...), with its packet count and
   * where it was first seen. Call after the last record.
   */
  undecodedWarnings(): Diagnostic[] {
    return this.undecoded.warnings();
  }

  private note(kind: number, value: number, out: TcpPacket): void {
    this.undecoded.note(kind, value, out.recordNumber, out.fileOffset);
  }

  /** One more encapsulation layer; false beyond the depth bound. */
  private deeper(): boolean {
    return ++this.path.depth <= MAX_ENCAPSULATION_DEPTH;
  }

  /** Continues after a tunnel or link header reader: at its result `at` with what it found, or its error. */
  private carriedBy(at: number, buf: Buffer, end: number, out: TcpPacket): boolean {
    if (at >= 0) return this.carried(this.inner.type, buf, at, end, out);
    const stats = this.stats;
    switch (at) {
      case HeaderError.TRUNCATED:
        return stats.countMalformed(MalformedKind.TRUNCATED_ENCAPSULATION);
      case HeaderError.UNDECODED:
        this.note(this.inner.undecoded, this.inner.undecodedValue, out);
        return stats.countNonTcp(NonTcpKind.UNDECODED_ENCAPSULATION);
      case HeaderError.TOO_DEEP:
        this.note(Undecoded.TOO_DEEP, 0, out);
        return stats.countNonTcp(NonTcpKind.TUNNEL_TOO_DEEP);
      default:
        return stats.countNonTcp(NonTcpKind.NON_IP);
    }
  }

  /** What a tunnel or link header carries: an Ethernet frame, IP, an MPLS stack, PPP. */
  private carried(type: number, buf: Buffer, off: number, end: number, out: TcpPacket): boolean {
    switch (type) {
      case ETHERNET:
        return this.ethernet(buf, off, end, out);
      case ETHERTYPE_PPP:
        return this.carriedBy(this.path.push(Layer.PPP) ? this.inner.ppp(buf, off, end) : HeaderError.TOO_DEEP, buf, end, out);
      default:
        return this.etherType(type, buf, off, end, out);
    }
  }

  /** Enters a tunnel over IP: its outer endpoints become part of the path. */
  private tunnel(version: 4 | 6, out: TcpPacket): boolean {
    return this.deeper() && this.path.pushIp(version, out.src, out.dst);
  }

  /**
   * Drops the fragmented datagrams still incomplete, counting them in `stats.fragmentsUnfinished`.
   * Call at the end of a capture.
   */
  finish(): void {
    this.fragments.finish();
  }

  private ethernet(buf: Buffer, off: number, end: number, out: TcpPacket): boolean {
    if (end - off < 14) return this.stats.countMalformed(MalformedKind.TRUNCATED_LINK_HEADER);
    return this.etherType(u16be(buf, off + 12), buf, off + 14, end, out);
  }

  /** Walks VLAN tags (any number) from `off`, then dispatches on the EtherType. */
  private etherType(type: number, buf: Buffer, off: number, end: number, out: TcpPacket): boolean {
    let tags = 0;
    // The outermost frame's tags are the packet's VLANs; tags inside a tunnel are layers of its path.
    const outermost = !this.path.encapsulated;
    while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
      if (end - off < 4) return this.stats.countMalformed(MalformedKind.TRUNCATED_LINK_HEADER);
      const id = u16be(buf, off) & 0x0fff;
      if (outermost) {
        if (tags === 0) out.outerVlan = id;
        out.vlan = id;
      } else if (!this.path.push(Layer.VLAN, id)) {
        return this.carriedBy(HeaderError.TOO_DEEP, buf, end, out);
      }
      tags++;
      type = u16be(buf, off + 2);
      off += 4;
    }
    if (outermost && tags < 2) out.outerVlan = -1;
    // Below 0x0600 the field is an 802.3 length: an 802.2 LLC header follows (SNAP may carry an EtherType).
    if (type < 0x0600) return this.llc(buf, off, end, out);
    switch (type) {
      case ETHERTYPE_IPV4:
        return this.ipv4(buf, off, end, out);
      case ETHERTYPE_IPV6:
        return this.ipv6(buf, off, end, out);
      case ETHERTYPE_MPLS:
      case ETHERTYPE_MPLS_MULTICAST:
        return this.carriedBy(this.deeper() ? this.inner.mpls(buf, off, end, this.path) : HeaderError.TOO_DEEP, buf, end, out);
      case ETHERTYPE_PPPOE_SESSION:
        return this.carriedBy(this.deeper() ? this.inner.pppoe(buf, off, end, this.path) : HeaderError.TOO_DEEP, buf, end, out);
      case ETHERTYPE_PBB:
        return this.carriedBy(this.deeper() ? this.inner.pbb(buf, off, end, this.path) : HeaderError.TOO_DEEP, buf, end, out);
      case ETHERTYPE_ARP:
      case ETHERTYPE_RARP:
        return this.stats.countNonTcp(NonTcpKind.ARP);
      default:
        // Other EtherTypes, and values below 0x0600 that are 802.3 lengths (LLC frames).
        return this.stats.countNonTcp(NonTcpKind.NON_IP);
    }
  }

  private family(af: number, buf: Buffer, off: number, end: number, out: TcpPacket): boolean {
    if (af === AF_INET) return this.ipv4(buf, off, end, out);
    if (af === AF_INET6_BSD || af === AF_INET6_FREEBSD || af === AF_INET6_DARWIN) return this.ipv6(buf, off, end, out);
    return this.stats.countNonTcp(NonTcpKind.NON_IP);
  }

  private rawIp(buf: Buffer, off: number, end: number, out: TcpPacket): boolean {
    if (end <= off) return this.stats.countMalformed(MalformedKind.TRUNCATED_LINK_HEADER);
    const version = buf[off]! >>> 4;
    if (version === 4) return this.ipv4(buf, off, end, out);
    if (version === 6) return this.ipv6(buf, off, end, out);
    return this.stats.countMalformed(MalformedKind.BAD_IP_VERSION);
  }

  private ipv4(buf: Buffer, off: number, end: number, out: TcpPacket): boolean {
    const stats = this.stats;
    const avail = end - off;
    if (avail < 1) return stats.countMalformed(MalformedKind.TRUNCATED_IPV4_HEADER);
    const b0 = buf[off]!;
    if (b0 >>> 4 !== 4) return stats.countMalformed(MalformedKind.BAD_IP_VERSION);
    if (avail < 20) return stats.countMalformed(MalformedKind.TRUNCATED_IPV4_HEADER);
    const ihl = (b0 & 0x0f) * 4;
    if (ihl < 20) return stats.countMalformed(MalformedKind.BAD_IPV4_HEADER_LENGTH);
    if (ihl > avail) return stats.countMalformed(MalformedKind.TRUNCATED_IPV4_HEADER);
    if (ihl > 20) {
      const verdict = ipv4Options(buf, off + 20, off + ihl);
      if (verdict < 0) return stats.countMalformed(MalformedKind.BAD_IPV4_OPTIONS);
      if (verdict > 0) {
        stats.ipv4OptionOddities++;
        this.note(Undecoded.IPV4_OPTION_ODDITY, verdict, out);
      }
    }
    let total = u16be(buf, off + 2);
    if (total === 0) {
      // Segmentation offload: a capture on the sending host sees the super-packet before the NIC splits it,
      // and Linux writes total length 0 when it does not fit 16 bits. Wireshark makes the same assumption.
      total = avail + this.cut;
      stats.ipv4ZeroLengthOffload++;
    } else if (total < ihl) {
      return stats.countMalformed(MalformedKind.BAD_IPV4_TOTAL_LENGTH);
    } else if (total > avail + this.cut) {
      return stats.countMalformed(MalformedKind.IP_LENGTH_EXCEEDS_PACKET);
    }
    // Bounded by the IP length, never by the frame: Ethernet pads short frames, and padding is not payload.
    const capEnd = total < avail ? off + total : end;
    const wireEnd = off + total;
    if (this.verify && !checksumValid(sumBytes(buf, off, off + ihl, 0))) {
      stats.badIpv4Checksums++;
      stats.checksumFailed++;
      return false;
    }

    out.ipVersion = 4;
    const src = out.src;
    const dst = out.dst;
    src[0] = src[1] = src[2] = 0;
    dst[0] = dst[1] = dst[2] = 0;
    src[3] = u32be(buf, off + 12);
    dst[3] = u32be(buf, off + 16);
    const proto = buf[off + 9]!;
    const frag = u16be(buf, off + 6);
    if ((frag & 0x3fff) === 0) return this.transport(4, proto, buf, off + ihl, capEnd, wireEnd, out);

    stats.fragments++;
    // Only TCP (possibly behind AH or a tunnel) is worth buffering: other protocols are counted right away.
    if (!isTcpOrExtension(proto)) return stats.countNonTcp(protocolKind(proto));
    if (capEnd < wireEnd) return stats.countMalformed(MalformedKind.FRAGMENT_CUT_BY_SNAPLEN);
    const frags = this.fragments;
    const id = u16be(buf, off + 4);
    const result = frags.add(4, src, dst, id, proto, (frag & 0x1fff) * 8, (frag & 0x2000) !== 0, buf, off + ihl, capEnd, this.now);
    if (result !== FragmentResult.COMPLETE) return false;
    out.reassembled = true;
    const len = frags.completedLength;
    return this.transport(4, proto, frags.completed, 0, len, len, out);
  }

  private ipv6(buf: Buffer, off: number, end: number, out: TcpPacket): boolean {
    const stats = this.stats;
    const avail = end - off;
    if (avail < 1) return stats.countMalformed(MalformedKind.TRUNCATED_IPV6_HEADER);
    if (buf[off]! >>> 4 !== 6) return stats.countMalformed(MalformedKind.BAD_IP_VERSION);
    if (avail < 40) return stats.countMalformed(MalformedKind.TRUNCATED_IPV6_HEADER);
    const payloadLength = u16be(buf, off + 4);
    const next = buf[off + 6]!;
    if (payloadLength === 0 && next === PROTO_HOPOPTS) return stats.countNonTcp(NonTcpKind.JUMBOGRAM);
    const total = 40 + payloadLength;
    if (total > avail + this.cut) return stats.countMalformed(MalformedKind.IP_LENGTH_EXCEEDS_PACKET);
    const capEnd = total < avail ? off + total : end;

    out.ipVersion = 6;
    const src = out.src;
    const dst = out.dst;
    for (let i = 0; i < 4; i++) {
      src[i] = u32be(buf, off + 8 + 4 * i);
      dst[i] = u32be(buf, off + 24 + 4 * i);
    }
    return this.transport(6, next, buf, off + 40, capEnd, off + total, out);
  }

  /** 802.2 LLC: with a SNAP header (AA AA 03, OUI 0) its EtherType; anything else is not IP. */
  private llc(buf: Buffer, off: number, end: number, out: TcpPacket): boolean {
    if (end - off < 8) return this.stats.countNonTcp(NonTcpKind.NON_IP);
    if (buf[off] !== 0xaa || buf[off + 1] !== 0xaa || buf[off + 2] !== 0x03) return this.stats.countNonTcp(NonTcpKind.NON_IP);
    if (buf[off + 3] !== 0 || buf[off + 4] !== 0 || buf[off + 5] !== 0) return this.stats.countNonTcp(NonTcpKind.NON_IP);
    const type = u16be(buf, off + 6);
    // An EtherType only: a length here would loop back into LLC.
    if (type < 0x0600) return this.stats.countNonTcp(NonTcpKind.NON_IP);
    return this.etherType(type, buf, off + 8, end, out);
  }

  /**
   * Linux NFLOG (link type 239): family, version, resource id, then TLVs (length and type in the host's byte
   * order, little-endian on the machines that write them; padded to 4 bytes); type 9 holds the packet.
   */
  private nflog(buf: Buffer, off: number, end: number, out: TcpPacket): boolean {
    if (end - off < 4) return this.stats.countMalformed(MalformedKind.TRUNCATED_LINK_HEADER);
    const family = buf[off]!;
    let p = off + 4;
    while (end - p >= 4) {
      const len = buf[p]! | (buf[p + 1]! << 8);
      const type = buf[p + 2]! | (buf[p + 3]! << 8);
      if (len < 4 || len > end - p) return this.stats.countMalformed(MalformedKind.TRUNCATED_LINK_HEADER);
      if (type === 9) {
        if (family === AF_INET) return this.ipv4(buf, p + 4, p + len, out);
        if (family === 10) return this.ipv6(buf, p + 4, p + len, out);
        return this.rawIp(buf, p + 4, p + len, out);
      }
      p += (len + 3) & ~3;
    }
    return this.stats.countNonTcp(NonTcpKind.NON_IP);
  }

  /** UDP: a tunnel on its well-known port (VXLAN, Geneve, GTP-U, GRE in UDP), else not TCP. */
  private udp(version: 4 | 6, buf: Buffer, p: number, end: number, out: TcpPacket): boolean {
    if (end - p < 8) return this.stats.countNonTcp(NonTcpKind.UDP);
    const srcPort = u16be(buf, p);
    const dstPort = u16be(buf, p + 2);
    const inner = this.inner;
    let at: number;
    if (dstPort === PORT_VXLAN) {
      if (!this.tunnel(version, out)) return this.carriedBy(HeaderError.TOO_DEEP, buf, end, out);
      at = inner.vxlan(buf, p + 8, end, this.path);
    } else if (dstPort === PORT_GENEVE) {
      if (!this.tunnel(version, out)) return this.carriedBy(HeaderError.TOO_DEEP, buf, end, out);
      at = inner.geneve(buf, p + 8, end, this.path);
    } else if (dstPort === PORT_GTPU || srcPort === PORT_GTPU) {
      if (!this.tunnel(version, out)) return this.carriedBy(HeaderError.TOO_DEEP, buf, end, out);
      at = inner.gtpu(buf, p + 8, end, this.path);
    } else if (dstPort === PORT_GRE_UDP) {
      if (!this.tunnel(version, out)) return this.carriedBy(HeaderError.TOO_DEEP, buf, end, out);
      at = inner.gre(buf, p + 8, end, this.path);
    } else {
      return this.stats.countNonTcp(NonTcpKind.UDP);
    }
    // A tunnel header that is not data (a control message) is plain UDP to us.
    if (at === HeaderError.NOT_DATA) return this.stats.countNonTcp(NonTcpKind.UDP);
    return this.carriedBy(at, buf, end, out);
  }

  /**
   * Walks IPv6 extension headers (and IPsec AH, for both versions) from `p` until TCP or something else.
   * `capEnd` is the end of the captured bytes of the IP payload, `wireEnd` its end on the wire.
   */
  private transport(
    version: 4 | 6,
    proto: number,
    buf: Buffer,
    p: number,
    capEnd: number,
    wireEnd: number,
    out: TcpPacket,
  ): boolean {
    const stats = this.stats;
    for (;;) {
      switch (proto) {
        case PROTO_TCP:
          return decodeTcp(buf, p, capEnd, wireEnd, out, stats, this.verify);
        case PROTO_IPIP:
          if (!this.tunnel(version, out)) return this.carriedBy(HeaderError.TOO_DEEP, buf, capEnd, out);
          return this.ipv4(buf, p, capEnd, out);
        case PROTO_IPV6:
          if (!this.tunnel(version, out)) return this.carriedBy(HeaderError.TOO_DEEP, buf, capEnd, out);
          return this.ipv6(buf, p, capEnd, out);
        case PROTO_GRE:
          if (!this.tunnel(version, out)) return this.carriedBy(HeaderError.TOO_DEEP, buf, capEnd, out);
          return this.carriedBy(this.inner.gre(buf, p, capEnd, this.path), buf, capEnd, out);
        case PROTO_UDP:
          return this.udp(version, buf, p, capEnd, out);
        case PROTO_AH: {
          // AH length is in 4-byte words minus 2; it authenticates but does not hide what follows.
          if (capEnd - p < 2) return stats.countMalformed(MalformedKind.TRUNCATED_EXTENSION_HEADER);
          const len = (buf[p + 1]! + 2) * 4;
          if (p + len > capEnd) return stats.countMalformed(MalformedKind.TRUNCATED_EXTENSION_HEADER);
          proto = buf[p]!;
          p += len;
          continue;
        }
        case PROTO_HOPOPTS:
        case PROTO_ROUTING:
        case PROTO_DSTOPTS:
        case PROTO_MOBILITY:
        case PROTO_HIP:
        case PROTO_SHIM6:
        case PROTO_EXP1:
        case PROTO_EXP2: {
          if (version === 4) return stats.countNonTcp(NonTcpKind.OTHER_IP);
          // The uniform extension header format (RFC 6564): length in 8-byte units, not counting the first 8.
          if (capEnd - p < 2) return stats.countMalformed(MalformedKind.TRUNCATED_EXTENSION_HEADER);
          const len = (buf[p + 1]! + 1) * 8;
          if (p + len > capEnd) return stats.countMalformed(MalformedKind.TRUNCATED_EXTENSION_HEADER);
          proto = buf[p]!;
          p += len;
          continue;
        }
        case PROTO_FRAGMENT: {
          if (version === 4) return stats.countNonTcp(NonTcpKind.OTHER_IP);
          if (capEnd - p < 8) return stats.countMalformed(MalformedKind.TRUNCATED_EXTENSION_HEADER);
          const next = buf[p]!;
          const field = u16be(buf, p + 2);
          const offset = field & 0xfff8;
          const more = (field & 1) !== 0;
          if (offset === 0 && !more) {
            // Atomic fragment (RFC 6946): a whole datagram that merely carries a fragment header.
            proto = next;
            p += 8;
            continue;
          }
          if (out.reassembled) return stats.countMalformed(MalformedKind.BAD_FRAGMENT);
          stats.fragments++;
          if (!isTcpOrExtension(next)) return stats.countNonTcp(protocolKind(next));
          if (capEnd < wireEnd) return stats.countMalformed(MalformedKind.FRAGMENT_CUT_BY_SNAPLEN);
          const frags = this.fragments;
          const id = u32be(buf, p + 4);
          const result = frags.add(6, out.src, out.dst, id, next, offset, more, buf, p + 8, capEnd, this.now);
          if (result !== FragmentResult.COMPLETE) return false;
          out.reassembled = true;
          buf = frags.completed;
          p = 0;
          capEnd = wireEnd = frags.completedLength;
          proto = frags.completedProto;
          continue;
        }
        default:
          return stats.countNonTcp(protocolKind(proto));
      }
    }
  }
}

/** The non-TCP kind of an IP protocol number that ends the walk. */
function protocolKind(proto: number): NonTcpKind {
  switch (proto) {
    case PROTO_UDP:
      return NonTcpKind.UDP;
    case PROTO_ICMP:
      return NonTcpKind.ICMP;
    case PROTO_ICMPV6:
      return NonTcpKind.ICMPV6;
    case PROTO_ESP:
      return NonTcpKind.ESP;
    default:
      return NonTcpKind.OTHER_IP;
  }
}

/** Whether a fragment's next header may lead to TCP once reassembled (TCP itself, a header before it, a tunnel). */
function isTcpOrExtension(proto: number): boolean {
  switch (proto) {
    case PROTO_TCP:
    case PROTO_AH:
    case PROTO_IPIP:
    case PROTO_IPV6:
    case PROTO_GRE:
    case PROTO_UDP: // a tunnel (VXLAN, Geneve, GTP-U) may be behind it; its header is only in the first fragment
    case PROTO_HOPOPTS:
    case PROTO_ROUTING:
    case PROTO_DSTOPTS:
    case PROTO_MOBILITY:
    case PROTO_HIP:
    case PROTO_SHIM6:
    case PROTO_EXP1:
    case PROTO_EXP2:
      return true;
    default:
      return false;
  }
}
