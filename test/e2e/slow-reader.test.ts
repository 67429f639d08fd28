/**
 * A reader of stdout that stops reading (a pager, a slow `jq`, a full network link) stops tcpreasm reading the
 * capture, so what waits is a few chunks of input, not the report's text. Before back-pressure reached the
 * analyze rows, a 150 MB capture piped as JSON into a reader that paused grew the process to 726 MB while the
 * whole report queued in memory; with it, the process stays as it does writing to /dev/null.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, tempDir, writeManyConnections } from './support.js';

/** How far the process has read `path`: the furthest position of its descriptors of that file (every thread's). */
function readPosition(pid: number, path: string): number {
  let pos = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== path) continue;
      const m = /^pos:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (m !== null) pos = Math.max(pos, Number(m[1]));
    } catch {
      // The descriptor closed meanwhile.
    }
  }
  return pos;
}

/**
 * Enough connections (about 90 MB) that the window of a run in workers, eight unacknowledged batches of a 2 MiB
 * chunk each per worker, is well short of half the capture.
 */
const CONNECTIONS = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the read position has not moved for `still` ms (at most `most` ms); returns it. */
async function settledPosition(child: ChildProcess, path: string, still = 600, most = 15_000): Promise<number> {
  let last = -1;
  let since = Date.now();
  for (const start = Date.now(); Date.now() - start < most && child.exitCode === null; await sleep(100)) {
    const pos = readPosition(child.pid!, path);
    if (pos !== last) {
      last = pos;
      since = Date.now();
    } else if (Date.now() - since >= still) break;
  }
  return last;
}

describe.runIf(process.platform === 'linux')('a reader of stdout that stops reading', () => {
  const dir = tempDir('slow-reader');
  let capture = '';
  let size = 0;
  beforeAll(() => {
    capture = join(dir, 'many.pcap');
    writeManyConnections(capture, CONNECTIONS);
    size = statSync(capture).size;
  });

  for (const extra of [[], ['--workers', '2']]) {
    it(`stops analyze${extra.length > 0 ? ' ' + extra.join(' ') : ''} reading the capture until it reads again; the report is then whole`, async () => {
      const child = spawn(process.execPath, [CLI, 'analyze', capture, '--format', 'json', ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      const err: Buffer[] = [];
      child.stderr.on('data', (b: Buffer) => err.push(b));
      const closed = new Promise<number | null>((r) => child.on('close', r));
      // Nothing reads stdout yet: the pipe fills, and the read position must stop well short of the end.
      const paused = await settledPosition(child, capture);
      expect(child.exitCode, Buffer.concat(err).toString()).toBeNull();
      expect(paused, 'the capture was read to its end and closed').toBeGreaterThan(0);
      expect(paused).toBeLessThan(size / 2);
      const out: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      expect(await closed, Buffer.concat(err).toString()).toBe(0);
      const doc = JSON.parse(Buffer.concat(out).toString('utf8')) as { connections: Array<{ id: number }>; summary: { connections: number } };
      expect(doc.summary.connections).toBe(CONNECTIONS);
      expect(doc.connections.map((c) => c.id)).toEqual([...Array(CONNECTIONS).keys()]);
    }, 120_000);
  }
});
