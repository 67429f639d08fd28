/**
 * Ctrl-C (or SIGTERM, SIGHUP) during an export from a pipe that has gone quiet (a `tcpdump -w - | tcpreasm export -` with no traffic):
 * the process must stop at once, not wait for the next chunk, finish the manifest with what is complete, mark
 * what was cut short, and exit 128 + the signal.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, SAMPLES } from './support.js';

function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  return new Promise((done) => {
    const tick = (): void => {
      if (cond()) done(true);
      else if (Date.now() > until) done(false);
      else setTimeout(tick, 25);
    };
    tick();
  });
}

describe('SIGINT, SIGTERM or SIGHUP during export from a silent pipe', () => {
  for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    it(`${signal}: stops promptly, writes the manifest with complete and cut-short connections, exits ${status}`, async () => {
      const out = join(mkdtempSync(join(tmpdir(), 'tcpreasm-sigint-')), 'streams');
      const child = spawn(process.execPath, [CLI, 'export', '-', '-o', out], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.stdout.resume();
      // The process may exit with our write still queued: an EPIPE then is expected.
      child.stdin.on('error', () => {});
      const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
      // Half the capture, then silence with the pipe left open.
      child.stdin.write(readFileSync(join(SAMPLES, 'ipv4-loss.pcap')).subarray(0, 700_000));
      const started = await waitFor(() => existsSync(out) && readdirSync(out).length > 5, 20_000);
      expect(started).toBe(true);
      const t0 = Date.now();
      child.kill(signal);
      const code = await Promise.race([exited, new Promise<'hung'>((done) => setTimeout(() => done('hung'), 10_000))]);
      if (code === 'hung') child.kill('SIGKILL');
      expect(code).toBe(status);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(stderr).toMatch(/interrupted/);
      const rows = readFileSync(join(out, 'manifest.jsonl'), 'utf8').trim().split('\n').filter((l) => !l.startsWith('{"end"')).map((l) => JSON.parse(l) as {
        state: string;
        c2s: { file: string; complete: boolean; bytes: number };
      });
      const done = rows.filter((r) => r.state === 'closed');
      const cut = rows.filter((r) => r.state !== 'closed');
      expect(done.length).toBeGreaterThan(0);
      expect(cut.length).toBeGreaterThan(0);
      for (const r of cut) expect(r.c2s.complete).toBe(false);
      for (const r of done) expect(r.c2s.complete).toBe(true);
      // The run record says so too; the input was not read to its end, so it has no hash.
      const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { status: string; inputs: { name: string; sha256: string | null }[] };
      expect(run.status).toBe('interrupted');
      expect(run.inputs).toMatchObject([{ name: '-', sha256: null }]);
      child.stdin.destroy();
    });
  }
});
