/**
 * The fuzzer's seed corpus: the committed samples (real, variants, damaged, crafted), each with the structure
 * the structure-aware mutations need (record header offsets, packet data offsets, pcapng block offsets).
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { CaptureParser } from '../../lib/capture/parser.js';

export interface Seed {
  name: string;
  /** The capture bytes (decompressed when the sample is gzip). */
  bytes: Buffer;
  /** The sample was gzip on disk: mutated bytes are compressed again before the run. */
  gzip: boolean;
  format: 'pcap' | 'pcapng' | 'other';
  /** Classic pcap: 'le' or 'be' header fields. pcapng: byte order of the first section. */
  le: boolean;
  snaplen: number;
  /** Offset of every packet record's header (pcap record header, pcapng block). */
  records: number[];
  /** Offset of every packet record's first data byte. */
  data: number[];
  /** pcapng: offset of every block (all types). pcap: same as records. */
  blocks: number[];
}

/** The repository root, found from this file (works from test/fuzz and from dist/test/fuzz). */
export function repoRoot(): string {
  let dir = new URL('.', import.meta.url).pathname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'samples'))) return dir;
    dir = join(dir, '..');
  }
  throw new Error('repository root not found');
}

/** Describes a capture's structure (for the mutations); never throws. */
export function describe(name: string, raw: Buffer): Seed {
  let bytes = raw;
  let gzip = false;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = gunzipSync(raw);
      gzip = true;
    } catch {
      // A damaged gzip sample: keep the decompressed prefix zlib can give.
      try {
        bytes = gunzipSync(raw, { finishFlush: 2 /* Z_SYNC_FLUSH */ });
        gzip = true;
      } catch {
        bytes = raw;
      }
    }
  }
  const seed: Seed = { name, bytes, gzip, format: 'other', le: true, snaplen: 262144, records: [], data: [], blocks: [] };
  if (bytes.length < 4) return seed;
  const m = bytes.readUInt32LE(0);
  if (m === 0x0a0d0d0a) {
    seed.format = 'pcapng';
    seed.le = bytes.length >= 12 && bytes.readUInt32LE(8) === 0x1a2b3c4d;
    for (let p = 0; p + 12 <= bytes.length; ) {
      seed.blocks.push(p);
      const len = seed.le ? bytes.readUInt32LE(p + 4) : bytes.readUInt32BE(p + 4);
      if (len < 12 || len % 4 !== 0) break;
      p += len;
    }
  } else if (m === 0xa1b2c3d4 || m === 0xa1b23c4d || m === 0xd4c3b2a1 || m === 0x4d3cb2a1) {
    seed.format = 'pcap';
    seed.le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
    if (bytes.length >= 24) seed.snaplen = seed.le ? bytes.readUInt32LE(16) : bytes.readUInt32BE(16);
  }
  try {
    const parser = new CaptureParser((rec) => {
      seed.records.push(rec.fileOffset);
      seed.data.push(rec.offset);
    });
    parser.push(bytes);
    parser.end();
  } catch {
    // Not a capture: byte-level mutations only.
  }
  if (seed.format === 'pcap') seed.blocks = seed.records.slice();
  return seed;
}

/**
 * Loads every committed sample (and crafted capture) as a seed. `maxBytes` cuts big samples at a record
 * boundary so a case stays fast (the whole file is still used when it is smaller).
 */
export function loadCorpus(maxBytes = Infinity): Seed[] {
  const root = repoRoot();
  const out: Seed[] = [];
  for (const dir of ['samples', 'samples/damaged', 'samples/crafted']) {
    const full = join(root, dir);
    if (!existsSync(full)) continue;
    for (const f of readdirSync(full).sort()) {
      if (!/\.(pcap|pcapng|gz|txt)$/.test(f) || f.endsWith('.truth.jsonl')) continue;
      if (f === 'tcpflow-names.txt' || f === 'README.md') continue;
      const seed = describe(`${dir}/${f}`, readFileSync(join(full, f)));
      out.push(cut(seed, maxBytes));
    }
  }
  return out;
}

/** Cuts a seed to at most `maxBytes` at a record boundary (records and blocks past the cut are forgotten). */
export function cut(seed: Seed, maxBytes: number): Seed {
  if (seed.bytes.length <= maxBytes || seed.records.length === 0) return seed;
  let end = seed.bytes.length;
  for (let i = 0; i < seed.records.length; i++) {
    if (seed.records[i]! > maxBytes) {
      end = seed.records[i]!;
      break;
    }
  }
  // pcapng: cut at a block boundary at or before the record cut.
  if (seed.format === 'pcapng') {
    let b = 0;
    for (const o of seed.blocks) if (o <= end) b = o;
    end = b;
  }
  const keep = (xs: number[]): number[] => xs.filter((o) => o < end);
  const n = keep(seed.records).length;
  return {
    ...seed,
    name: `${seed.name}[0,${end})`,
    bytes: seed.bytes.subarray(0, end),
    records: seed.records.slice(0, n),
    data: seed.data.slice(0, n),
    blocks: keep(seed.blocks),
  };
}
