import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Prng } from './prng.js';
import {
  bulkProfile, cornerWorkloads, ensureWorkload, manyProfile, reorderProfile, smallProfile, writeCapture,
  type Workload,
} from './workloads.js';

interface PcapParser {
  parse(input: string): NodeJS.EventEmitter;
}
const pcapParser = createRequire(import.meta.url)('pcap-parser') as PcapParser;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-workloads-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Frame {
  tsSec: number;
  tsUsec: number;
  data: Buffer;
}

/** Frames of a classic pcap, read by an independent parser (pcap-parser). */
function readPcap(file: string): Promise<Frame[]> {
  return new Promise((resolve, reject) => {
    const frames: Frame[] = [];
    let hdr: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number } | undefined;
    const p = pcapParser.parse(file);
    p.on('packetHeader', (h: typeof hdr) => (hdr = h));
    p.on('packetData', (d: Buffer) => {
      expect(d.length).toBe(hdr!.capturedLength);
      expect(hdr!.originalLength).toBe(hdr!.capturedLength);
      frames.push({ tsSec: hdr!.timestampSeconds, tsUsec: hdr!.timestampMicroseconds, data: Buffer.from(d) });
    });
    p.on('error', reject);
    p.on('end', () => resolve(frames));
  });
}

/** Frames of a pcapng with one Ethernet interface, walked block by block. */
function readPcapng(file: string): Frame[] {
  const b = fs.readFileSync(file);
  expect(b.readUInt32LE(0)).toBe(0x0a0d0d0a);
  const frames: Frame[] = [];
  let off = 0;
  while (off < b.length) {
    const type = b.readUInt32LE(off);
    const len = b.readUInt32LE(off + 4);
    expect(len % 4).toBe(0);
    expect(b.readUInt32LE(off + len - 4)).toBe(len);
    if (type === 1) expect(b.readUInt16LE(off + 8)).toBe(1);
    if (type === 6) {
      const usec = b.readUInt32LE(off + 12) * 4294967296 + b.readUInt32LE(off + 16);
      const cap = b.readUInt32LE(off + 20);
      frames.push({ tsSec: Math.floor(usec / 1e6), tsUsec: usec % 1e6, data: b.subarray(off + 28, off + 28 + cap) });
    }
    off += len;
  }
  return frames;
}

function checksum(b: Buffer, start: number, end: number, initial = 0): number {
  let s = initial;
  for (let i = start; i + 1 < end; i += 2) s += b.readUInt16BE(i);
  if ((end - start) & 1) s += b[end - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return s;
}

interface Direction {
  isn: number;
  data: Buffer;
  covered: Uint8Array;
  maxEnd: number;
  finOffset: number;
}

interface Check {
  frames: number;
  connections: number;
  dataSegments: number;
  streamBytes: number;
  conflicts: number;
}

/**
 * Decodes every frame on its own (Ethernet/IPv4/TCP), verifies both checksums, rebuilds each direction's stream
 * from sequence numbers, and checks that copies of the same range agree, that every byte up to the FIN was sent,
 * that acknowledgements never run ahead of the peer's data and that timestamps never go backwards.
 */
function checkFrames(frames: Frame[]): Check {
  const errors: string[] = [];
  const want = (ok: boolean, what: string, i: number): void => {
    if (!ok && errors.length < 5) errors.push(`frame ${i + 1}: ${what}`);
  };
  const dirs = new Map<string, Direction>();
  let lastTs = -Infinity;
  let dataSegments = 0;
  let conflicts = 0;
  for (let fi = 0; fi < frames.length; fi++) {
    const f = frames[fi];
    const ts = f.tsSec * 1e6 + f.tsUsec;
    want(ts >= lastTs, 'time went backwards', fi);
    lastTs = ts;
    const b = f.data;
    want(b.readUInt16BE(12) === 0x0800, 'not IPv4', fi);
    const ip = 14;
    want(b[ip] === 0x45, 'IP header length', fi);
    want(checksum(b, ip, ip + 20) === 0xffff, 'IP checksum', fi);
    const total = b.readUInt16BE(ip + 2);
    want(total + 14 === b.length, 'IP total length', fi);
    want(b[ip + 9] === 6, 'not TCP', fi);
    const t = ip + 20;
    const tcpLen = total - 20;
    const pseudo = b.readUInt16BE(ip + 12) + b.readUInt16BE(ip + 14) + b.readUInt16BE(ip + 16) + b.readUInt16BE(ip + 18) + 6 + tcpLen;
    want(checksum(b, t, t + tcpLen, pseudo) === 0xffff, 'TCP checksum', fi);
    const key = `${b.readUInt32BE(ip + 12)}:${b.readUInt16BE(t)}>${b.readUInt32BE(ip + 16)}:${b.readUInt16BE(t + 2)}`;
    const rkey = `${b.readUInt32BE(ip + 16)}:${b.readUInt16BE(t + 2)}>${b.readUInt32BE(ip + 12)}:${b.readUInt16BE(t)}`;
    const seq = b.readUInt32BE(t + 4);
    const ack = b.readUInt32BE(t + 8);
    const hl = (b[t + 12] >> 4) * 4;
    const flags = b[t + 13];
    const payload = b.subarray(t + hl);
    if (flags & 0x02) {
      want(!dirs.has(key), 'second SYN', fi);
      const opts = b.subarray(t + 20, t + hl);
      // MSS first, then SACK permitted, timestamps, window scale
      want(opts[0] === 2 && opts[4] === 4 && opts[6] === 8 && opts[17] === 3, 'SYN options', fi);
      dirs.set(key, { isn: seq, data: Buffer.alloc(1 << 16), covered: new Uint8Array(1 << 16), maxEnd: 0, finOffset: -1 });
      continue;
    }
    const d = dirs.get(key);
    if (d === undefined) {
      want(false, 'segment before SYN', fi);
      continue;
    }
    const off = (seq - d.isn - 1) >>> 0;
    if (payload.length > 0) {
      dataSegments++;
      const end = off + payload.length;
      while (end > d.data.length) {
        const nb = Buffer.alloc(d.data.length * 2);
        d.data.copy(nb);
        const nc = new Uint8Array(d.data.length * 2);
        nc.set(d.covered);
        d.data = nb;
        d.covered = nc;
      }
      let conflict = false;
      for (let i = 0; i < payload.length; i++) {
        if (d.covered[off + i] && d.data[off + i] !== payload[i]) conflict = true;
        d.data[off + i] = payload[i];
        d.covered[off + i] = 1;
      }
      if (conflict) conflicts++;
      d.maxEnd = Math.max(d.maxEnd, end);
    }
    if (flags & 0x01) d.finOffset = off;
    if (flags & 0x10) {
      const r = dirs.get(rkey)!;
      const acked = (ack - r.isn - 1) >>> 0;
      want(acked <= r.maxEnd + (r.finOffset >= 0 ? 1 : 0), 'ACK beyond the data sent', fi);
    }
  }
  let streamBytes = 0;
  for (const [key, d] of dirs) {
    if (d.finOffset !== d.maxEnd) errors.push(`${key}: FIN at ${d.finOffset}, data to ${d.maxEnd}`);
    const hole = d.covered.subarray(0, d.finOffset).indexOf(0);
    if (hole >= 0) errors.push(`${key}: byte ${hole} never sent`);
    streamBytes += d.finOffset;
  }
  expect(errors).toEqual([]);
  return { frames: frames.length, connections: dirs.size / 2, dataSegments, streamBytes, conflicts };
}

function sha(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

const traffic = (name: string, profile: Workload['source'] extends infer S ? S : never): Workload =>
  ({ name, description: name, format: 'pcap', gzip: false, source: profile });

describe('workload generator', () => {
  it('writes bulk traffic that an independent pcap parser reads, with valid checksums and consistent streams', async () => {
    const w = traffic('bulk', { kind: 'traffic', profile: { ...bulkProfile(2), concurrency: 4, messages: (rng) => [rng.range(200, 600), rng.range(100_000, 300_000)] } });
    const meta = await ensureWorkload(w, dir);
    const frames = await readPcap(meta.file);
    const c = checkFrames(frames);
    expect(c.frames).toBe(meta.packets);
    expect(c.connections).toBe(meta.connections);
    expect(c.dataSegments).toBe(meta.dataSegments);
    expect(c.streamBytes).toBe(meta.streamBytes);
    expect(c.conflicts).toBe(0);
    expect(meta.outOfOrder).toBeGreaterThan(0);
    expect(meta.captureBytes).toBeGreaterThan(2_000_000);
    // Full-size segments carry 1448 bytes after the 12-byte timestamp option.
    expect(frames.some((f) => f.data.length === 14 + 20 + 32 + 1448)).toBe(true);
  });

  it('keeps heavy-reordering streams exact through split and merged retransmissions', async () => {
    const meta = await ensureWorkload(traffic('reorder', { kind: 'traffic', profile: { ...reorderProfile(1), messages: (rng) => [rng.range(200, 600), rng.range(100_000, 300_000)] } }), dir);
    const c = checkFrames(await readPcap(meta.file));
    expect(c.streamBytes).toBe(meta.streamBytes);
    expect(c.conflicts).toBe(0);
    expect(meta.resegmented).toBeGreaterThan(0);
    expect(meta.outOfOrder / meta.dataSegments).toBeGreaterThan(0.07);
  });

  it('writes small-segment and short-connection traffic with the sizes asked for', async () => {
    const small = await ensureWorkload(traffic('small', { kind: 'traffic', profile: { ...smallProfile(20_000), concurrency: 50, messages: (rng) => [rng.range(1, 64), rng.range(1, 199), rng.range(1, 64), rng.range(1, 199)] } }), dir);
    const sc = checkFrames(await readPcap(small.file));
    expect(sc.frames).toBeGreaterThanOrEqual(20_000);
    expect(sc.streamBytes).toBe(small.streamBytes);
    const many = await ensureWorkload(traffic('many', { kind: 'traffic', profile: manyProfile(2_000, 500) }), dir);
    const mc = checkFrames(await readPcap(many.file));
    expect(mc.connections).toBe(2_000);
    expect(mc.frames).toBe(2_000 * 9);
  });

  it('gives the same bytes for the same seed, other bytes for another seed, and reuses the cache', async () => {
    const a = path.join(dir, 'a.pcap');
    const b = path.join(dir, 'b.pcap');
    const c = path.join(dir, 'c.pcap');
    const small = (seed: number) => ({ ...bulkProfile(1, seed), concurrency: 4, messages: (rng: Prng) => [rng.range(200, 600), rng.range(50_000, 200_000)] });
    writeCapture(traffic('x', { kind: 'traffic', profile: small(7) }), a);
    writeCapture(traffic('x', { kind: 'traffic', profile: small(7) }), b);
    writeCapture(traffic('x', { kind: 'traffic', profile: small(8) }), c);
    expect(sha(a)).toBe(sha(b));
    expect(sha(a)).not.toBe(sha(c));
    const w = traffic('cached', { kind: 'traffic', profile: small(7) });
    const m1 = await ensureWorkload(w, dir);
    const mtime = fs.statSync(m1.file).mtimeMs;
    const m2 = await ensureWorkload(w, dir);
    expect(m2.file).toBe(m1.file);
    expect(fs.statSync(m2.file).mtimeMs).toBe(mtime);
    expect(sha(m1.file)).toBe(sha(a));
  });

  it('writes the pcapng and gzip variants with the same frames as the pcap', async () => {
    // Budget reached while connections are still being opened: both formats must stop at the same packet.
    const profile = { ...bulkProfile(1), concurrency: 1, messages: (rng: Prng) => [rng.range(200, 600), rng.range(2_000, 6_000)] };
    const pcap = await ensureWorkload(traffic('v', { kind: 'traffic', profile }), dir);
    const ng = await ensureWorkload({ name: 'v-ng', description: '', format: 'pcapng', gzip: false, source: { kind: 'traffic', profile } }, dir);
    const gz = await ensureWorkload({ name: 'v-gzip', description: '', format: 'pcap', gzip: true, source: { kind: 'traffic', profile } }, dir);
    const frames = await readPcap(pcap.file);
    const ngFrames = readPcapng(ng.file);
    expect(ngFrames.length).toBe(frames.length);
    for (let i = 0; i < frames.length; i++) {
      expect(ngFrames[i].tsSec).toBe(frames[i].tsSec);
      expect(ngFrames[i].tsUsec).toBe(frames[i].tsUsec);
      if (!ngFrames[i].data.equals(frames[i].data)) expect.fail(`frame ${i + 1} differs`);
    }
    expect(gunzipSync(fs.readFileSync(gz.file)).equals(fs.readFileSync(pcap.file))).toBe(true);
    expect(gz.captureBytes).toBe(pcap.fileBytes);
  });

  it('writes the corner shapes: queued out-of-order data and (conflicting) overlaps', async () => {
    const ws = cornerWorkloads([300]);
    for (const w of ws) {
      const meta = await ensureWorkload(w, dir);
      const c = checkFrames(await readPcap(meta.file));
      if (w.name.startsWith('open-conns')) {
        expect(c.connections).toBe(300);
      } else {
        expect(c.streamBytes).toBe(301 * 512);
        expect(c.conflicts).toBe(w.name.startsWith('overlaps') ? 75 : 0);
      }
    }
  });
});
