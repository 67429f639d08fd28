import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionHash } from '../../lib/split/shard-hash.js';
import { canMountTmpfs, cli, SAMPLES, tempDir, withoutPageCounts } from './support.js';

type Conn = Record<string, unknown> & { id: number; firstEpoch: string; client: string; clientPort: number; server: string; serverPort: number; reuseIndex: number };
type Doc = { connections: Conn[]; summary: Record<string, number> };

async function analyze(input: string): Promise<Doc> {
  const r = await cli(['analyze', input, '--format', 'json', '-q']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Doc;
}

/**
 * A connection without the id (the merge step's to give): everything else must be what the single run says,
 * page counts apart (a gzipped capture's shards are plain files, whose windows hold no pages).
 */
const comparable = ({ id: _id, ...rest }: Conn) => withoutPageCounts(rest);
const order = (a: Conn, b: Conn) => a.firstEpoch.localeCompare(b.firstEpoch) || `${a.client}:${a.clientPort}>${a.server}:${a.serverPort}#${a.reuseIndex}`.localeCompare(`${b.client}:${b.clientPort}>${b.server}:${b.serverPort}#${b.reuseIndex}`);
const SUMMED = ['tcpSegments', 'connections', 'bytesReassembled', 'bytesMissing', 'overlapBytes', 'overlapPackets', 'conflicts', 'rstIgnored', 'rstNotTaken', 'outOfWindowPackets', 'outOfWindowBytes'] as const;

describe('split: every connection whole in one shard, the shards adding up to the single run', () => {
  const cases = ['ipv4-loss.pcap', 'ipv6-loss.pcap', 'multi-link.pcapng', 'ipv4-loss.qinq.pcap', 'ipv4-loss.pcap.gz', 'crafted/tunnels.pcap', 'crafted/overlapping-fragments.pcap', 'crafted/conflicting-retransmission.pcap'];
  it.each(cases)('%s into 1, 2, 3 and 7 shards', async (sample) => {
    const input = join(SAMPLES, sample);
    const whole = await analyze(input);
    for (const n of [1, 2, 3, 7]) {
      const dir = tempDir(`split-${n}`);
      const s = await cli(['split', input, '--shards', String(n), '-o', dir, '--format', 'json']);
      expect(s.code, s.stderr).toBe(0);
      const result = JSON.parse(s.stdout) as { nonTcp: number; records: number; perShard: Array<{ records: number }> };
      const parts: Conn[] = [];
      const sums = Object.fromEntries(SUMMED.map((k) => [k, 0])) as Record<(typeof SUMMED)[number], number>;
      let packets = 0;
      for (let i = 0; i < n; i++) {
        const shard = join(dir, `shard-${i}`);
        if (!existsSync(shard) || readdirSync(shard).length === 0) continue;
        const doc = await analyze(shard);
        parts.push(...doc.connections);
        for (const k of SUMMED) sums[k] += doc.summary[k]!;
        packets += doc.summary.packetsRead!;
      }
      expect(parts.sort(order).map(comparable), `${sample} in ${n} shards`).toEqual([...whole.connections].sort(order).map(comparable));
      for (const k of SUMMED) expect(sums[k], `${k} in ${n} shards`).toBe(whole.summary[k]);
      expect(packets + result.nonTcp).toBe(whole.summary.packetsRead);
      expect(result.perShard.reduce((a, x) => a + x.records, 0) + result.nonTcp).toBe(result.records);
    }
  });
});

describe('the shard hash', () => {
  it('is the documented FNV-1a of the 45-byte key (test vector), equal for both directions', () => {
    const a = new Uint32Array([0, 0, 0, 0x0a000001]);
    const b = new Uint32Array([0, 0, 0, 0x0a000002]);
    expect(connectionHash(4, a, 40000, b, 80)).toBe(0x0893f962);
    expect(connectionHash(4, b, 80, a, 40000)).toBe(0x0893f962);
    expect(connectionHash(4, a, 40001, b, 80)).not.toBe(0x0893f962);
  });
});

describe('split as a command', () => {
  it('parts split by separate runs share the folder, and their files never clash', async () => {
    const dir = tempDir('split-parts');
    for (const [k, f] of [[0, 'ipv4-loss.pcap'], [1, 'ipv6-loss.pcap']] as const) {
      const r = await cli(['split', join(SAMPLES, f), '--shards', '2', '--part', String(k), '-o', dir]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(readdirSync(join(dir, 'shard-0')).sort()).toEqual(['part-0-lt1.pcap', 'part-1-lt1.pcap']);
    const again = await cli(['split', join(SAMPLES, 'ipv4-loss.pcap'), '--shards', '2', '--part', '0', '-o', dir]);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/part-0-lt1\.pcap.*EEXIST/);
  });

  it('a used folder without --part or --force is refused; --non-tcp keep writes what is not TCP', async () => {
    const dir = tempDir('split-used');
    expect((await cli(['split', join(SAMPLES, 'ipv4-loss.pcap'), '--shards', '2', '-o', dir, '--non-tcp', 'keep'])).code).toBe(0);
    expect(readdirSync(join(dir, 'non-tcp'))).toEqual(['part-0-lt1.pcap']);
    const r = await cli(['split', join(SAMPLES, 'ipv4-loss.pcap'), '--shards', '2', '-o', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not empty/);
  });
});

describe('merge: the shard runs reduced to the single run', () => {
  /** Fields measured per process (timings, peaks) and the inputs' names, which merge cannot make equal. */
  const PER_PROCESS = /peak|Peak|elapsedNs|PerSecond|^input$|^inputs$|^inputBytes$|^reader$|nonTcpByKind/;
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !PER_PROCESS.test(k)).map(([k, x]) => [k, strip(x)]));
    return v;
  };

  it.each(['ipv4-loss.pcap', 'multi-link.pcapng', 'crafted/tunnels.pcap'])('%s in 3 and 7 shards: the same connections with the same ids, the same totals', async (sample) => {
    const input = join(SAMPLES, sample);
    const whole = JSON.parse((await cli(['analyze', input, '--format', 'json', '-q'])).stdout) as Doc;
    for (const n of [3, 7]) {
      const dir = tempDir(`merge-${n}`);
      const s = await cli(['split', input, '--shards', String(n), '-o', join(dir, 'shards'), '--format', 'json']);
      writeFileSync(join(dir, 'split.json'), s.stdout);
      const results = [join(dir, 'split.json')];
      for (let i = 0; i < n; i++) {
        const shard = join(dir, 'shards', `shard-${i}`);
        if (!existsSync(shard)) continue;
        const f = join(dir, `shard-${i}.json`);
        writeFileSync(f, (await cli(['analyze', shard, '--format', 'json', '-q'])).stdout);
        results.push(f);
      }
      const m = await cli(['merge', ...results]);
      expect(m.code, m.stderr).toBe(0);
      const merged = JSON.parse(m.stdout) as Doc & { merged: { results: string[] } };
      expect(merged.connections).toEqual(whole.connections);
      expect(strip(merged.summary)).toEqual(strip(whole.summary));
      expect(merged.merged.results).toHaveLength(results.length - 1);
    }
  });

  // Each export fsyncs its files: 1, 2, 3 and 7 shards on two samples, 3 on the others, keep this under 30 s.
  it.each([
    ['ipv4-loss.pcap', [1, 2, 3, 7]],
    ['crafted/conflicting-retransmission.pcap', [1, 2, 3, 7]],
    ['ipv6-loss.pcap', [3]],
    ['multi-link.pcapng', [3]],
    // One 4-tuple in four tunnels: one tcpflow name, numbered c1..c3 by the one shard that has them all.
    ['crafted/tunnels.pcap', [2, 3]],
  ] as const)('export folders of %s in %j shards: the single export (names, bytes, sha256, gaps, stats), files linked', async (sample, counts) => {
    const input = join(SAMPLES, sample);
    const base = tempDir('merge-export');
    expect((await cli(['export', input, '-o', join(base, 'whole'), '-q', '--keep-conflicts'])).code).toBe(0);
    const lines = (d: string) => readFileSync(join(d, 'manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // Record numbers name records of the files read: the shard files here, the capture there.
    const unrecorded = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x: unknown) => (k === 'recordNumber' || k === 'closedAt' ? undefined : x)));
    // A single run writes rows as connections end; the merge writes them in id order: compared by id.
    const byId = (rows: Array<Record<string, unknown>>) => [...rows].sort((a, b) => Number(a.id ?? Infinity) - Number(b.id ?? Infinity));
    const whole = byId(lines(join(base, 'whole')));
    const names = readdirSync(join(base, 'whole')).filter((n) => n !== 'run.json').sort();
    for (const n of counts) {
      const dir = join(base, `n${n}`);
      await cli(['split', input, '--shards', String(n), '-o', join(dir, 'shards')]);
      const outs: string[] = [];
      for (const name of readdirSync(join(dir, 'shards'))) {
        const o = join(dir, `out-${name}`);
        expect((await cli(['export', join(dir, 'shards', name), '-o', o, '-q', '--keep-conflicts'])).code).toBe(0);
        outs.push(o);
      }
      const m = await cli(['merge', ...outs, '-o', join(dir, 'merged')]);
      expect(m.code, m.stderr).toBe(0);
      expect(unrecorded(byId(lines(join(dir, 'merged')))), `${n} shards`).toEqual(unrecorded(whole));
      expect(readdirSync(join(dir, 'merged')).filter((x) => x !== 'run.json').sort()).toEqual(names);
      for (const f of names.filter((x) => x !== 'manifest.jsonl')) expect(readFileSync(join(dir, 'merged', f))).toEqual(readFileSync(join(base, 'whole', f)));
      const run = JSON.parse(readFileSync(join(dir, 'merged', 'run.json'), 'utf8')) as { shardRuns: unknown[] };
      expect(run.shardRuns).toHaveLength(outs.length);
    }
  });

  it.each(['ipv4-loss.pcap', 'crafted/conflicting-retransmission.pcap'])('overlaps of %s in 3 shards, with their analyze results: the single run\'s events and ids', async (sample) => {
    const input = join(SAMPLES, sample);
    const dir = tempDir('merge-overlaps');
    const whole = JSON.parse((await cli(['overlaps', input, '--format', 'json', '-q'])).stdout) as { events: unknown[]; connections: unknown[]; summary: Record<string, unknown> };
    const s = await cli(['split', input, '--shards', '3', '-o', join(dir, 'shards'), '--format', 'json']);
    writeFileSync(join(dir, 'split.json'), s.stdout);
    const results = [join(dir, 'split.json')];
    for (const name of readdirSync(join(dir, 'shards'))) {
      for (const cmd of ['analyze', 'overlaps']) {
        const f = join(dir, `${cmd}-${name}.json`);
        writeFileSync(f, (await cli([cmd, join(dir, 'shards', name), '--format', 'json', '-q'])).stdout);
        results.push(f);
      }
    }
    const m = await cli(['merge', ...results]);
    expect(m.code, m.stderr).toBe(0);
    const merged = JSON.parse(m.stdout) as typeof whole;
    const unrecorded = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x: unknown) => (k === 'recordNumber' ? undefined : x)));
    // The detail text names record numbers of the file read: compared without them.
    const plain = (events: unknown[]) => (unrecorded(events) as Array<{ detail: string }>).map((e) => ({ ...e, detail: e.detail.replace(/record \d+/g, 'record N') }));
    expect(plain(merged.events)).toEqual(plain(whole.events));
    expect(merged.connections).toEqual(whole.connections);
    expect(strip(merged.summary)).toEqual(strip(whole.summary));
  });

  it('refuses what it cannot merge, saying why', async () => {
    const dir = tempDir('merge-bad');
    writeFileSync(join(dir, 'x.json'), '{"a":1}');
    const r = await cli(['merge', join(dir, 'x.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/neither analyze, overlaps nor split/);
    expect((await cli(['merge', dir, join(dir, 'x.json')])).stderr).toMatch(/export folders or JSON results, not both/);
    expect((await cli(['merge', dir])).stderr).toMatch(/name it with -o/);
  });
});

describe.runIf(canMountTmpfs())('split onto a real file system that fills, or is read-only', () => {
  const base = tempDir('split-fs');
  const full = join(base, 'full');
  const ro = join(base, 'ro');
  beforeAll(() => {
    mkdirSync(full);
    mkdirSync(ro);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=300k', 'tmpfs', full]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', ro]);
  });
  afterAll(() => {
    for (const m of [full, ro]) {
      try {
        execFileSync('umount', [m]);
      } catch {
        // not mounted
      }
    }
  });

  it('a full disk: exit 4, the file named, ENOSPC said', async () => {
    const r = await cli(['split', join(SAMPLES, 'ipv4-loss.pcap'), '--shards', '2', '-o', join(full, 'x')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/cannot write .*shard-\d\/part-0-lt1\.pcap: no space left on the device \(ENOSPC\)/);
  });

  it('a read-only mount: exit 4, EROFS said at the folder', async () => {
    const r = await cli(['split', join(SAMPLES, 'ipv4-loss.pcap'), '--shards', '2', '-o', join(ro, 'x')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/read-only file system \(EROFS\)/);
  });
});
