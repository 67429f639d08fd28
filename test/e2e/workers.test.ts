/**
 * `analyze --workers N`: connections shared out over threads give the rows of one run, byte for byte, on every
 * sample and on a capture of 20,000 connections; the summary differs only in the engine's peaks and the times.
 * What cannot be read twice is refused; SIGTERM and a closed pipe end a run in workers as they end one thread.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, inParallel, sampleCaptures, SAMPLES, spawnCli, tempDir, withoutWorkerFigures as comparable, writeManyConnections } from './support.js';

const captures = sampleCaptures();

describe('analyze --workers', () => {
  const dir = tempDir('workers');
  let many = '';
  beforeAll(() => {
    many = join(dir, 'many.pcap');
    writeManyConnections(many, 20_000);
  });
  afterAll(() => undefined);

  it(`gives one run's rows, warnings and exit code on each of the ${captures.length} samples`, async () => {
    const results = await inParallel(
      captures.map((f) => async () => {
        const [one, two] = [await spawnCli(['analyze', f, '--format', 'json']), await spawnCli(['analyze', f, '--format', 'json', '--workers', '2'])];
        return { f, one, two };
      }),
      2,
    );
    for (const { f, one, two } of results) {
      expect(two.code, `${f}: ${two.stderr}`).toBe(one.code);
      expect(two.stderr, f).toBe(one.stderr);
      if (one.code !== 0 && one.stdout === '') continue;
      const a = JSON.parse(one.stdout) as { connections: unknown[]; summary: { workers?: number } };
      const b = JSON.parse(two.stdout) as typeof a;
      expect(b.connections, f).toEqual(a.connections);
      expect(comparable(b.summary), f).toBe(comparable(a.summary));
      expect(b.summary.workers).toBe(2);
    }
  }, 240_000);

  it('gives the same rows on 20,000 connections with 2 and 3 workers, in CSV and JSON, with a filter and a capture set', async () => {
    const runs = await inParallel([
      () => spawnCli(['analyze', many, '--format', 'csv']),
      () => spawnCli(['analyze', many, '--format', 'csv', '--workers', '2']),
      () => spawnCli(['analyze', many, '--format', 'csv', '--workers', '3']),
      () => spawnCli(['analyze', many, join(SAMPLES, 'ipv4-loss.pcap'), '--format', 'json', 'tcp port 80']),
      () => spawnCli(['analyze', many, join(SAMPLES, 'ipv4-loss.pcap'), '--format', 'json', 'tcp port 80', '--workers', '2']),
    ], 2);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const [one, two, three, setOne, setTwo] = runs as [typeof runs[0], typeof runs[0], typeof runs[0], typeof runs[0], typeof runs[0]];
    expect(one.stdout.split('\n').length).toBe(20_002);
    expect(two.stdout).toBe(one.stdout);
    expect(three.stdout).toBe(one.stdout);
    const a = JSON.parse(setOne.stdout) as { connections: unknown[]; summary: { connections: number } };
    const b = JSON.parse(setTwo.stdout) as typeof a;
    // The filter keeps the 20,000 web connections and leaves out the sample's 20 (which still count).
    expect(a.connections.length).toBe(20_000);
    expect(a.summary.connections).toBe(20_020);
    expect(b.connections).toEqual(a.connections);
    expect(comparable(b.summary)).toBe(comparable(a.summary));
  }, 240_000);

  it('gives the same output with time bounds, sorting, --summary, host and port, the checks, and as a table', async () => {
    const sample = join(SAMPLES, 'ipv4-loss.pcap');
    const variants = [
      ['--since', '+1s', '--format', 'json'],
      ['--until', '+1.7s', '--format', 'csv'],
      ['--sort', 'bytes', '--top', '3', '--format', 'csv'],
      ['--summary', '--format', 'csv'],
      ['--host', '10.99.2.2', '--port', '41656', '--format', 'csv'],
      ['--check-state', '--check-options', '--format', 'json'],
      ['--wide'],
    ];
    // Lines that say how long the run took, how much memory it peaked at, or on how many threads.
    const timed = /elapsed|peak|persecond|workers/i;
    const stable = (text: string): string =>
      text.startsWith('{') ? comparable(JSON.parse(text)) : text.split('\n').filter((l) => !timed.test(l)).join('\n');
    const runs = await inParallel(variants.flatMap((v) => [() => spawnCli(['analyze', sample, ...v]), () => spawnCli(['analyze', sample, ...v, '--workers', '2'])]), 2);
    for (let i = 0; i < variants.length; i++) {
      const [one, two] = [runs[2 * i]!, runs[2 * i + 1]!];
      expect(one.code, one.stderr).toBe(0);
      expect(two.code, two.stderr).toBe(0);
      expect(stable(two.stdout), variants[i]!.join(' ')).toBe(stable(one.stdout));
      expect(stable(one.stdout).length, variants[i]!.join(' ')).toBeGreaterThan(100);
    }
  }, 120_000);

  it('refuses standard input, a FIFO and --id, with a usage error', async () => {
    const stdin = await spawnCli(['analyze', '-', '--workers', '2']);
    expect(stdin.code).toBe(1);
    expect(stdin.stderr).toMatch(/--workers reads each capture once per worker: give files, not standard input/);
    const fifo = join(dir, 'fifo');
    await new Promise<void>((done) => spawn('mkfifo', [fifo]).on('close', () => done()));
    const f = await spawnCli(['analyze', fifo, '--workers', '2']);
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/is not a regular file/);
    const id = await spawnCli(['analyze', many, '--workers', '2', '--id', '3']);
    expect(id.code).toBe(1);
    expect(id.stderr).toMatch(/--id cannot be used with --workers/);
    const bad = await spawnCli(['analyze', many, '--workers', '0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--workers wants a whole number from 1 to 64/);
  });

  it('unreadable input fails as it does on one thread: exit 2, the reader\'s message, no stack trace', async () => {
    const missing = join(dir, 'missing.pcap');
    const [one, two] = await Promise.all([spawnCli(['analyze', missing]), spawnCli(['analyze', join(SAMPLES, 'damaged', 'not-a-capture.txt'), '--workers', '2'])]);
    expect(one.code).toBe(2);
    const oneBad = await spawnCli(['analyze', join(SAMPLES, 'damaged', 'not-a-capture.txt')]);
    expect(two.code).toBe(oneBad.code);
    expect(two.stderr).toBe(oneBad.stderr);
    expect(two.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('SIGTERM part-way: the workers stop, what was read is reported, exit 143', async () => {
    // The same capture three times over, as a set: long enough to be stopped in the middle.
    const child = spawn(process.execPath, [CLI, 'analyze', many, many, many, '--format', 'json', '--workers', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((done) => child.on('close', (c) => done(c)));
    await new Promise<void>((done) => {
      const poll = setInterval(() => {
        if (out.length > 100_000) {
          clearInterval(poll);
          done();
        }
      }, 5);
    });
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'hung'>((done) => setTimeout(() => done('hung'), 15_000))]);
    if (code === 'hung') child.kill('SIGKILL');
    expect(code).toBe(143);
    expect(err).toMatch(/interrupted by SIGTERM/);
    const doc = JSON.parse(out) as { summary: { interrupted: boolean; packetsRead: number }; connections: unknown[] };
    expect(doc.summary.interrupted).toBe(true);
    expect(doc.connections.length).toBeGreaterThan(0);
  }, 60_000);

  it('a pipe closed by head ends the run at once, exit 0 from the pipeline and no stack trace', async () => {
    const r = await new Promise<{ code: number | null; stderr: string; out: string }>((done) => {
      const sh = spawn('sh', ['-c', `"${process.execPath}" "${CLI}" analyze "${many}" "${many}" --format csv --workers 2 | head -3; echo "status=\${PIPESTATUS:-}"`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let stderr = '';
      sh.stdout.on('data', (b: Buffer) => (out += b.toString()));
      sh.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      sh.on('close', (code) => done({ code, stderr, out }));
    });
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(0, 3).every((l) => l.length > 0)).toBe(true);
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
  }, 60_000);
});
