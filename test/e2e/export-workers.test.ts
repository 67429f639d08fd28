/**
 * `export --workers N`: connections shared out over threads write the files of one run (the same names, the
 * same bytes) and one manifest with the same rows, ids included, on every sample and on 20,000 connections.
 * What cannot be done in workers is refused; SIGTERM ends a run in workers with a whole manifest.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseManifest, type ManifestEnd, type ManifestRow } from '../../lib/export/manifest.js';
import { CLI, inParallel, sampleCaptures, SAMPLES, sha256, spawnCli, tempDir, withoutWorkerFigures, writeManyConnections } from './support.js';

/** An export folder as it can be compared: each stream file's sha256 and mtime, the rows by id, the end record without its time. */
function folder(dir: string): { files: Map<string, string>; rows: Map<number, ManifestRow>; end: Omit<ManifestEnd, 'closedAt'> | null; status: string } {
  const files = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    if (/^(manifest(-\d+)?\.jsonl|run(-\d+)?\.json)$/.test(name)) continue;
    // The capture time each file was given (its mtime) is part of what it says.
    files.set(name, `${sha256(readFileSync(join(dir, name)))} ${statSync(join(dir, name)).mtimeMs}`);
  }
  const { rows, end } = parseManifest(readFileSync(join(dir, 'manifest.jsonl'), 'utf8'));
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status: string };
  const { closedAt: _, ...rest } = end ?? ({ closedAt: '' } as ManifestEnd);
  return { files, rows: new Map(rows.map((r) => [r.id, r])), end: end === null ? null : rest, status: run.status };
}

/** The export report without what differs by nature: the folder's name, and the bounds divided between workers. */
const comparable = (doc: unknown): string => withoutWorkerFigures(doc, /^dir$|^openFileLimit$|^bufferBytesAllocated$/);

function expectSameFolder(a: string, b: string, what: string): void {
  const one = folder(a);
  const two = folder(b);
  expect([...two.files.keys()], what).toEqual([...one.files.keys()]);
  expect(two.files, what).toEqual(one.files);
  expect(two.rows.size, what).toBe(one.rows.size);
  for (const [id, row] of one.rows) expect(two.rows.get(id), `${what}: row ${id}`).toEqual(row);
  expect(two.end, what).toEqual(one.end);
  expect(two.status, what).toBe(one.status);
}

const captures = sampleCaptures();

describe('export --workers', () => {
  const dir = tempDir('export-workers');
  let many = '';
  beforeAll(() => {
    many = join(dir, 'many.pcap');
    writeManyConnections(many, 20_000);
  });

  it(`writes one run's files, manifest rows, warnings and exit code on each of the ${captures.length} samples`, async () => {
    const results = await inParallel(
      captures.map((f, i) => async () => {
        const a = join(dir, `s${i}-one`);
        const b = join(dir, `s${i}-two`);
        const one = await spawnCli(['export', f, '-o', a, '--format', 'json']);
        const two = await spawnCli(['export', f, '-o', b, '--format', 'json', '--workers', '2']);
        return { f, a, b, one, two };
      }),
      2,
    );
    let compared = 0;
    for (const { f, a, b, one, two } of results) {
      expect(two.code, `${f}: ${two.stderr}`).toBe(one.code);
      expect(two.stderr.replaceAll(b, a), f).toBe(one.stderr);
      if (one.stdout === '') continue;
      const x = JSON.parse(one.stdout) as { summary: { workers?: number }; export: object };
      const y = JSON.parse(two.stdout) as typeof x;
      expect(comparable(y), f).toBe(comparable(x));
      expect(y.summary.workers).toBe(2);
      expectSameFolder(a, b, f);
      compared++;
    }
    // Every sample but the ones no export can read.
    expect(compared).toBeGreaterThan(captures.length - 6);
  }, 240_000);

  it('writes the same folder from 20,000 connections with 2 and 3 workers, and with a filter', async () => {
    const runs = await inParallel(
      [
        ['export', many, '-o', join(dir, 'm1'), '-q'],
        ['export', many, '-o', join(dir, 'm2'), '-q', '--workers', '2'],
        ['export', many, '-o', join(dir, 'm3'), '-q', '--workers', '3'],
        ['export', many, '-o', join(dir, 'f1'), '-q', '--filter', 'portrange 40000-50000'],
        ['export', many, '-o', join(dir, 'f2'), '-q', '--filter', 'portrange 40000-50000', '--workers', '2'],
      ].map((args) => () => spawnCli(args)),
      2,
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(folder(join(dir, 'm1')).rows.size).toBe(20_000);
    expectSameFolder(join(dir, 'm1'), join(dir, 'm2'), '2 workers');
    expectSameFolder(join(dir, 'm1'), join(dir, 'm3'), '3 workers');
    const filtered = folder(join(dir, 'f1')).rows.size;
    // Some connections, not all and not none.
    expect(filtered).toBeGreaterThan(0);
    expect(filtered).toBeLessThan(20_000);
    expectSameFolder(join(dir, 'f1'), join(dir, 'f2'), 'filter');
  }, 240_000);

  it('gives the same folder with --fill-gaps, a time bound, --host and --port', async () => {
    const snaplen = join(SAMPLES, 'ipv4-loss.snap200.pcap');
    const loss = join(SAMPLES, 'ipv4-loss.pcap');
    const variants: Array<[string, string[]]> = [
      [snaplen, ['--fill-gaps']],
      [loss, ['--since', '+1s']],
      [loss, ['--host', '10.99.2.2', '--port', '41670']],
    ];
    for (const [i, [f, extra]] of variants.entries()) {
      const a = join(dir, `v${i}-one`);
      const b = join(dir, `v${i}-two`);
      const one = await spawnCli(['export', f, '-o', a, '-q', ...extra]);
      const two = await spawnCli(['export', f, '-o', b, '-q', '--workers', '2', ...extra]);
      expect(two.code, two.stderr).toBe(one.code);
      expectSameFolder(a, b, extra.join(' '));
    }
  }, 120_000);

  it('refuses standard input, --id and --keep-conflicts with a usage error', async () => {
    const sample = join(SAMPLES, 'ipv4-loss.pcap');
    const stdin = await spawnCli(['export', '-', '-o', join(dir, 'r1'), '--workers', '2'], { stdin: readFileSync(sample) });
    expect(stdin.code).toBe(1);
    expect(stdin.stderr).toMatch(/--workers reads each capture once per worker/);
    const id = await spawnCli(['export', sample, '-o', join(dir, 'r2'), '--id', '3', '--workers', '2']);
    expect(id.code).toBe(1);
    expect(id.stderr).toMatch(/--id cannot be used with --workers/);
    const keep = await spawnCli(['export', sample, '-o', join(dir, 'r3'), '--keep-conflicts', '--workers', '2']);
    expect(keep.code).toBe(1);
    expect(keep.stderr).toMatch(/--keep-conflicts cannot be used with --workers/);
    expect(readdirSync(dir)).not.toContain('r1');
  });

  it('SIGTERM mid-run: exit 143, a whole manifest saying interrupted, every listed file as its row says', async () => {
    const big = join(dir, 'big.pcap');
    writeManyConnections(big, 60_000);
    const out = join(dir, 'term');
    const child = spawn(process.execPath, [CLI, 'export', big, '-o', out, '-q', '--workers', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    // Once the first rows are on disk, the run is well under way.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        let size = 0;
        try {
          size = statSync(join(out, 'manifest.jsonl')).size;
        } catch {
          // Not made yet.
        }
        if (size > 0) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c, sig) => resolve(c ?? (sig === 'SIGTERM' ? 143 : null))));
    expect(code, stderr).toBe(143);
    expect(stderr).not.toMatch(/\n\s+at /);
    const { rows, end } = parseManifest(readFileSync(join(out, 'manifest.jsonl'), 'utf8'));
    expect(end).toMatchObject({ status: 'interrupted', rows: rows.length, rowsLost: 0 });
    expect(rows.length).toBeLessThan(60_000);
    const ids = new Set(rows.map((r) => r.id));
    expect(ids.size).toBe(rows.length);
    for (const r of rows.slice(0, 2000)) {
      for (const d of [r.c2s, r.s2c]) if (d.file !== null) expect(sha256(readFileSync(join(out, d.file))), d.file).toBe(d.sha256);
    }
    // No shard's reserve is left behind.
    expect(readdirSync(out).filter((n) => n.startsWith('.tcpreasm-reserve'))).toEqual([]);
  }, 120_000);
});
