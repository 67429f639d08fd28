/**
 * A disk that fills during an export, on a real file system: a 2 MiB tmpfs (root only: CI runs as root) and
 * a capture of 4 MB of streams. The manifest must stay valid JSONL, with a row for every file on disk giving
 * its size and sha256 as written, `truncated` for the files cut short, and an end record saying why.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../lib/export/manifest.js';
import { RESERVE_FILE } from '../../lib/export/reserve.js';
import { manyConnections } from './crafted.js';
import { canMountTmpfs, cli, spawnCli } from './support.js';

const mountable = canMountTmpfs();
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe.runIf(mountable)('export onto a file system that fills up (tmpfs, 2 MiB)', () => {
  const base = mkdtempSync(join(tmpdir(), 'tcpreasm-full-'));
  const mnt = join(base, 'mnt');
  const capture = join(base, 'many.pcap');
  const many = manyConnections(60); // 60 x 66 kB client streams: twice the room
  beforeAll(() => {
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
    writeFileSync(capture, many.file);
  });
  afterAll(() => {
    try {
      execFileSync('umount', [mnt]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  /**
   * What a stopped export must leave: exit 4, a valid manifest with a row per file on disk as written, an end
   * record; and more than `minFiles` files, so that the checks of each file check something.
   */
  function expectStoppedExport(out: string, r: { code: number | null; stderr: string }, minFiles: number): void {
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/export stopped: cannot (write|reserve manifest space in) .*no space left on the device \(ENOSPC\)/);
    // One error for the disk, not one per file that could not be written after it.
    expect(r.stderr.split('\n').filter((l) => l.includes('ENOSPC')).length).toBeLessThanOrEqual(3);

    const text = readFileSync(join(out, 'manifest.jsonl'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const { rows, end } = parseManifest(text); // throws on a cut line
    expect(end).toMatchObject({ status: 'stopped', rowsLost: 0, rows: rows.length });
    expect(end!.reason).toMatch(/ENOSPC/);
    expect(end!.truncatedFiles).toBeGreaterThanOrEqual(1);

    // The run record is replaced after the reserve's space is given back: it says how the run ended.
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { status: string; reason: string };
    expect(run).toMatchObject({ status: 'stopped', reason: end!.reason });
    const onDisk = readdirSync(out).filter((n) => n !== 'manifest.jsonl' && n !== 'run.json');
    expect(onDisk).not.toContain(RESERVE_FILE);
    const byFile = new Map<string, { bytes: number; sha256: string | null; truncated: boolean; complete: boolean; expected: Buffer }>();
    for (const row of rows) {
      const s = many.streams.find((x) => x.clientPort === row.clientPort)!;
      if (row.c2s.file !== null) byFile.set(row.c2s.file, { ...row.c2s, expected: s.c2s });
      if (row.s2c.file !== null) byFile.set(row.s2c.file, { ...row.s2c, expected: s.s2c });
    }
    expect(onDisk.length).toBeGreaterThan(minFiles);
    let truncated = 0;
    for (const name of onDisk) {
      const d = byFile.get(name);
      expect(d, `${name} has a row`).toBeDefined();
      const content = readFileSync(join(out, name));
      expect(statSync(join(out, name)).size).toBe(d!.bytes);
      expect(d!.sha256).toBe(sha(content));
      // What is there is the start of the stream; a complete file is all of it.
      expect(content.equals(d!.expected.subarray(0, content.length))).toBe(true);
      if (d!.complete) expect(content.length).toBe(d!.expected.length);
      if (d!.truncated) {
        truncated++;
        expect(d!.complete).toBe(false);
      }
    }
    expect(truncated).toBe(end!.truncatedFiles);
  }

  it('exit 4; valid manifest: a row per file on disk, sizes and hashes as written, the cut file truncated, an end record', async () => {
    const out = join(mnt, 'out');
    expectStoppedExport(out, await cli(['export', capture, '-o', out, '-q']), 10);
    rmSync(out, { recursive: true, force: true });
  });

  it('the same with --workers 2: the shard that meets the full disk stops the other, no reserve is left', async () => {
    const out = join(mnt, 'out-workers');
    const r = await spawnCli(['export', capture, '-o', out, '-q', '--workers', '2']);
    // Two shards write at once, so how many files are whole when the disk fills varies: 9 to 26 in 12 runs.
    expectStoppedExport(out, r, 5);
    expect(readdirSync(out).filter((n) => n.startsWith(RESERVE_FILE))).toEqual([]);
    rmSync(out, { recursive: true, force: true });
  });

  it('a read-only file system: a clear error naming the folder, exit 4, no stack trace', async () => {
    const ro = join(mnt, 'ro');
    mkdirSync(ro);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', ro]);
    try {
      const r = await cli(['export', capture, '-o', join(ro, 'out'), '-q']);
      expect(r.stderr).toMatch(/read-only file system \(EROFS\)/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(4);
      // Levels below it are made one at a time: the first one says EROFS too (Node's mkdir -p says ENOENT).
      const deep = await cli(['export', capture, '-o', join(ro, 'a', 'b', 'c'), '-q']);
      expect(deep.stderr).toMatch(/cannot create the output folder .*\/ro\/a: read-only file system \(EROFS\)/);
      expect(deep.code).toBe(4);
    } finally {
      execFileSync('umount', [ro]);
    }
  });
});
