/**
 * Test-only builder of link frames carrying TCP segments: Ethernet (with VLAN stacks), Linux SLL/SLL2, raw IP,
 * BSD null/loop; IPv4 (with options) and IPv6 (with extension headers); TCP with options; IP fragments.
 *
 * Everything is computed here independently of lib/decode (checksums included), so tests that use it check the
 * decoder against a second implementation. Allocation is fine here: this never runs on the data plane.
 *
 * Typical use:
 *   const frame = tcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1234, dstPort: 80, seq: 1,
 *                            flags: TCP_ACK, payload: 'hello' }, { linkType: 1, vlans: [10, 20] });
 *   const rec = captureRecord(frame, 1);
 */
import { CaptureRecord } from '../../lib/capture/record.js';

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;

/** TCP options to encode, in the order Linux sends them (MSS, SACK permitted, timestamps, window scale), then SACK, then raw. */
export interface TcpOptionsSpec {
  mss?: number;
  sackPermitted?: boolean;
  /** [tsVal, tsEcr]. */
  timestamps?: [number, number];
  windowScale?: number;
  /** SACK blocks as [left, right] edges (1 to 4). */
  sack?: Array<[number, number]>;
  /** Bytes appended as they are (for malformed option tests). */
  raw?: Buffer | number[];
}

/** A TCP segment and the IP packet around it. The IP version follows the address syntax. */
export interface TcpSegmentSpec {
  src?: string;
  dst?: string;
  srcPort?: number;
  dstPort?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  urgent?: number;
  /** Structured options, or the raw option bytes (padded with EOL to a multiple of 4). */
  options?: TcpOptionsSpec | Buffer;
  payload?: Buffer | string;
  /** Override of the TCP data offset field (in 32-bit words). */
  dataOffset?: number;
  /** TCP checksum: right (default), deliberately wrong, or a given value. */
  tcpChecksum?: 'good' | 'bad' | number;
}

/** IP header details; anything left out gets a plain default. */
export interface IpSpec {
  ttl?: number;
  /** IPv4 identification (default 0x1234). */
  ipId?: number;
  dontFragment?: boolean;
  /** IPv4 options bytes (padded with zeros to a multiple of 4). */
  ipOptions?: Buffer | number[];
  /** Override of the IPv4 header length field (words). */
  ihl?: number;
  /** Override of the IPv4 total length / IPv6 payload length field. */
  ipLength?: number;
  /** IPv4 header checksum: right (default), deliberately wrong, or a given value. */
  ipChecksum?: 'good' | 'bad' | number;
  /** IPv6 extension headers, in order, before the TCP header. */
  extHeaders?: ExtHeaderSpec[];
}

/** One IPv6 extension header (or AH). `length` is its total size in bytes (multiple of 8; AH: multiple of 4). */
export interface ExtHeaderSpec {
  type: 'hop-by-hop' | 'routing' | 'destination' | 'ah';
  length?: number;
}

/** Where to cut an IP packet: `offset` and `length` in bytes of the fragmentable part. */
export interface FragmentPiece {
  offset: number;
  length: number;
  /** More-fragments flag; default: set unless the piece reaches the end. */
  more?: boolean;
  /** Overwrite the piece's bytes with this value (to make overlaps that disagree). */
  fill?: number;
}

/** The link layer to wrap an IP packet in. */
export interface LinkSpec {
  linkType: number;
  /** VLAN ids, outermost first (Ethernet, SLL, SLL2). */
  vlans?: number[];
  /** Tag protocol id per tag (default: 0x88a8 for outer tags of a stack, 0x8100 for the innermost). */
  tagTypes?: number[];
  /** BSD null: byte order of the family field (default little-endian, as written by x86 BSDs and macOS). */
  nullByteOrder?: 'le' | 'be';
  /** Family value for null/loop IPv6 (default 30, Darwin). */
  inet6Family?: number;
  /** Ethernet: pad the frame to at least this length (60 is the minimum frame without FCS). */
  padTo?: number;
  /** Byte used for padding (default 0xee, so leaked padding is easy to spot). */
  padByte?: number;
}

const PROTO_TCP = 6;
const NEXT_HEADER: Record<ExtHeaderSpec['type'], number> = {
  'hop-by-hop': 0,
  routing: 43,
  destination: 60,
  ah: 51,
};

/** Parses an IPv4 or IPv6 address into 4 (v4) or 16 (v6) bytes. */
export function addressBytes(ip: string): Buffer {
  if (ip.includes(':')) {
    const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
    const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
    const h = groups(head);
    const t = tail === undefined ? [] : groups(tail);
    const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
    if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) throw new Error(`bad IPv6 address ${ip}`);
    const b = Buffer.alloc(16);
    all.forEach((g, i) => b.writeUInt16BE(g, 2 * i));
    return b;
  }
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new Error(`bad IPv4 address ${ip}`);
  return Buffer.from(parts);
}

/** An address as the decoder stores it: four 32-bit words, IPv4 in word 3. */
export function addressWords(ip: string): Uint32Array {
  const b = addressBytes(ip);
  const w = new Uint32Array(4);
  if (b.length === 4) w[3] = b.readUInt32BE(0);
  else for (let i = 0; i < 4; i++) w[i] = b.readUInt32BE(4 * i);
  return w;
}

/** One's-complement checksum of the given buffers taken as one byte string. */
export function internetChecksum(...parts: Buffer[]): number {
  const all = Buffer.concat(parts);
  let sum = 0;
  for (let i = 0; i + 1 < all.length; i += 2) sum += all.readUInt16BE(i);
  if (all.length % 2) sum += all[all.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Encodes TCP options, padded with EOL to a multiple of 4 bytes. */
export function tcpOptionBytes(o: TcpOptionsSpec | Buffer): Buffer {
  const bytes: number[] = [];
  if (Buffer.isBuffer(o)) {
    bytes.push(...o);
  } else {
    if (o.mss !== undefined) bytes.push(2, 4, o.mss >>> 8, o.mss & 0xff);
    if (o.sackPermitted) bytes.push(4, 2);
    if (o.timestamps) {
      const t = Buffer.alloc(8);
      t.writeUInt32BE(o.timestamps[0] >>> 0, 0);
      t.writeUInt32BE(o.timestamps[1] >>> 0, 4);
      bytes.push(8, 10, ...t);
    }
    if (o.windowScale !== undefined) bytes.push(1, 3, 3, o.windowScale);
    if (o.sack && o.sack.length > 0) {
      bytes.push(1, 1, 5, 2 + 8 * o.sack.length);
      for (const [l, r] of o.sack) {
        const t = Buffer.alloc(8);
        t.writeUInt32BE(l >>> 0, 0);
        t.writeUInt32BE(r >>> 0, 4);
        bytes.push(...t);
      }
    }
    if (o.raw) bytes.push(...o.raw);
  }
  while (bytes.length % 4) bytes.push(0);
  return Buffer.from(bytes);
}

function payloadOf(p: Buffer | string | undefined): Buffer {
  if (p === undefined) return Buffer.alloc(0);
  return typeof p === 'string' ? Buffer.from(p, 'latin1') : p;
}

/** Default addresses when a spec leaves them out. */
const DEFAULT_SRC = '10.0.0.1';
const DEFAULT_DST = '10.0.0.2';

/** The TCP header and payload of a segment, checksummed over the pseudo-header of its addresses. */
export function tcpSegment(spec: TcpSegmentSpec): Buffer {
  const src = addressBytes(spec.src ?? DEFAULT_SRC);
  const dst = addressBytes(spec.dst ?? DEFAULT_DST);
  const opts = spec.options ? tcpOptionBytes(spec.options) : Buffer.alloc(0);
  const payload = payloadOf(spec.payload);
  const h = Buffer.alloc(20);
  h.writeUInt16BE(spec.srcPort ?? 40000, 0);
  h.writeUInt16BE(spec.dstPort ?? 80, 2);
  h.writeUInt32BE((spec.seq ?? 1000) >>> 0, 4);
  h.writeUInt32BE((spec.ack ?? 0) >>> 0, 8);
  h[12] = (spec.dataOffset ?? 5 + opts.length / 4) << 4;
  h[13] = spec.flags ?? TCP_ACK;
  h.writeUInt16BE(spec.window ?? 65535, 14);
  h.writeUInt16BE(spec.urgent ?? 0, 18);
  const seg = Buffer.concat([h, opts, payload]);
  const pseudo =
    src.length === 4
      ? Buffer.concat([src, dst, Buffer.from([0, PROTO_TCP, seg.length >>> 8, seg.length & 0xff])])
      : Buffer.concat([src, dst, u32(seg.length), Buffer.from([0, 0, 0, PROTO_TCP])]);
  const good = internetChecksum(pseudo, seg);
  const c = spec.tcpChecksum ?? 'good';
  seg.writeUInt16BE(c === 'good' ? good : c === 'bad' ? good ^ 0x5a5a : c, 16);
  return seg;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** An IPv4 packet around `payload` (any protocol). */
export function ipv4Packet(src: string, dst: string, protocol: number, payload: Buffer, ip: IpSpec = {}): Buffer {
  const opts = Buffer.from(ip.ipOptions ?? []);
  const optsPadded = Buffer.concat([opts, Buffer.alloc((4 - (opts.length % 4)) % 4)]);
  const h = Buffer.alloc(20 + optsPadded.length);
  h[0] = 0x40 | (ip.ihl ?? h.length / 4);
  h.writeUInt16BE(ip.ipLength ?? h.length + payload.length, 2);
  h.writeUInt16BE(ip.ipId ?? 0x1234, 4);
  h.writeUInt16BE(ip.dontFragment ? 0x4000 : 0, 6);
  h[8] = ip.ttl ?? 64;
  h[9] = protocol;
  addressBytes(src).copy(h, 12);
  addressBytes(dst).copy(h, 16);
  optsPadded.copy(h, 20);
  const good = internetChecksum(h);
  const c = ip.ipChecksum ?? 'good';
  h.writeUInt16BE(c === 'good' ? good : c === 'bad' ? good ^ 0x0f0f : c, 10);
  return Buffer.concat([h, payload]);
}

/** An IPv6 packet: `extHeaders` (if any) then `payload` whose protocol is `protocol`. */
export function ipv6Packet(src: string, dst: string, protocol: number, payload: Buffer, ip: IpSpec = {}): Buffer {
  const exts = ip.extHeaders ?? [];
  const chain: Buffer[] = [];
  for (let i = 0; i < exts.length; i++) {
    const e = exts[i]!;
    const next = i + 1 < exts.length ? NEXT_HEADER[exts[i + 1]!.type] : protocol;
    const len = e.length ?? (e.type === 'ah' ? 24 : 8);
    const b = Buffer.alloc(len, 0);
    b[0] = next;
    b[1] = e.type === 'ah' ? len / 4 - 2 : len / 8 - 1;
    if (e.type === 'hop-by-hop' || e.type === 'destination') {
      // PadN option over the rest, so the header is well formed.
      b[2] = 1;
      b[3] = len - 4;
    }
    chain.push(b);
  }
  const body = Buffer.concat([...chain, payload]);
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(ip.ipLength ?? body.length, 4);
  h[6] = exts.length > 0 ? NEXT_HEADER[exts[0]!.type] : protocol;
  h[7] = ip.ttl ?? 64;
  addressBytes(src).copy(h, 8);
  addressBytes(dst).copy(h, 24);
  return Buffer.concat([h, body]);
}

/** A complete IP packet (v4 or v6 after the address syntax) carrying the TCP segment. */
export function tcpPacket(spec: TcpSegmentSpec & IpSpec = {}): Buffer {
  const src = spec.src ?? DEFAULT_SRC;
  const dst = spec.dst ?? DEFAULT_DST;
  const seg = tcpSegment(spec);
  return src.includes(':') ? ipv6Packet(src, dst, PROTO_TCP, seg, spec) : ipv4Packet(src, dst, PROTO_TCP, seg, spec);
}

/** Splits a payload of `total` bytes into pieces of `size` bytes (a multiple of 8 but the last). */
export function evenPieces(total: number, size: number): FragmentPiece[] {
  const pieces: FragmentPiece[] = [];
  for (let o = 0; o < total; o += size) pieces.push({ offset: o, length: Math.min(size, total - o) });
  return pieces;
}

/** Cuts an IPv4 packet into fragments (each with a copy of the header, options included). */
export function fragmentIpv4(packet: Buffer, pieces: FragmentPiece[] | number): Buffer[] {
  const ihl = (packet[0]! & 0x0f) * 4;
  const header = packet.subarray(0, ihl);
  const body = packet.subarray(ihl, packet.readUInt16BE(2));
  const list = typeof pieces === 'number' ? evenPieces(body.length, pieces) : pieces;
  return list.map((p) => {
    const data = Buffer.from(body.subarray(p.offset, p.offset + p.length));
    if (p.fill !== undefined) data.fill(p.fill);
    const h = Buffer.from(header);
    const more = p.more ?? p.offset + p.length < body.length;
    h.writeUInt16BE(ihl + data.length, 2);
    h.writeUInt16BE((more ? 0x2000 : 0) | (p.offset / 8), 6);
    h.writeUInt16BE(0, 10);
    h.writeUInt16BE(internetChecksum(h), 10);
    return Buffer.concat([h, data]);
  });
}

/**
 * Cuts an IPv6 packet into fragments. The unfragmentable part is the base header plus any leading hop-by-hop
 * and routing headers; a fragment header (identification `id`) goes after it.
 */
export function fragmentIpv6(packet: Buffer, pieces: FragmentPiece[] | number, id = 0xabcd1234): Buffer[] {
  let p = 40;
  let nextField = 6;
  let next = packet[6]!;
  while (next === 0 || next === 43) {
    nextField = p;
    next = packet[p]!;
    p += (packet[p + 1]! + 1) * 8;
  }
  const unfrag = packet.subarray(0, p);
  const body = packet.subarray(p, 40 + packet.readUInt16BE(4));
  const list = typeof pieces === 'number' ? evenPieces(body.length, pieces) : pieces;
  return list.map((piece) => {
    const data = Buffer.from(body.subarray(piece.offset, piece.offset + piece.length));
    if (piece.fill !== undefined) data.fill(piece.fill);
    const more = piece.more ?? piece.offset + piece.length < body.length;
    const fh = Buffer.alloc(8);
    fh[0] = next;
    fh.writeUInt16BE(piece.offset | (more ? 1 : 0), 2);
    fh.writeUInt32BE(id >>> 0, 4);
    const h = Buffer.from(unfrag);
    h[nextField] = 44;
    h.writeUInt16BE(h.length - 40 + 8 + data.length, 4);
    return Buffer.concat([h, fh, data]);
  });
}

/** Wraps an IP packet in a link layer. */
export function linkFrame(ip: Buffer, link: LinkSpec): Buffer {
  const v6 = ip[0]! >>> 4 === 6;
  const etherType = v6 ? 0x86dd : 0x0800;
  const vlans = link.vlans ?? [];
  const tags = (type: number) => {
    const tpids = vlans.map((_, i) => link.tagTypes?.[i] ?? (i < vlans.length - 1 ? 0x88a8 : 0x8100));
    const bytes = Buffer.alloc(4 * vlans.length);
    for (let i = 0; i < vlans.length; i++) {
      bytes.writeUInt16BE(vlans[i]! & 0x0fff, 4 * i);
      bytes.writeUInt16BE(i + 1 < vlans.length ? tpids[i + 1]! : type, 4 * i + 2);
    }
    return { outer: vlans.length > 0 ? tpids[0]! : type, bytes };
  };
  const family = (order: 'le' | 'be') => {
    const b = Buffer.alloc(4);
    const af = v6 ? (link.inet6Family ?? 30) : 2;
    if (order === 'le') b.writeUInt32LE(af);
    else b.writeUInt32BE(af);
    return b;
  };
  switch (link.linkType) {
    case 1: {
      const { outer, bytes } = tags(etherType);
      const h = Buffer.alloc(14);
      Buffer.from([0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x66, 0x77, 0x88, 0x99, 0xaa]).copy(h);
      h.writeUInt16BE(outer, 12);
      const frame = Buffer.concat([h, bytes, ip]);
      const padTo = link.padTo ?? 0;
      if (frame.length >= padTo) return frame;
      return Buffer.concat([frame, Buffer.alloc(padTo - frame.length, link.padByte ?? 0xee)]);
    }
    case 113: {
      const { outer, bytes } = tags(etherType);
      const h = Buffer.alloc(16);
      h.writeUInt16BE(0, 0); // to us
      h.writeUInt16BE(1, 2); // ARPHRD_ETHER
      h.writeUInt16BE(6, 4);
      Buffer.from([0x00, 0x66, 0x77, 0x88, 0x99, 0xaa]).copy(h, 6);
      h.writeUInt16BE(outer, 14);
      return Buffer.concat([h, bytes, ip]);
    }
    case 276: {
      const { outer, bytes } = tags(etherType);
      const h = Buffer.alloc(20);
      h.writeUInt16BE(outer, 0);
      h.writeUInt32BE(2, 4); // interface index
      h.writeUInt16BE(1, 8); // ARPHRD_ETHER
      h[10] = 0; // to us
      h[11] = 6;
      Buffer.from([0x00, 0x66, 0x77, 0x88, 0x99, 0xaa]).copy(h, 12);
      return Buffer.concat([h, bytes, ip]);
    }
    case 0:
      return Buffer.concat([family(link.nullByteOrder ?? 'le'), ip]);
    case 108:
      return Buffer.concat([family('be'), ip]);
    case 12:
    case 14:
    case 101:
    case 228:
    case 229:
      return Buffer.from(ip);
    default:
      throw new Error(`frame-builder: no link layer for link type ${link.linkType}`);
  }
}

/** A TCP segment in the given link layer (default Ethernet). */
export function tcpFrame(spec: TcpSegmentSpec & IpSpec = {}, link: LinkSpec = { linkType: 1 }): Buffer {
  return linkFrame(tcpPacket(spec), link);
}

/** Record details for {@link captureRecord}. */
export interface RecordSpec {
  /** Keep only this many bytes (the rest counts as cut by snaplen). */
  snaplen?: number;
  tsSec?: number;
  tsNsec?: number;
  recordNumber?: number;
  interfaceId?: number;
  /** Where the frame sits in the record's buffer (default 7: an odd offset, as in a reader's shared buffer). */
  bufferOffset?: number;
}

/**
 * A capture record holding `frame` as a reader would hand it out: inside a larger buffer, at an offset,
 * with bytes after it (so a decoder reading past the captured length would be noticed).
 */
export function captureRecord(frame: Buffer, linkType: number, spec: RecordSpec = {}): CaptureRecord {
  const rec = new CaptureRecord();
  const at = spec.bufferOffset ?? 7;
  const captured = Math.min(frame.length, spec.snaplen ?? frame.length);
  const buf = Buffer.alloc(at + captured + 64, 0xa5);
  frame.copy(buf, at, 0, captured);
  rec.buf = buf;
  rec.offset = at;
  rec.capturedLength = captured;
  rec.originalLength = frame.length;
  rec.linkType = linkType;
  rec.tsSec = spec.tsSec ?? 1_700_000_000;
  rec.tsNsec = spec.tsNsec ?? 0;
  rec.recordNumber = spec.recordNumber ?? 1;
  rec.interfaceId = spec.interfaceId ?? 0;
  return rec;
}
