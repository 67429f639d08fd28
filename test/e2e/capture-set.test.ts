/**
 * Several captures read as one timeline: a ring split at record boundaries, files of different connections
 * taken side by side (merged record by record), folders, damage and conflicts named by their file, the summary
 * listing every input. Pieces are cut from the real samples here, with their original records.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../lib/capture/index.js';
import { PcapBuilder } from '../support/capture-builder.js';
import { cli, manifestRows, sha256, tempDir, truth, withoutPageCounts } from './support.js';

const root = tempDir('capture-set');
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Rec {
  tsSec: number;
  tsUsec: number;
  data: Buffer;
}

async function records(file: string): Promise<Rec[]> {
  const out: Rec[] = [];
  await readCapture(file, (r) => void out.push({ tsSec: r.tsSec, tsUsec: Math.round(r.tsNsec / 1000), data: Buffer.from(r.bytes()) }));
  return out;
}

function pcap(recs: readonly Rec[]): Buffer {
  const b = new PcapBuilder();
  for (const r of recs) b.record({ tsSec: r.tsSec, tsFrac: r.tsUsec, data: r.data });
  return b.build();
}

/** The TCP source port of an Ethernet/IPv4 frame. */
function srcPort(frame: Buffer): number {
  const ihl = (frame[14]! & 0x0f) * 4;
  return frame.readUInt16BE(14 + ihl);
}

interface Row {
  id: number;
  clientPort: number;
  [k: string]: unknown;
}

async function rows(args: string[]): Promise<{ rows: Row[]; summary: Record<string, unknown>; stderr: string }> {
  const r = await cli(['analyze', ...args, '--format', 'json']);
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout) as { connections: Row[]; summary: Record<string, unknown> };
  return { rows: doc.connections, summary: doc.summary, stderr: r.stderr };
}

/** Rows without what depends on where they were read: keyed by client port. */
function byPort(rs: Row[]): Map<number, Row> {
  return new Map(rs.map((r) => [r.clientPort, { ...r, id: -1 }]));
}

let all: Rec[];
beforeAll(async () => {
  all = await records('samples/ipv4-loss.pcap');
  const ring = join(root, 'ring');
  mkdirSync(ring);
  // A tcpdump -C ring, in three formats; named so that name order is not time order.
  writeFileSync(join(ring, 'c.pcap'), pcap(all.slice(0, 600)));
  writeFileSync(join(ring, 'a.pcap.gz'), gzipSync(pcap(all.slice(600, 1200))));
  writeFileSync(join(ring, 'b.pcap'), pcap(all.slice(1200)));
  writeFileSync(join(ring, 'README.txt'), 'not a capture\n');
  // Two taps, each seeing half of the connections, over the same time.
  const even = all.filter((r) => srcPort(r.data) % 2 === 0 || (srcPort(r.data) === 9000 && r.data.readUInt16BE(14 + (r.data[14]! & 0x0f) * 4 + 2) % 2 === 0));
  const odd = all.filter((r) => !even.includes(r));
  writeFileSync(join(root, 'even.pcap'), pcap(even));
  writeFileSync(join(root, 'odd.pcap'), pcap(odd));
});

describe('a ring of files is one capture', () => {
  it('the pieces give the rows of the whole capture, whatever order they are named in', async () => {
    const whole = await rows(['samples/ipv4-loss.pcap']);
    const ring = join(root, 'ring');
    const set = await rows([join(ring, 'b.pcap'), join(ring, 'c.pcap'), join(ring, 'a.pcap.gz')]);
    // The gzipped piece's window bytes are copies in pages, the plain file's are not: page counts differ.
    expect(set.rows.map(withoutPageCounts)).toEqual(whole.rows.map(withoutPageCounts));
    const inputs = set.summary.inputs as Array<{ name: string; records: number; firstTime: string; lastTime: string }>;
    expect(inputs.map((i) => [i.name, i.records])).toEqual([[join(ring, 'c.pcap'), 600], [join(ring, 'a.pcap.gz'), 600], [join(ring, 'b.pcap'), 490]]);
    expect(inputs[0]!.firstTime).toBe('2026-11-25T23:14:17.726212000Z');
    expect(inputs[2]!.lastTime).toBe((whole.summary.inputs as Array<{ lastTime: string }>)[0]!.lastTime);
    expect(set.summary.packetsRead).toBe(1690);
  });

  it('a folder is its files; what is not a capture is skipped with a warning', async () => {
    const whole = await rows(['samples/ipv4-loss.pcap']);
    const set = await rows([join(root, 'ring')]);
    expect(set.rows.map(withoutPageCounts)).toEqual(whole.rows.map(withoutPageCounts));
    expect(set.stderr).toContain(`tcpreasm: warning: skipped ${join(root, 'ring', 'README.txt')}: not read as a capture`);
  });

  it('export of the set writes every stream as the ground truth has it', async () => {
    const out = join(root, 'export');
    const r = await cli(['export', join(root, 'ring'), '-o', out, '--quiet']);
    expect(r.code).toBe(0);
    const t = truth('ipv4-loss.truth.jsonl');
    const conns = manifestRows(out);
    expect(conns).toHaveLength(t.length);
    for (const row of t) {
      const c = conns.find((f) => f.clientPort === row.cport)!;
      expect([c.c2s.bytes, c.c2s.sha256, c.s2c.bytes, c.s2c.sha256]).toEqual([row.c2s_len, row.c2s_sha256, row.s2c_len, row.s2c_sha256]);
    }
  });
});

describe('captures over the same time are merged record by record', () => {
  it('two taps of different connections give each connection as the single capture does', async () => {
    const whole = await rows(['samples/ipv4-loss.pcap']);
    const set = await rows([join(root, 'odd.pcap'), join(root, 'even.pcap')]);
    expect(set.rows).toHaveLength(20);
    expect(byPort(set.rows)).toEqual(byPort(whole.rows));
    // Ids follow the merged timeline: in order of first packet, as in the single capture.
    expect(set.rows.map((r) => r.clientPort)).toEqual(whole.rows.map((r) => r.clientPort));
  });
});

describe('diagnostics and conflicts name the file they come from', () => {
  it('damage in the second file is reported with that file and its own record number', async () => {
    const dir = join(root, 'damaged');
    mkdirSync(dir);
    writeFileSync(join(dir, '1.pcap'), pcap(all.slice(0, 800)));
    const second = pcap(all.slice(800, 900));
    writeFileSync(join(dir, '2.pcap'), second.subarray(0, second.length - 30));
    const r = await cli(['analyze', join(dir, '1.pcap'), join(dir, '2.pcap'), '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`tcpreasm: warning: ${join(dir, '2.pcap').replace(/[.]/g, '\\.')}: record 100 at offset \\d+: `));
    const s = (JSON.parse(r.stdout) as { summary: { warnings: Array<{ input: string; recordNumber: number }> } }).summary;
    expect(s.warnings.map((w) => [w.input, w.recordNumber])).toEqual([[join(dir, '2.pcap'), 100]]);
  });

  it('a conflict whose copies are in two files names each copy by file and record', async () => {
    const c = await records('samples/crafted/conflicting-retransmission.pcap');
    const dir = join(root, 'conflict');
    mkdirSync(dir);
    const half = Math.floor(c.length / 2);
    writeFileSync(join(dir, 'first.pcap'), pcap(c.slice(0, half)));
    writeFileSync(join(dir, 'second.pcap'), pcap(c.slice(half)));
    const single = await cli(['overlaps', 'samples/crafted/conflicting-retransmission.pcap', '--kind', 'conflict', '--format', 'json']);
    const set = await cli(['overlaps', join(dir, 'first.pcap'), join(dir, 'second.pcap'), '--kind', 'conflict', '--format', 'json']);
    const detail = (text: string): string => (JSON.parse(text) as { events: Array<{ detail: string }> }).events[0]!.detail;
    const d1 = detail(single.stdout);
    const d2 = detail(set.stdout);
    // Same finding; each record named with its file and numbered within it.
    const refs = [...d1.matchAll(/record (\d+)/g)].map((m) => Number(m[1]));
    const named = refs.map((n) => (n <= half ? `${join(dir, 'first.pcap')} record ${n}` : `${join(dir, 'second.pcap')} record ${n - half}`));
    let expected = d1;
    for (const [i, m] of [...d1.matchAll(/record \d+/g)].entries()) expected = expected.replace(m[0], `\u0000${i}`);
    for (const [i, n] of named.entries()) expected = expected.replace(`\u0000${i}`, n);
    expect(d2).toBe(expected);
    expect(sha256(Buffer.from(d2))).not.toBe(sha256(Buffer.from(d1)));
  });
});
