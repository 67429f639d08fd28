/**
 * `tcpreasm report` as a user runs it: the file written whole or not at all (a full tmpfs, a read-only mount,
 * a planted symlink, an existing file), the page on stdout, damaged input, SIGTERM part-way through a pipe.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canMountTmpfs, CLI, cli, SAMPLES, tempDir } from './support.js';

const MAIN = join(SAMPLES, 'ipv4-loss.pcap');

/** The JSON the page carries. */
function pageData(html: string): { summary: Record<string, unknown>; connections: Array<{ id: number }>; timeline: { total: number } } {
  const m = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!) as ReturnType<typeof pageData>;
}

describe('tcpreasm report', () => {
  const dir = tempDir('report');

  it('writes the page and says what it holds; JSON with --format json', async () => {
    const out = join(dir, 'a.html');
    const r = await cli(['report', MAIN, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/a\.html: \d+ kB, 20 connections, \d+ drawn in detail\n$/);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(pageData(html).timeline.total).toBe(20);
    const j = await cli(['report', MAIN, '-o', join(dir, 'b.html'), '--format', 'json', '--top', '2', '--id', '7']);
    expect(j.code, j.stderr).toBe(0);
    const doc = JSON.parse(j.stdout) as { report: { bytes: number; detailed: number[] }; summary: { connections: number } };
    expect(doc.report.detailed).toContain(7);
    expect(doc.report.bytes).toBe(readFileSync(join(dir, 'b.html')).length);
    expect(doc.summary.connections).toBe(20);
  });

  it('-o - writes the page to standard output, and reads a capture from a pipe', async () => {
    const r = await cli(['report', '-', '-o', '-'], { stdin: readFileSync(MAIN) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('<!doctype html>')).toBe(true);
    expect(pageData(r.stdout).connections.length).toBeGreaterThan(0);
  });

  it('never replaces a file without --force, and with it replaces a planted symlink, not its target', async () => {
    const out = join(dir, 'exists.html');
    writeFileSync(out, 'mine');
    const r = await cli(['report', MAIN, '-o', out]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('the file exists (use --force to replace it)');
    expect(readFileSync(out, 'utf8')).toBe('mine');
    const target = join(dir, 'precious.txt');
    writeFileSync(target, 'keep me');
    const link = join(dir, 'link.html');
    symlinkSync(target, link);
    expect((await cli(['report', MAIN, '-o', link])).code).toBe(4);
    const f = await cli(['report', MAIN, '-o', link, '--force']);
    expect(f.code, f.stderr).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe('keep me');
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(readFileSync(link, 'utf8').startsWith('<!doctype html>')).toBe(true);
    // No temporary file is left beside it.
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('reports damaged captures with a warning and a page, never a stack trace', async () => {
    for (const name of ['truncated-mid-record.pcap', 'garbage-block.pcapng', 'truncated.pcap.gz', 'garbage-length.pcap']) {
      const out = join(dir, `${name}.html`);
      const r = await cli(['report', join(SAMPLES, 'damaged', name), '-o', out]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toMatch(/tcpreasm: warning: .*record \d+|offset \d+/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(true);
    }
    const bad = await cli(['report', join(SAMPLES, 'damaged', 'not-a-capture.txt'), '-o', join(dir, 'bad.html')]);
    expect(bad.code).toBe(2);
    expect(existsSync(join(dir, 'bad.html'))).toBe(false);
  });

  it('explains its options in --help, and refuses a bound too small', async () => {
    const h = await cli(['report', '--help']);
    expect(h.code).toBe(0);
    for (const o of ['--output', '--top', '--id', '--max-segments', '--force', '--filter']) expect(h.stdout).toContain(o);
    const u = await cli(['report', MAIN, '-o', join(dir, 'x.html'), '--max-segments', '10']);
    expect(u.code).toBe(1);
    expect(u.stderr).toContain('--max-segments wants a whole number of at least 64');
  });

  it('SIGTERM part-way through a pipe: the page of what was read, marked interrupted, exit 143', async () => {
    const out = join(dir, 'term.html');
    const child = spawn(process.execPath, [CLI, 'report', '-', '-o', out, '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => {});
    child.stdout.resume();
    child.stderr.resume();
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    child.stdin.write(readFileSync(MAIN).subarray(0, 700_000));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    const data = pageData(readFileSync(out, 'utf8'));
    expect(data.summary.interrupted).toBe(true);
    expect(data.timeline.total).toBeGreaterThan(0);
  });
});

describe.runIf(canMountTmpfs())('report onto a failing file system', () => {
  const base = mkdtempSync(join(tmpdir(), 'tcpreasm-report-fs-'));
  const full = join(base, 'full');
  const ro = join(base, 'ro');
  beforeAll(() => {
    mkdirSync(full);
    mkdirSync(ro);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
  });
  afterAll(() => {
    try {
      execFileSync('umount', [full]);
      execFileSync('umount', [ro]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('a full disk: exit 4, the reason, and no half page left', async () => {
    const r = await cli(['report', MAIN, '-o', join(full, 'r.html'), '-q']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('no space left on the device (ENOSPC)');
    expect(readdirSync(full)).toEqual([]);
  });

  it('a read-only mount: exit 4 and the reason', async () => {
    const r = await cli(['report', MAIN, '-o', join(ro, 'r.html'), '-q']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('read-only file system (EROFS)');
  });
});
