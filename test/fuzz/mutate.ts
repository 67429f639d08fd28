/**
 * Mutations of a seed capture, byte-level and structure-aware (record and block headers, packet header fields),
 * and a deterministic case generator: case `i` of seed `s` is always the same bytes, on every machine.
 */
import { gzipSync } from 'node:zlib';
import { Prng } from '../bench/prng.js';
import type { Seed } from './corpus.js';
import type { Via } from './pipeline.js';

export const MUTATION_KINDS = [
  'bit-flip',
  'byte-insert',
  'byte-delete',
  'truncate-boundary',
  'truncate-inside',
  'length-extreme',
  'block-length',
  'block-type',
  'interface-id',
  'header-field',
  'tcp-field',
  'splice',
  'garbage-span',
  'gzip-damage',
  'stacked',
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

/** One fuzz case: the bytes to feed, how, and where they came from. */
export interface FuzzCase {
  index: number;
  seedName: string;
  kind: MutationKind;
  /** What the mutation did, for the report of a failing case. */
  detail: string[];
  input: Buffer;
  via: Via;
  resync: boolean;
  /**
   * Length of the capture stream before compression: a bound on every offset the library may report. Undefined
   * when a bit of the deflate data was flipped: the damaged stream may then decompress to more bytes.
   */
  streamLength: number | undefined;
}

/** 32-bit lengths a writer could get wrong: zero, one, the extremes, and just past the snaplen. */
function extremes(seed: Seed, real: number): number[] {
  return [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, seed.snaplen + 1, real + 1, real - 1 < 0 ? 0 : real - 1, 0xfffffff0, 65536];
}

function w32(b: Buffer, o: number, v: number, le: boolean): void {
  if (o < 0 || o + 4 > b.length) return;
  if (le) b.writeUInt32LE(v >>> 0, o);
  else b.writeUInt32BE(v >>> 0, o);
}

function r32(b: Buffer, o: number, le: boolean): number {
  if (o < 0 || o + 4 > b.length) return 0;
  return le ? b.readUInt32LE(o) : b.readUInt32BE(o);
}

function pick<T>(rng: Prng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

/** Applies one mutation of `kind` (not gzip-damage / stacked) to a copy-on-write buffer; returns the new bytes. */
function mutateOnce(seed: Seed, bytes: Buffer, kind: MutationKind, rng: Prng, detail: string[]): Buffer {
  const n = bytes.length;
  const recs = seed.records;
  switch (kind) {
    case 'bit-flip': {
      const b = Buffer.from(bytes);
      const flips = 1 + rng.int(8);
      for (let i = 0; i < flips && n > 0; i++) {
        const o = rng.int(n);
        const bit = rng.int(8);
        b[o]! ^= 1 << bit;
        detail.push(`flip byte ${o} bit ${bit}`);
      }
      return b;
    }
    case 'byte-insert': {
      const o = rng.int(n + 1);
      const ins = Buffer.alloc(1 + rng.int(16));
      rng.fill(ins);
      detail.push(`insert ${ins.length} bytes at ${o}`);
      return Buffer.concat([bytes.subarray(0, o), ins, bytes.subarray(o)]);
    }
    case 'byte-delete': {
      const o = rng.int(n + 1);
      const k = 1 + rng.int(16);
      detail.push(`delete ${k} bytes at ${o}`);
      return Buffer.concat([bytes.subarray(0, o), bytes.subarray(Math.min(n, o + k))]);
    }
    case 'truncate-boundary': {
      const points = seed.blocks.length > 0 ? seed.blocks : recs;
      const o = points.length > 0 ? pick(rng, points) : rng.int(n + 1);
      detail.push(`truncate at boundary ${o}`);
      return bytes.subarray(0, o);
    }
    case 'truncate-inside': {
      if (recs.length === 0) {
        const o = rng.int(n + 1);
        detail.push(`truncate at ${o}`);
        return bytes.subarray(0, o);
      }
      const i = rng.int(recs.length);
      const start = recs[i]!;
      const end = i + 1 < recs.length ? recs[i + 1]! : n;
      const o = start + 1 + rng.int(Math.max(1, end - start - 1));
      detail.push(`truncate inside record ${i + 1} (${start}..${end}) at ${o}`);
      return bytes.subarray(0, Math.min(o, n));
    }
    case 'length-extreme': {
      if (recs.length === 0) return mutateOnce(seed, bytes, 'bit-flip', rng, detail);
      const b = Buffer.from(bytes);
      const i = rng.int(recs.length);
      const o = recs[i]!;
      // pcap: caplen at +8, origlen at +12. pcapng EPB: caplen at +20, origlen at +24 (SPB: origlen at +8).
      const fields = seed.format === 'pcap' ? [8, 12] : [20, 24, 8];
      const f = pick(rng, fields);
      const v = pick(rng, extremes(seed, r32(b, o + f, seed.le)));
      w32(b, o + f, v, seed.le);
      detail.push(`record ${i + 1} at ${o}: field +${f} = ${v}`);
      return b;
    }
    case 'block-length': {
      const b = Buffer.from(bytes);
      if (seed.format === 'pcapng' && seed.blocks.length > 0) {
        const i = rng.int(seed.blocks.length);
        const o = seed.blocks[i]!;
        const real = r32(b, o + 4, seed.le);
        const v = pick(rng, [...extremes(seed, real), 12, 8, 4, real + 4, real - 4, real + 2]);
        const trailing = rng.int(2) === 0;
        w32(b, trailing ? o + real - 4 : o + 4, v, seed.le);
        detail.push(`block ${i} at ${o}: ${trailing ? 'trailing' : 'leading'} length ${real} -> ${v}`);
      } else if (seed.format === 'pcap') {
        // The file header's snaplen or link type.
        const f = rng.int(2) === 0 ? 16 : 20;
        const v = pick(rng, [0, 1, 0xffffffff, 0x7fffffff, 65535, 228, 229, 101, 113, 276, 0, 108, 999]);
        w32(b, f, v, seed.le);
        detail.push(`file header +${f} = ${v}`);
      } else return mutateOnce(seed, bytes, 'bit-flip', rng, detail);
      return b;
    }
    case 'block-type': {
      if (seed.format !== 'pcapng' || seed.blocks.length < 2) return mutateOnce(seed, bytes, 'length-extreme', rng, detail);
      const b = Buffer.from(bytes);
      const i = 1 + rng.int(seed.blocks.length - 1);
      const o = seed.blocks[i]!;
      const v = pick(rng, [0x0a0d0d0a, 1, 2, 3, 5, 6, 0, 0xffffffff, 0x80000001, 0x00000bad, 0x40000bad, 0x0000000a]);
      w32(b, o, v, seed.le);
      detail.push(`block ${i} at ${o}: type = 0x${v.toString(16)}`);
      return b;
    }
    case 'interface-id': {
      if (seed.format !== 'pcapng' || recs.length === 0) return mutateOnce(seed, bytes, 'length-extreme', rng, detail);
      const b = Buffer.from(bytes);
      const i = rng.int(recs.length);
      const v = pick(rng, [1, 2, 7, 0xffff, 0xffffffff, 0x80000000]);
      w32(b, recs[i]! + 8, v, seed.le);
      detail.push(`record ${i + 1}: interface id = ${v}`);
      return b;
    }
    case 'header-field': {
      if (recs.length === 0) return mutateOnce(seed, bytes, 'bit-flip', rng, detail);
      const b = Buffer.from(bytes);
      const i = rng.int(recs.length);
      const d = seed.data[i]!;
      const targets = headerTargets(b, d);
      if (targets.length > 0 && rng.int(4) !== 0) {
        const [rel, size, name] = pick(rng, targets);
        const v = size === 1 ? pick(rng, [0, 1, 0x0f, 0x40, 0x45, 0x4f, 0x60, 0xf0, 0xff, 6, 44, 0, 43, 60]) : pick(rng, [0, 1, 19, 20, 39, 40, 0x2000, 0x3fff, 0x1fff, 0x7fff, 0x8000, 0xffff, 0x86dd, 0x0800, 0x8100]);
        if (d + rel + size <= b.length) {
          if (size === 1) b[d + rel] = v;
          else b.writeUInt16BE(v, d + rel);
        }
        detail.push(`record ${i + 1}: ${name} = ${v}`);
      } else {
        const rel = rng.int(80);
        if (d + rel + 2 <= b.length) b.writeUInt16BE(pick(rng, [0, 1, 0xffff, 0x7fff, 0x8000, 0x0800, 0x86dd]), d + rel);
        detail.push(`record ${i + 1}: 16 bits at data+${rel}`);
      }
      return b;
    }
    case 'tcp-field': {
      if (recs.length === 0) return mutateOnce(seed, bytes, 'bit-flip', rng, detail);
      const b = Buffer.from(bytes);
      const k = 1 + rng.int(20);
      for (let j = 0; j < k; j++) {
        const i = rng.int(recs.length);
        const t = tcpOffset(b, seed.data[i]!);
        if (t < 0 || t + 20 > b.length) continue;
        const what = rng.int(4);
        if (what === 0) {
          const v = pick(rng, [0, 0x80000000, 0xffffffff, rng.next(), (b.readUInt32BE(t + 4) + 0x80000000) >>> 0]);
          b.writeUInt32BE(v >>> 0, t + 4);
          detail.push(`record ${i + 1}: seq = ${v >>> 0}`);
        } else if (what === 1) {
          b[t + 13] = pick(rng, [0x02, 0x12, 0x04, 0x14, 0x01, 0x11, 0x03, 0x07, 0xff, 0]);
          detail.push(`record ${i + 1}: flags = ${b[t + 13]}`);
        } else if (what === 2) {
          b.writeUInt32BE(rng.next(), t + 8);
          detail.push(`record ${i + 1}: ack random`);
        } else {
          b.writeUInt16BE(0, t + 14);
          detail.push(`record ${i + 1}: window 0`);
        }
      }
      return b;
    }
    case 'splice': {
      if (recs.length < 2) return mutateOnce(seed, bytes, 'byte-insert', rng, detail);
      // Copy a run of whole records to another record boundary (duplicates, reorders in time).
      const i = rng.int(recs.length);
      const j = Math.min(recs.length, i + 1 + rng.int(8));
      const from = recs[i]!;
      const to = j < recs.length ? recs[j]! : n;
      const at = pick(rng, recs);
      detail.push(`copy records ${i + 1}..${j} [${from}, ${to}) to ${at}`);
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(from, to), bytes.subarray(at)]);
    }
    case 'garbage-span': {
      const b = Buffer.from(bytes);
      if (n === 0) return b;
      const o = rng.int(n);
      const k = Math.min(n - o, 1 + rng.int(rng.int(2) === 0 ? 16 : 4096));
      const g = Buffer.alloc(k);
      if (rng.int(3) === 0) g.fill(pick(rng, [0, 0xff]));
      else rng.fill(g);
      g.copy(b, o);
      detail.push(`garbage ${k} bytes at ${o}`);
      return b;
    }
    default:
      return bytes;
  }
}

/** Offsets (relative to packet data) of header fields in an Ethernet or raw IPv4/IPv6 frame, when recognisable. */
function headerTargets(b: Buffer, d: number): Array<[number, 1 | 2, string]> {
  const out: Array<[number, 1 | 2, string]> = [];
  let ip = -1;
  if (d + 14 <= b.length && b.readUInt16BE(d + 12) === 0x0800) ip = 14;
  else if (d + 14 <= b.length && b.readUInt16BE(d + 12) === 0x86dd) ip = 14;
  else if (d < b.length && ((b[d]! >> 4 === 4) || b[d]! >> 4 === 6)) ip = 0;
  if (ip >= 0) out.push([ip === 14 ? 12 : 0, 2, 'ethertype']);
  if (ip < 0 || d + ip >= b.length) return out;
  if (b[d + ip]! >> 4 === 4) {
    const ihl = (b[d + ip]! & 15) * 4;
    out.push([ip, 1, 'ipv4 version/ihl'], [ip + 2, 2, 'ipv4 total length'], [ip + 6, 2, 'ipv4 flags/fragment offset'], [ip + 9, 1, 'ipv4 protocol']);
    const t = ip + ihl;
    out.push([t + 12, 1, 'tcp data offset'], [t + 13, 1, 'tcp flags'], [t + 20, 1, 'tcp option kind'], [t + 21, 1, 'tcp option length']);
  } else {
    out.push([ip + 4, 2, 'ipv6 payload length'], [ip + 6, 1, 'ipv6 next header'], [ip + 40, 1, 'ext next header'], [ip + 41, 1, 'ext length']);
    out.push([ip + 52, 1, 'tcp data offset'], [ip + 60, 1, 'tcp option kind'], [ip + 61, 1, 'tcp option length']);
  }
  return out;
}

/** Offset of the TCP header in an Ethernet IPv4/IPv6 frame at `d`, or -1. */
function tcpOffset(b: Buffer, d: number): number {
  if (d + 34 > b.length) return -1;
  const type = b.readUInt16BE(d + 12);
  if (type === 0x0800 && b[d + 23] === 6) return d + 14 + (b[d + 14]! & 15) * 4;
  if (type === 0x86dd && b[d + 20] === 6) return d + 54;
  return -1;
}

/** Damages a gzip stream: truncation, a flipped byte in the deflate data, a wrong CRC or length, trailing junk. */
function gzipDamage(plain: Buffer, rng: Prng, detail: string[]): Buffer {
  const z = gzipSync(plain, { level: 1 });
  const what = rng.int(5);
  if (what === 0) {
    const o = 10 + rng.int(Math.max(1, z.length - 10));
    detail.push(`gzip truncated at ${o} of ${z.length}`);
    return z.subarray(0, o);
  }
  const b = Buffer.from(z);
  if (what === 1) {
    const o = 10 + rng.int(Math.max(1, z.length - 18));
    b[o]! ^= 1 << rng.int(8);
    detail.push(`gzip deflate byte ${o} flipped`);
    return b;
  }
  if (what === 2) {
    b[b.length - 8 + rng.int(4)]! ^= 0xff;
    detail.push('gzip CRC damaged');
    return b;
  }
  if (what === 3) {
    b[b.length - 4 + rng.int(4)]! ^= 0x5a;
    detail.push('gzip ISIZE damaged');
    return b;
  }
  const junk = Buffer.alloc(1 + rng.int(64));
  rng.fill(junk);
  detail.push(`gzip followed by ${junk.length} junk bytes`);
  return Buffer.concat([b, junk]);
}

const VIAS: readonly Via[] = ['parser-whole', 'parser-chunks', 'read-stream'];

/** Generates case `index` for run seed `runSeed` over the corpus; deterministic. */
export function makeCase(corpus: Seed[], runSeed: number, index: number, kind?: MutationKind): FuzzCase {
  const rng = new Prng((Math.imul(runSeed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0);
  const seed = corpus[rng.int(corpus.length)]!;
  const k: MutationKind = kind ?? MUTATION_KINDS[rng.int(MUTATION_KINDS.length)]!;
  const detail: string[] = [];
  let bytes = seed.bytes;
  let gz = seed.gzip;
  if (k === 'stacked') {
    const m = 2 + rng.int(4);
    for (let i = 0; i < m; i++) {
      const sub = MUTATION_KINDS[rng.int(MUTATION_KINDS.length - 2)]!;
      detail.push(`[${sub}]`);
      bytes = mutateOnce(seed, bytes, sub, rng, detail);
    }
  } else if (k !== 'gzip-damage') {
    bytes = mutateOnce(seed, bytes, k, rng, detail);
  }
  let input: Buffer;
  if (k === 'gzip-damage') {
    input = gzipDamage(bytes, rng, detail);
    gz = true;
  } else if (gz || rng.int(16) === 0) {
    input = gzipSync(bytes, { level: 1 });
    gz = true;
  } else {
    input = bytes;
  }
  // Truncated gzip, or a bad trailer, yields a prefix of `bytes` (or all of it): its length bounds every offset.
  const streamLength = detail.some((d) => d.startsWith('gzip deflate byte')) ? undefined : bytes.length;
  const via: Via = gz ? 'read-stream' : VIAS[rng.int(VIAS.length)]!;
  return { index, seedName: seed.name, kind: k, detail, input, via, resync: rng.int(2) === 0, streamLength };
}
