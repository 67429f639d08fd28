/**
 * Attack generators: TCP segment sequences (and, for the IP fragment attacks, link frames) crafted to defeat a
 * reassembler: floods of half-open connections, sequence jumps, conflicting retransmissions, huge out-of-order
 * queues, tiny segments, port reuse, blind RSTs, fragment floods and overlapping fragments.
 *
 * Each generator fills ONE reused TcpPacket (or CaptureRecord) and hands it to `emit`, so a million-segment attack
 * costs no memory of its own: what the measurements see is the engine's. Each returns what it sent, so a test can
 * compute the counts the engine must report.
 */
import { TcpFlag, TcpPacket } from '../../lib/decode/packet.js';
import { CaptureRecord } from '../../lib/capture/record.js';
import { ipv4Packet, tcpPacket } from '../support/frame-builder.js';
import { ethernet, udp, vxlan } from '../support/tunnel-builder.js';

export const { SYN, ACK, FIN, RST, PSH } = TcpFlag;

/** Payload source: a fixed pseudo-random buffer; different offsets give different bytes. */
export const PATTERN = makePattern(1 << 17);
/** A second pattern, unlike the first at every position (each byte XOR 0x5a): the "other version" of data. */
export const OTHER = Buffer.from(PATTERN.map((b) => b ^ 0x5a));

function makePattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 0x12345678;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

export const CLIENT_IP = 0x0a000001; // 10.0.0.1
export const SERVER_IP = 0x0a000002; // 10.0.0.2
export const BASE_TS = 1_700_000_000;

/** Fills the reused packet. Time advances 1 µs per call of `tick`. */
export class Segments {
  readonly pkt = new TcpPacket();
  private us = 0;

  /** `windowScale`: the option both SYNs carry (-1: none, so windows are the raw 65535). */
  constructor(
    private readonly emit: (pkt: TcpPacket) => void,
    private readonly windowScale = -1,
  ) {
    this.pkt.ipVersion = 4;
  }

  /**
   * Sends one segment. `data`: PATTERN or OTHER, payload at [at, at + len) of it; `wireLen` defaults to len.
   */
  send(
    srcIp: number,
    srcPort: number,
    dstIp: number,
    dstPort: number,
    seq: number,
    ack: number,
    flags: number,
    len = 0,
    at = 0,
    data: Buffer = PATTERN,
  ): void {
    const p = this.pkt;
    p.src[3] = srcIp >>> 0;
    p.dst[3] = dstIp >>> 0;
    p.srcPort = srcPort;
    p.dstPort = dstPort;
    p.seq = seq >>> 0;
    p.ack = ack >>> 0;
    p.flags = flags;
    p.window = 65535;
    p.windowScale = (flags & SYN) !== 0 ? this.windowScale : -1;
    p.payloadBuf = data;
    p.payloadOffset = at % (data.length - len);
    p.payloadLength = len;
    p.wireLength = len;
    this.us++;
    p.tsSec = BASE_TS + Math.floor(this.us / 1e6);
    p.tsNsec = (this.us % 1e6) * 1000;
    p.recordNumber = this.us;
    p.fileOffset = this.us * 100;
    this.emit(p);
  }

  /** Client to server. */
  c2s(seq: number, ack: number, flags: number, len = 0, at = 0, data: Buffer = PATTERN, sport = 40000): void {
    this.send(CLIENT_IP, sport, SERVER_IP, 80, seq, ack, flags, len, at, data);
  }

  /** Server to client. */
  s2c(seq: number, ack: number, flags: number, len = 0, at = 0, data: Buffer = PATTERN, dport = 40000): void {
    this.send(SERVER_IP, 80, CLIENT_IP, dport, seq, ack, flags, len, at, data);
  }

  /**
   * Three-way handshake on client port `sport`: client data starts at ci + 1, server data at si + 1. With a
   * window scale, the server then advertises its scaled window in a bare ACK (a SYN's window is never scaled).
   */
  handshake(ci: number, si: number, sport = 40000): void {
    this.c2s(ci, 0, SYN, 0, 0, PATTERN, sport);
    this.s2c(si, ci + 1, SYN | ACK, 0, 0, PATTERN, sport);
    this.c2s(ci + 1, si + 1, ACK, 0, 0, PATTERN, sport);
    if (this.windowScale >= 0) this.s2c(si + 1, ci + 1, ACK, 0, 0, PATTERN, sport);
  }
}

/** What an attack sent. */
export interface Sent {
  segments: number;
  /** Payload bytes sent (all segments). */
  bytes: number;
}

/**
 * SYN flood: `n` SYNs, each from its own source address and port (a half-open connection each), never answered.
 */
export function synFlood(n: number, emit: (pkt: TcpPacket) => void): Sent {
  const s = new Segments(emit);
  for (let i = 0; i < n; i++) {
    // 10.x.y.z sources, ports 1024..65535: every SYN a new 4-tuple.
    s.send((0x0b000000 + Math.floor(i / 64000)) >>> 0, 1024 + (i % 64000), SERVER_IP, 80, i * 7919, 0, SYN);
  }
  return { segments: n, bytes: 0 };
}

/**
 * Sequence jump: a connection sends `before` bytes in order, then jumps its sequence number by `jump` (2^31 by
 * default) and sends `after` more segments of `seg` bytes in order from there. Nothing fills the jump.
 * `windowScale`: the SYNs' window scale option (none by default: 64 KiB windows).
 */
export function seqJump(after: number, emit: (pkt: TcpPacket) => void, jump = 0x80000000, seg = 1000, before = 4000, windowScale = -1): Sent {
  const s = new Segments(emit, windowScale);
  const ci = 1000;
  s.handshake(ci, 5000);
  let seq = ci + 1;
  for (let o = 0; o < before; o += seg) s.c2s(seq + o, 5001, ACK | PSH, seg, o);
  seq = (seq + before + jump) >>> 0;
  for (let i = 0; i < after; i++) s.c2s(seq + i * seg, 5001, ACK | PSH, seg, before + i * seg);
  return { segments: 3 + before / seg + after, bytes: before + after * seg };
}

/**
 * Conflicting retransmissions: the first segment of the client's data is lost, so what follows is buffered; then
 * `n` retransmissions of the buffered range arrive, each with different bytes than the copy held (alternating
 * PATTERN and OTHER, so every one conflicts with its predecessor). Finally the lost segment arrives.
 * Every retransmission overlaps `seg` buffered bytes.
 */
export function conflictingRetransmissions(n: number, emit: (pkt: TcpPacket) => void, seg = 100): Sent {
  const s = new Segments(emit);
  const ci = 1000;
  s.handshake(ci, 5000);
  const first = ci + 1;
  s.c2s(first + seg, 5001, ACK, seg, seg); // buffered behind the hole [first, first + seg)
  for (let i = 0; i < n; i++) s.c2s(first + seg, 5001, ACK, seg, seg, i % 2 === 0 ? OTHER : PATTERN);
  s.c2s(first, 5001, ACK, seg, 0);
  return { segments: 3 + n + 2, bytes: (n + 2) * seg };
}

/**
 * Conflicts against delivered data: `seg`-byte segments delivered in order, each followed by a retransmission of
 * the same range with different bytes (n pairs).
 */
export function conflictingDelivered(n: number, emit: (pkt: TcpPacket) => void, seg = 100): Sent {
  const s = new Segments(emit);
  const ci = 1000;
  s.handshake(ci, 5000);
  for (let i = 0; i < n; i++) {
    const seq = ci + 1 + i * seg;
    s.c2s(seq, 5001, ACK, seg, i * seg);
    s.c2s(seq, 5001, ACK, seg, i * seg, OTHER);
  }
  return { segments: 3 + 2 * n, bytes: 2 * n * seg };
}

/**
 * Out-of-order queue: the client's first segment is lost, then `n` segments of `seg` bytes arrive (in order,
 * or in reverse order), all queueing behind the hole; finally the lost segment arrives. The SYNs carry
 * `windowScale` (7: 8 MiB windows, so the whole queue lies in the receiver's window).
 */
export function oooQueue(n: number, emit: (pkt: TcpPacket) => void, seg = 100, reverse = false, windowScale = 7): Sent {
  const s = new Segments(emit, windowScale);
  const ci = 1000;
  s.handshake(ci, 5000);
  const first = ci + 1;
  for (let k = 0; k < n; k++) {
    const i = reverse ? n - k : k + 1;
    s.c2s(first + i * seg, 5001, ACK, seg, i * seg);
  }
  s.c2s(first, 5001, ACK, seg, 0);
  return { segments: 3 + n + 1, bytes: (n + 1) * seg };
}

/**
 * Holes everywhere: `n` segments of `seg` bytes where every other segment is never sent, so each kept segment
 * waits behind its own hole: the per-connection page bound forces the gaps out one after another.
 */
export function everyOtherLost(n: number, emit: (pkt: TcpPacket) => void, seg = 100): Sent {
  const s = new Segments(emit);
  const ci = 1000;
  s.handshake(ci, 5000);
  for (let i = 0; i < n; i++) s.c2s(ci + 1 + (2 * i + 1) * seg, 5001, ACK, seg, i * seg);
  return { segments: 3 + n, bytes: n * seg };
}

/** Tiny segments: `n` one-byte segments, in order, or out of order in blocks of 16 sent backwards. */
export function tinySegments(n: number, emit: (pkt: TcpPacket) => void, outOfOrder = false): Sent {
  const s = new Segments(emit);
  const ci = 1000;
  s.handshake(ci, 5000);
  for (let k = 0; k < n; k++) {
    const i = outOfOrder ? (k & ~15) + (15 - (k & 15)) : k;
    if (i >= n) continue;
    s.c2s(ci + 1 + i, 5001, ACK, 1, i);
  }
  return { segments: 3 + n, bytes: n };
}

/**
 * Port reuse in quick succession: `n` connections on the same 4-tuple, one after the other, each with a new ISN:
 * SYN, SYN-ACK, ACK, 10 bytes of data, and either a clean FIN exchange (even) or nothing (odd: the next SYN
 * supersedes it while it is still open).
 */
export function portReuse(n: number, emit: (pkt: TcpPacket) => void): Sent {
  const s = new Segments(emit);
  for (let i = 0; i < n; i++) {
    const ci = (i * 100_003 + 7) >>> 0;
    const si = (i * 999_983 + 11) >>> 0;
    s.handshake(ci, si);
    s.c2s(ci + 1, si + 1, ACK | PSH, 10, i);
    if (i % 2 === 0) {
      s.c2s(ci + 11, si + 1, FIN | ACK);
      s.s2c(si + 1, ci + 12, FIN | ACK);
      s.c2s(ci + 12, si + 2, ACK);
    }
  }
  return { segments: n * 4 + Math.ceil(n / 2) * 3, bytes: n * 10 };
}

/**
 * RSTs with wrong sequence numbers: `n` connections each send 100 bytes, then get an RST whose sequence number is
 * 2^30 away from anything in the window (a blind reset), then 100 more bytes in order.
 */
export function blindRst(n: number, emit: (pkt: TcpPacket) => void): Sent {
  const s = new Segments(emit);
  for (let i = 0; i < n; i++) {
    const sport = 1024 + (i % 60000);
    const ci = 1000;
    s.c2s(ci, 0, SYN, 0, 0, PATTERN, sport);
    s.s2c(5000, ci + 1, SYN | ACK, 0, 0, PATTERN, sport);
    s.c2s(ci + 1, 5001, ACK | PSH, 100, 0, PATTERN, sport);
    s.s2c(5001 + 0x40000000, 0, RST, 0, 0, PATTERN, sport);
    s.c2s(ci + 101, 5001, ACK | PSH, 100, 100, PATTERN, sport);
  }
  return { segments: 5 * n, bytes: 200 * n };
}

// ------------------------------------------------------------------ IP fragments (decoder level)

/** A reusable Ethernet + IPv4 fragment frame; the generator patches id, offset and bytes in place. */
class FragmentFrames {
  readonly rec = new CaptureRecord();
  private readonly buf = Buffer.alloc(14 + 20 + 1480);
  private n = 0;

  constructor(private readonly emit: (rec: CaptureRecord) => void) {
    const b = this.buf;
    b.writeUInt16BE(0x0800, 12);
    b[14] = 0x45;
    b[14 + 8] = 64;
    b[14 + 9] = 6; // TCP
    b.writeUInt32BE(CLIENT_IP, 14 + 12);
    b.writeUInt32BE(SERVER_IP, 14 + 16);
    this.rec.linkType = 1;
    this.rec.buf = b;
  }

  /** One fragment: datagram `id`, byte `offset` (multiple of 8), `len` bytes from `data` at `at`, MF flag. */
  send(id: number, offset: number, len: number, more: boolean, data: Buffer, at: number): void {
    const b = this.buf;
    b.writeUInt16BE(20 + len, 14 + 2);
    b.writeUInt16BE(id & 0xffff, 14 + 4);
    b.writeUInt16BE((more ? 0x2000 : 0) | (offset >>> 3), 14 + 6);
    data.copy(b, 34, at, at + len);
    const r = this.rec;
    this.n++;
    r.recordNumber = this.n;
    r.fileOffset = this.n * 1600;
    r.tsSec = BASE_TS + Math.floor(this.n / 1e6);
    r.tsNsec = (this.n % 1e6) * 1000;
    r.offset = 0;
    r.capturedLength = r.originalLength = 34 + len;
    this.emit(r);
  }

  /** A TCP header (20 bytes, ports 40000 -> 80, seq) followed by payload bytes, as the first fragment carries. */
  static tcpHeader(seq: number, flags: number): Buffer {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(40000, 0);
    h.writeUInt16BE(80, 2);
    h.writeUInt32BE(seq >>> 0, 4);
    h[12] = 0x50;
    h[13] = flags;
    h.writeUInt16BE(65535, 14);
    return h;
  }
}

/**
 * Fragment flood: `n` first fragments (offset 0, MF set, 1480 bytes) of `n` different datagrams whose other
 * fragments never come. Only the caps and the timeout bound what the decoder holds.
 */
export function fragmentFlood(n: number, emit: (rec: CaptureRecord) => void): Sent {
  const f = new FragmentFrames(emit);
  for (let i = 0; i < n; i++) f.send(i, 0, 1480, true, PATTERN, (i * 8) % 60000);
  return { segments: n, bytes: n * 1480 };
}

/**
 * Overlapping fragments with different data, `n` datagrams: each a TCP segment (20-byte header + 200 bytes of
 * payload) sent as two fragments, [0, 120) from the original bytes and [80, 220) (MF clear) from a copy whose
 * payload bytes all differ, so datagram bytes [80, 120) arrive twice with different contents. The decoder keeps
 * the first copy of every byte: see {@link overlappingFragmentPayload}.
 */
export function overlappingFragments(n: number, emit: (rec: CaptureRecord) => void): Sent {
  const f = new FragmentFrames(emit);
  const dgram = Buffer.alloc(220);
  const alt = Buffer.alloc(220);
  for (let i = 0; i < n; i++) {
    const seq = 1001 + i * 200;
    FragmentFrames.tcpHeader(seq, ACK).copy(dgram, 0);
    PATTERN.copy(dgram, 20, i * 200 % 60000, (i * 200 % 60000) + 200);
    dgram.copy(alt);
    for (let k = 20; k < 220; k++) alt[k] = dgram[k]! ^ 0x5a;
    f.send(i, 0, 120, true, dgram, 0);
    f.send(i, 80, 140, false, alt, 80);
  }
  return { segments: 2 * n, bytes: 200 * n };
}

/** The payload the decoder must deliver for datagram `i` of {@link overlappingFragments} (first copy wins). */
export function overlappingFragmentPayload(i: number): Buffer {
  const base = (i * 200) % 60000;
  const out = Buffer.from(PATTERN.subarray(base, base + 200));
  for (let k = 100; k < 200; k++) out[k]! ^= 0x5a; // TCP payload bytes 100.. are datagram bytes 120..: second fragment
  return out;
}

/**
 * Tunnel flood: `n` SYNs, each in a VXLAN tunnel of its own (VNI i), all carrying the same inner 4-tuple. Every
 * one is a new encapsulation and a new connection: only the table's bound and the connection bound limit what
 * is kept. One reused frame, the VNI rewritten in place.
 */
export function tunnelFlood(n: number, emit: (rec: CaptureRecord) => void): Sent {
  const inner = ethernet(0x0800, tcpPacket({ src: '10.1.0.1', dst: '10.1.0.2', srcPort: 40000, dstPort: 80, seq: 1000, flags: TcpFlag.SYN }));
  const frame = ethernet(0x0800, ipv4Packet('192.0.2.1', '192.0.2.2', 17, udp(50000, 4789, vxlan(0, inner))));
  const vniAt = 14 + 20 + 8 + 4;
  const rec = new CaptureRecord();
  rec.linkType = 1;
  rec.buf = frame;
  rec.capturedLength = rec.originalLength = frame.length;
  for (let i = 0; i < n; i++) {
    frame.writeUIntBE(i & 0xffffff, vniAt, 3);
    rec.recordNumber = i + 1;
    rec.tsSec = 1_700_000_000 + Math.floor(i / 1000);
    emit(rec);
  }
  return { segments: n, bytes: 0 };
}

/** A data segment inside `depth` IP-in-IP layers (the decoder's bound is MAX_ENCAPSULATION_DEPTH). */
export function nestedTunnel(depth: number, payload = 'deep'): Buffer {
  let p = tcpPacket({ src: '10.1.0.1', dst: '10.1.0.2', srcPort: 40000, dstPort: 80, seq: 1000, flags: TcpFlag.ACK, payload });
  for (let i = 0; i < depth; i++) p = ipv4Packet(`10.9.${i}.1`, `10.9.${i}.2`, 4, p);
  return ethernet(0x0800, p);
}
