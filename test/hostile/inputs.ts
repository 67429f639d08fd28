/**
 * Hostile captures for `npm run hostile`, written straight to disk with the bench's capture writer (one reused
 * buffer, checksums from the payload pool's prefix sums), so a capture of millions of segments costs seconds.
 * Each generator returns what a correct run must show.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { CaptureWriter } from '../bench/capture-writer.js';
import { ACK, FIN, PSH, SYN, SegmentSpec, writeSegment } from '../bench/frame.js';
import { PayloadPool } from '../bench/payload-pool.js';

export const RST = 0x04;
const pool = new PayloadPool(0x4057);

/** One reused segment spec and the writer; time advances 1 µs a segment. */
export class HostileWriter {
  private readonly w: CaptureWriter;
  private readonly s = new SegmentSpec();
  private us = 0;

  constructor(file: string) {
    this.w = new CaptureWriter(file, 'pcap');
  }

  /** A segment with `len` payload bytes taken from the pool at `poolAt` (so equal offsets give equal bytes). */
  send(srcIp: number, srcPort: number, dstIp: number, dstPort: number, seq: number, ack: number, flags: number, len = 0, poolAt = 0, window = 502): void {
    const s = this.s;
    s.srcIp = srcIp >>> 0;
    s.dstIp = dstIp >>> 0;
    s.srcPort = srcPort;
    s.dstPort = dstPort;
    s.seq = seq >>> 0;
    s.ack = ack >>> 0;
    s.flags = flags;
    s.window = window;
    s.poolAt = poolAt % pool.size;
    s.payloadLength = len;
    this.us++;
    writeSegment(this.w, pool, s, 1_700_000_000 + Math.floor(this.us / 1e6), this.us % 1e6);
  }

  /** Moves capture time on by `sec` seconds. */
  wait(sec: number): void {
    this.us += Math.round(sec * 1e6);
  }

  close(): number {
    this.w.close();
    return this.w.bytesWritten;
  }
}

/** The bytes at pool offset `at`, `len` long: what a stream built from the pool must hold. */
export function poolBytes(at: number, len: number): Buffer {
  return Buffer.from(pool.bytes.subarray(at % pool.size, (at % pool.size) + len));
}

const C = 0x0a000001;
const S = 0x0a000002;

/** `n` SYNs from distinct sources, never answered. */
export function synFlood(file: string, n: number): number {
  const w = new HostileWriter(file);
  for (let i = 0; i < n; i++) w.send(0x0b000000 + i, 1024 + (i % 60000), S, 80, i * 7919, 0, SYN);
  return w.close();
}

/**
 * `conns` connections each sending `segments` one-byte segments with a claimed hole of `holeBytes` before each
 * (16 MiB by default, tcpflow's largest fill): tiny payload, gigabytes of zeros with an unbounded --fill-gaps.
 * The server acknowledges each segment as if the holes were only lost by the capture, with an 8 MiB window
 * (scale 7), so every segment lies in its window.
 */
export function fillBomb(file: string, conns: number, segments: number, holeBytes = 16 * 1024 * 1024): { bytes: number; payload: number } {
  const w = new HostileWriter(file);
  for (let c = 0; c < conns; c++) {
    const port = 20000 + c;
    const isn = 1000;
    w.send(C, port, S, 80, isn, 0, SYN);
    w.send(S, 80, C, port, 5000, isn + 1, SYN | ACK);
    let seq = isn + 1;
    for (let i = 0; i < segments; i++) {
      w.send(C, port, S, 80, seq, 5001, ACK | PSH, 1, c * 100 + i, 65535);
      w.send(S, 80, C, port, 5001, seq + 1, ACK, 0, 0, 65535);
      seq = (seq + 1 + holeBytes) >>> 0;
    }
  }
  return { bytes: w.close(), payload: conns * segments };
}

/**
 * `n` connections from one client to one server alternating between two client ports `a` and `b` (each
 * connection closed before the next), one data byte each way: port reuse that exercises the cN file names.
 */
export function portReuse(file: string, n: number, a: number, b: number): number {
  const w = new HostileWriter(file);
  for (let i = 0; i < n; i++) {
    const port = i % 2 === 0 ? a : b;
    const ci = (i * 100_003) >>> 0;
    const si = (i * 7_919 + 5) >>> 0;
    w.send(C, port, S, 80, ci, 0, SYN);
    w.send(S, 80, C, port, si, ci + 1, SYN | ACK);
    w.send(C, port, S, 80, ci + 1, si + 1, ACK | PSH, 1, i);
    w.send(S, 80, C, port, si + 1, ci + 2, ACK | PSH, 1, i + 1);
    w.send(C, port, S, 80, ci + 2, si + 2, ACK | FIN);
    w.send(S, 80, C, port, si + 2, ci + 3, ACK | FIN);
    w.send(C, port, S, 80, ci + 3, si + 3, ACK);
  }
  return w.close();
}

/** `n` short connections, all closed: one row each in the analyze table. */
export function manyShort(file: string, n: number): number {
  const w = new HostileWriter(file);
  for (let i = 0; i < n; i++) {
    const src = 0x0c000000 + (i >>> 8);
    const port = 1024 + (i & 255);
    w.send(src, port, S, 80, 1000, 0, SYN);
    w.send(S, 80, src, port, 5000, 1001, SYN | ACK);
    w.send(src, port, S, 80, 1001, 5001, ACK | PSH, 10, i);
    w.send(src, port, S, 80, 1011, 5001, ACK | FIN);
    w.send(S, 80, src, port, 5001, 1012, ACK | FIN);
  }
  return w.close();
}

/**
 * `n` SYNs whose every record has a timestamp fraction of 1.5 s (`bad-timestamp`): one reader warning per
 * record, a million lines on stderr if nothing bounds them.
 */
export function warningFlood(file: string, n: number): number {
  const bytes = synFlood(file, n);
  const b = readFileSync(file);
  // pcap: a 24-byte file header, then records of a 16-byte header (ts_sec, ts_usec, incl_len, orig_len) and data.
  for (let p = 24; p + 16 <= b.length; p += 16 + b.readUInt32LE(p + 8)) b.writeUInt32LE(1_500_000, p + 4);
  writeFileSync(file, b);
  return bytes;
}

/**
 * `conns` connections with handshakes, each sending `bytes` in 1448-byte segments, every segment acknowledged
 * and all closed: a large ordinary capture (stdin, SIGTERM). The client stream of connection c is the pool
 * bytes from offset c * 7 on.
 */
export function bulk(file: string, conns: number, bytes: number): number {
  const w = new HostileWriter(file);
  for (let c = 0; c < conns; c++) {
    const port = 30000 + c;
    w.send(C, port, S, 80, 1000, 0, SYN);
    w.send(S, 80, C, port, 5000, 1001, SYN | ACK);
    let o = 0;
    for (; o < bytes; o += 1448) {
      const len = Math.min(1448, bytes - o);
      w.send(C, port, S, 80, 1001 + o, 5001, ACK | PSH, len, c * 7 + o);
      if ((o / 1448) % 2 === 1) w.send(S, 80, C, port, 5001, 1001 + o + len, ACK);
    }
    w.send(C, port, S, 80, 1001 + o, 5001, ACK | FIN);
    w.send(S, 80, C, port, 5001, 1002 + o, ACK | FIN);
    w.send(C, port, S, 80, 1002 + o, 5002, ACK);
  }
  return w.close();
}

/**
 * One connection picked up mid-stream, a one-way capture (only the client's direction): `segments` of 1000
 * bytes 10 ms apart, and after the tenth a forged RST "from the server", a direction never seen, so nothing can
 * check its sequence number. The client goes on sending for seconds: the stream must too.
 */
export function forgedRst(file: string, segments: number): { bytes: number; stream: number } {
  const w = new HostileWriter(file);
  for (let i = 0; i < segments; i++) {
    w.send(C, 40000, S, 80, 1001 + i * 1000, 5001, ACK | PSH, 1000, i * 1000);
    if (i === 9) w.send(S, 80, C, 40000, 5001, 1001 + 10_000, RST | ACK);
    w.wait(0.01);
  }
  return { bytes: w.close(), stream: segments * 1000 };
}

/**
 * A handshake (64 KiB windows, scale 7 in the SYNs, 502 x 128 advertised after), `segments` of 1000 bytes each
 * acknowledged, and after each tenth a forged segment 8 MiB ahead of the next byte; the capture ends without a
 * FIN, so anything queued would be flushed into the stream.
 */
export function seqAhead(file: string, segments: number): { bytes: number; stream: number } {
  const w = new HostileWriter(file);
  w.send(C, 40000, S, 80, 1000, 0, SYN);
  w.send(S, 80, C, 40000, 5000, 1001, SYN | ACK);
  w.send(C, 40000, S, 80, 1001, 5001, ACK);
  for (let i = 0; i < segments; i++) {
    const seq = 1001 + i * 1000;
    w.send(C, 40000, S, 80, seq, 5001, ACK | PSH, 1000, i * 1000);
    w.send(S, 80, C, 40000, 5001, seq + 1000, ACK);
    if (i % 10 === 9) w.send(C, 40000, S, 80, seq + 1000 + 8 * 1024 * 1024, 5001, ACK | PSH, 1000, 77);
  }
  return { bytes: w.close(), stream: segments * 1000 };
}

/** `n` first IPv4 fragments (offset 0, MF, 1480 bytes) of `n` datagrams whose other fragments never come. */
export function fragmentFlood(file: string, n: number): number {
  const w = new CaptureWriter(file, 'pcap');
  for (let i = 0; i < n; i++) {
    const len = 14 + 20 + 1480;
    const at = w.begin(len);
    const b = w.buf;
    b.fill(0, at, at + 14);
    b.writeUInt16BE(0x0800, at + 12);
    const ip = at + 14;
    b[ip] = 0x45;
    b[ip + 1] = 0;
    b.writeUInt16BE(20 + 1480, ip + 2);
    b.writeUInt16BE(i & 0xffff, ip + 4);
    b.writeUInt16BE(0x2000, ip + 6); // MF, offset 0
    b[ip + 8] = 64;
    b[ip + 9] = 6;
    b.writeUInt16BE(0, ip + 10);
    b.writeUInt32BE((0x0d000000 + (i >>> 16)) >>> 0, ip + 12);
    b.writeUInt32BE(S, ip + 16);
    pool.bytes.copy(b, ip + 20, i % 1000, (i % 1000) + 1480);
    w.end(len, 1_700_000_000 + Math.floor(i / 1e6), i % 1e6);
  }
  w.close();
  return w.bytesWritten;
}

/**
 * A gzip bomb: a capture of `records` identical 1514-byte frames (one segment retransmitted), compressed
 * about 1000 to 1. Returns the compressed and uncompressed sizes.
 */
export function gzipBomb(file: string, records: number): { bytes: number; inflated: number } {
  const tmp = `${file}.raw`;
  const w = new HostileWriter(tmp);
  w.send(C, 40000, S, 80, 1000, 0, SYN);
  for (let i = 0; i < records; i++) w.send(C, 40000, S, 80, 1001, 5001, ACK | PSH, 1448, 0);
  const inflated = w.close();
  const fd = openSync(file, 'w');
  const gz = gzipSync(readFileSync(tmp), { level: 9 });
  writeSync(fd, gz);
  closeSync(fd);
  unlinkSync(tmp);
  return { bytes: gz.length, inflated };
}

/**
 * `conns` connections, each losing its first segment and then sending `queued` full segments that wait behind
 * the hole, all open at once: out-of-order data for the page bounds to hold.
 */
export function pageFlood(file: string, conns: number, queued: number): number {
  const w = new HostileWriter(file);
  for (let c = 0; c < conns; c++) {
    const port = 10000 + c;
    const src = 0x0e000000 + c;
    w.send(src, port, S, 80, 1000, 0, SYN);
    w.send(S, 80, src, port, 5000, 1001, SYN | ACK, 0, 0, 65535);
  }
  for (let k = 1; k <= queued; k++) {
    for (let c = 0; c < conns; c++) w.send(0x0e000000 + c, 10000 + c, S, 80, 1001 + k * 1448, 5001, ACK | PSH, 1448, k * 1448);
  }
  return w.close();
}
