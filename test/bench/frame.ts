import type { CaptureWriter } from './capture-writer.js';
import type { PayloadPool } from './payload-pool.js';

/** TCP flag bits as on the wire. */
export const FIN = 0x01;
export const SYN = 0x02;
export const PSH = 0x08;
export const ACK = 0x10;

const ETH = 14;
const IP = 20;
/** TCP header with the SYN option set: MSS, SACK permitted, timestamps, NOP, window scale. */
const TCP_SYN = 40;
/** TCP header with NOP, NOP, timestamps: what Linux sends on every established segment. */
const TCP_TS = 32;

/** Fields of one TCP/IPv4 segment to write; reused for every frame (the generator is a hot loop too). */
export class SegmentSpec {
  srcIp = 0;
  dstIp = 0;
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  window = 502;
  ipId = 0;
  mss = 1460;
  windowScale = 7;
  tsVal = 0;
  tsEcr = 0;
  /** Pool offset of the first payload byte. */
  poolAt = 0;
  payloadLength = 0;
}

/** Largest frame `writeSegment` produces for a payload of `len` bytes. */
export function frameLength(len: number, syn: boolean): number {
  return ETH + IP + (syn ? TCP_SYN : TCP_TS) + len;
}

/**
 * Writes an Ethernet/IPv4/TCP frame for `s` into `w` at the given time, with correct IPv4 and TCP checksums.
 * Returns the frame length.
 */
export function writeSegment(w: CaptureWriter, pool: PayloadPool, s: SegmentSpec, tsSec: number, tsUsec: number): number {
  const syn = (s.flags & SYN) !== 0;
  const tcpLen = syn ? TCP_SYN : TCP_TS;
  const frameLen = ETH + IP + tcpLen + s.payloadLength;
  const at = w.begin(frameLen);
  const b = w.buf;

  // Ethernet: locally administered MACs derived from the IPs, so each host keeps one address.
  b.writeUInt16BE(0x0200, at);
  b.writeUInt32BE(s.dstIp, at + 2);
  b.writeUInt16BE(0x0200, at + 6);
  b.writeUInt32BE(s.srcIp, at + 8);
  b.writeUInt16BE(0x0800, at + 12);

  const ip = at + ETH;
  b[ip] = 0x45;
  b[ip + 1] = 0;
  b.writeUInt16BE(IP + tcpLen + s.payloadLength, ip + 2);
  b.writeUInt16BE(s.ipId & 0xffff, ip + 4);
  b.writeUInt16BE(0x4000, ip + 6); // DF
  b[ip + 8] = 64;
  b[ip + 9] = 6;
  b.writeUInt16BE(0, ip + 10);
  b.writeUInt32BE(s.srcIp, ip + 12);
  b.writeUInt32BE(s.dstIp, ip + 16);
  b.writeUInt16BE(fold(sumWords(b, ip, IP)) ^ 0xffff, ip + 10);

  const t = ip + IP;
  b.writeUInt16BE(s.srcPort, t);
  b.writeUInt16BE(s.dstPort, t + 2);
  b.writeUInt32BE(s.seq >>> 0, t + 4);
  b.writeUInt32BE(s.ack >>> 0, t + 8);
  b[t + 12] = (tcpLen / 4) << 4;
  b[t + 13] = s.flags;
  b.writeUInt16BE(syn ? 64240 : s.window, t + 14);
  b.writeUInt16BE(0, t + 16);
  b.writeUInt16BE(0, t + 18);
  let o = t + 20;
  if (syn) {
    b[o] = 2; b[o + 1] = 4; b.writeUInt16BE(s.mss, o + 2); o += 4;
    b[o] = 4; b[o + 1] = 2; o += 2;
    b[o] = 8; b[o + 1] = 10; b.writeUInt32BE(s.tsVal >>> 0, o + 2); b.writeUInt32BE(s.tsEcr >>> 0, o + 6); o += 10;
    b[o] = 1; o += 1;
    b[o] = 3; b[o + 1] = 3; b[o + 2] = s.windowScale; o += 3;
  } else {
    b[o] = 1; b[o + 1] = 1; o += 2;
    b[o] = 8; b[o + 1] = 10; b.writeUInt32BE(s.tsVal >>> 0, o + 2); b.writeUInt32BE(s.tsEcr >>> 0, o + 6); o += 10;
  }
  if (s.payloadLength > 0) pool.bytes.copy(b, o, s.poolAt, s.poolAt + s.payloadLength);

  const tcpTotal = tcpLen + s.payloadLength;
  let sum = sumWords(b, t, tcpLen) + pool.sum(s.poolAt, s.payloadLength);
  sum += (s.srcIp >>> 16) + (s.srcIp & 0xffff) + (s.dstIp >>> 16) + (s.dstIp & 0xffff) + 6 + tcpTotal;
  b.writeUInt16BE(fold(sum) ^ 0xffff, t + 16);

  w.end(frameLen, tsSec, tsUsec);
  return frameLen;
}

/** Sum of the big-endian 16-bit words of an even-length header. */
function sumWords(b: Buffer, at: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i += 2) s += (b[at + i] << 8) | b[at + i + 1];
  return s;
}

/** One's-complement fold of a sum below 2^53 to 16 bits. */
export function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum % 65536) + Math.floor(sum / 65536);
  return sum;
}
