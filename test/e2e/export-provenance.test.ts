/**
 * An output folder that proves itself: run.json beside the manifest names the program and version, the command
 * line and every effective option, each input with its size, SHA-256 and first/last capture time, the start and
 * end of the run and how it ended. A second `--force` run keeps the first run's manifest and record byte for byte.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { conflictCapture } from './crafted.js';
import { CLI, cli, ROOT, SAMPLES, tempDir } from './support.js';

interface RunJson {
  tool: string;
  version: string;
  argv: string[];
  options: { selection: { filter: string | null }; export: { fillGaps: boolean; force: boolean }; engine: { rstPolicy: string; pageSize: number }; flushAfterSec: number };
  manifest: string;
  inputs: { name: string; size: number | null; sha256: string | null; records: number; firstTime: string; lastTime: string; compressed: boolean }[];
  startedAt: string;
  endedAt: string | null;
  status: string;
  reason: string | null;
}
const readRun = (dir: string, name = 'run.json'): RunJson => JSON.parse(readFileSync(join(dir, name), 'utf8')) as RunJson;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('run.json: where an export came from', () => {
  it('names the program, version, command line, effective options and each input with size, sha256 and times', async () => {
    const dir = tempDir('prov');
    const capture = join(dir, 'conflict.pcap');
    const file = conflictCapture().file;
    writeFileSync(capture, file);
    const out = join(dir, 'out');
    const args = ['export', capture, '-o', out, '--fill-gaps', '--rst-policy', 'any', '--flush-after', '30s', '-q', 'tcp port 443'];
    const r = await cli(args);
    expect(r.code).toBe(0);
    const run = readRun(out);
    expect(run).toMatchObject({ tool: 'tcpreasm', version, argv: args, manifest: 'manifest.jsonl', status: 'complete', reason: null });
    expect(run.options.selection.filter).toBe('tcp port 443');
    expect(run.options.export).toMatchObject({ fillGaps: true, force: false });
    expect(run.options.engine).toMatchObject({ rstPolicy: 'any', pageSize: 1900 });
    expect(run.options.flushAfterSec).toBe(30);
    // The crafted capture has 11 records, 1 ms apart from 1 700 000 000 s.
    expect(run.inputs).toEqual([
      expect.objectContaining({ name: capture, size: file.length, sha256: sha(file), records: 11, compressed: false, firstTime: '2023-11-14T22:13:20.000000000Z', lastTime: '2023-11-14T22:13:20.010000000Z' }),
    ]);
    expect(Date.parse(run.endedAt!)).toBeGreaterThanOrEqual(Date.parse(run.startedAt));
  });

  it('gzip: the hash is of the file as given (compressed); standard input: of the bytes that came through the pipe', async () => {
    const dir = tempDir('prov-gz');
    const plain = readFileSync(join(SAMPLES, 'ipv4-loss.pcap'));
    const gz = gzipSync(plain);
    const gzPath = join(dir, 'c.pcap.gz');
    writeFileSync(gzPath, gz);
    expect((await cli(['export', gzPath, '-o', join(dir, 'a'), '-q'])).code).toBe(0);
    expect(readRun(join(dir, 'a')).inputs[0]).toMatchObject({ size: gz.length, sha256: sha(gz), compressed: true });
    expect((await cli(['export', '-', '-o', join(dir, 'b'), '-q'], { stdin: plain })).code).toBe(0);
    expect(readRun(join(dir, 'b')).inputs[0]).toMatchObject({ name: '-', size: null, sha256: sha(plain) });
  });

  it('a capture that stops on damage is still hashed whole', async () => {
    const dir = tempDir('prov-dmg');
    const good = readFileSync(join(SAMPLES, 'ipv4-loss.pcap'));
    const bad = Buffer.from(good);
    bad.writeUInt32LE(0x7fffffff, 24 + 8); // the first record's captured length: impossible, reading stops there
    const p = join(dir, 'bad.pcap');
    writeFileSync(p, bad);
    await cli(['export', p, '-o', join(dir, 'out'), '-q']);
    expect(readRun(join(dir, 'out')).inputs[0]).toMatchObject({ sha256: sha(bad), records: 0 });
  });

  it('--force twice: the first run manifest and record stay byte for byte; the second run writes manifest-2 and run-2', async () => {
    const dir = tempDir('prov-force');
    const out = join(dir, 'out');
    const capture = join(SAMPLES, 'ipv4-loss.pcap');
    expect((await cli(['export', capture, '-o', out, '-q'])).code).toBe(0);
    const manifest1 = readFileSync(join(out, 'manifest.jsonl'));
    const run1 = readFileSync(join(out, 'run.json'));
    const second = await cli(['export', capture, '-o', out, '-q', '--force', '--format', 'json']);
    expect(second.code).toBe(0);
    expect(readFileSync(join(out, 'manifest.jsonl')).equals(manifest1)).toBe(true);
    expect(readFileSync(join(out, 'run.json')).equals(run1)).toBe(true);
    expect((JSON.parse(second.stdout) as { export: { manifest: string; runRecord: string } }).export).toMatchObject({ manifest: 'manifest-2.jsonl', runRecord: 'run-2.json' });
    expect(readRun(out, 'run-2.json')).toMatchObject({ manifest: 'manifest-2.jsonl', status: 'complete' });
    // Every file either manifest lists is on disk with the size it gives.
    for (const m of ['manifest.jsonl', 'manifest-2.jsonl']) {
      const rows = readFileSync(join(out, m), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { c2s?: { file: string | null; sha256: string } });
      for (const row of rows) if (row.c2s?.file != null) expect(sha(readFileSync(join(out, row.c2s.file)))).toBe(row.c2s.sha256);
    }
  });

  it('a run killed outright (SIGKILL) leaves run.json saying running: the folder does not claim a finished run', async () => {
    const out = join(tempDir('prov-kill'), 'out');
    const child = spawn(process.execPath, [CLI, 'export', '-', '-o', out, '-q'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = new Promise<void>((done) => child.on('close', () => done()));
    // The kill closes the pipe under a write still queued: that EPIPE is the point, not an error.
    child.stdin.on('error', () => {});
    child.stdin.write(readFileSync(join(SAMPLES, 'ipv4-loss.pcap')).subarray(0, 300_000));
    const until = Date.now() + 20_000;
    while (!existsSync(join(out, 'run.json')) && Date.now() < until) await new Promise((d) => setTimeout(d, 25));
    child.kill('SIGKILL');
    await exited;
    expect(readRun(out)).toMatchObject({ status: 'running', endedAt: null, inputs: [] });
  });
});
