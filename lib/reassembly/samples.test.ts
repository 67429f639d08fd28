import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../capture/index.js';
import { Decoder, TcpPacket } from '../decode/index.js';
import { Assembler } from './assembler.js';
import type { ConnectionInfo } from './connection.js';
import { StreamPool } from './pool.js';
import type { ScatterGather } from './scatter-gather.js';
import type { Stream } from './stream.js';

const SAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../samples');

interface TruthRow {
  cport: number;
  sport: number;
  c2s_len: number;
  c2s_sha256: string;
  s2c_len: number;
  s2c_sha256: string;
}
interface MissingRow {
  cport: number;
  direction: 'c2s' | 's2c';
  length: number;
  missingBytes: number;
}
interface Sample {
  file: string;
  truth: string | null;
  /** One truth row per stream, or per HTTP exchange (checked by test/e2e/http.test.ts). */
  truthKind?: 'streams' | 'http-exchanges';
  connections?: number;
  snaplen?: number;
  missing?: MissingRow[];
}

/** Hashes each direction's delivered bytes chunk by chunk; remembers where the stream ended. */
class HashingStream implements Stream {
  readonly hash: [Hash, Hash] = [createHash('sha256'), createHash('sha256')];
  readonly len = [0, 0];
  readonly ends = [0, 0];
  completed = 0;
  constructor(readonly conn: ConnectionInfo) {}
  accept(): boolean {
    return true;
  }
  reassembled(sg: ScatterGather): void {
    const info = sg.info();
    for (let i = 0; i < sg.chunkCount(); i++) {
      const off = sg.chunkOffset(i);
      this.hash[info.direction].update(sg.chunkBuffer(i).subarray(off, off + sg.chunkLength(i)));
      this.len[info.direction] += sg.chunkLength(i);
    }
    if (info.end) this.ends[info.direction]++;
  }
  complete(): boolean {
    this.completed++;
    return true;
  }
}

async function reassemble(file: string) {
  const streams: HashingStream[] = [];
  const pool = new StreamPool({
    new: (_p, _c, conn) => {
      const s = new HashingStream(conn);
      streams.push(s);
      return s;
    },
  });
  const asm = new Assembler(pool);
  const decoder = new Decoder();
  const pkt = new TcpPacket();
  await readCapture(path.join(SAMPLES, file), (rec) => {
    if (decoder.decode(rec, pkt)) asm.assemble(pkt);
  });
  asm.flushAll();
  return { streams, asm, pool };
}

const manifest = fs.existsSync(path.join(SAMPLES, 'manifest.json'))
  ? (JSON.parse(fs.readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as { samples: Sample[] }).samples
  : [];
const withTruth = manifest.filter((s) => s.truthKind === 'streams' && s.snaplen === undefined);
const snapped = manifest.filter((s) => s.truthKind === 'streams' && s.snaplen !== undefined);

function truthOf(s: Sample): TruthRow[] {
  return fs
    .readFileSync(path.join(SAMPLES, s.truth!), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as TruthRow);
}

describe('end to end on the committed samples', () => {
  it('has samples to check', () => {
    expect(withTruth.length).toBeGreaterThan(0);
    expect(snapped.length).toBeGreaterThan(0);
  });

  it.each(withTruth.map((s) => [s.file, s] as const))('%s: every stream reassembles to its truth sha256', async (_f, sample) => {
    const truth = truthOf(sample);
    const { streams, pool } = await reassemble(sample.file);
    expect(streams).toHaveLength(truth.length);
    for (const row of truth) {
      const s = streams.find((x) => x.conn.client.port === row.cport && x.conn.server.port === row.sport);
      expect(s, `connection ${row.cport}`).toBeDefined();
      const st = s!.conn.stats;
      expect({ cport: row.cport, c2s: s!.len[0], s2c: s!.len[1] }).toEqual({ cport: row.cport, c2s: row.c2s_len, s2c: row.s2c_len });
      expect(s!.hash[0].digest('hex')).toBe(row.c2s_sha256);
      expect(s!.hash[1].digest('hex')).toBe(row.s2c_sha256);
      expect(s!.conn.endReason).toBe('closed');
      expect(s!.conn.midStream).toBe(false);
      expect(s!.ends).toEqual([1, 1]);
      expect(st[0].missingBytes + st[1].missingBytes).toBe(0);
      expect(st[0].conflicts + st[1].conflicts).toBe(0);
      expect(st[0].bytes).toBe(row.c2s_len);
    }
    expect(pool.stats.ended.closed).toBe(truth.length);
    expect(streams.map((s) => s.conn.id)).toEqual(streams.map((_, i) => i));
  });

  it.each(snapped.map((s) => [s.file, s] as const))('%s: snaplen holes are reported as missing bytes, exactly', async (_f, sample) => {
    const truth = truthOf(sample);
    const { streams } = await reassemble(sample.file);
    expect(streams).toHaveLength(truth.length);
    for (const m of sample.missing!) {
      const s = streams.find((x) => x.conn.client.port === m.cport)!;
      const dir = m.direction === 'c2s' ? 0 : 1;
      const st = s.conn.stats[dir];
      expect({ cport: m.cport, dir, missing: st.missingBytes, total: st.bytes + st.missingBytes }).toEqual({
        cport: m.cport,
        dir,
        missing: m.missingBytes,
        total: m.length,
      });
      expect(st.conflicts).toBe(0);
      expect(s.ends[dir]).toBe(1);
    }
  });
});
