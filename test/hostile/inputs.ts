/**
 * Hostile captures for `npm run hostile`, written straight to disk with the bench's capture writer (one reused
 * buffer, checksums from the payload pool's prefix sums), so a capture of millions of segments costs seconds.
 * Each generator returns what a correct run must show.
 */
import { readFileSync, writeFileSync } from 'node:fs';
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
