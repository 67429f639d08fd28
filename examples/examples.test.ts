import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI, SAMPLES, sha256, truth } from '../test/e2e/support.js';
import { listConnections } from './connections.js';
import { saveStream } from './follow-stream.js';

describe('the examples run as the README shows them', () => {
  it('connections.ts: a line for each connection the filter matches', async () => {
    const want = truth('ipv4-loss.truth.jsonl');
    const lines: string[] = [];
    expect(await listConnections(join(SAMPLES, 'ipv4-loss.pcap'), undefined, (l) => lines.push(l))).toBe(want.length);
    const p = want[0]!.cport;
    const one: string[] = [];
    await listConnections(join(SAMPLES, 'ipv4-loss.pcap'), `port ${p}`, (l) => one.push(l));
    expect(one).toHaveLength(1);
    expect(one[0]).toMatch(new RegExp(`:${p} -> .* closed c2s=${want[0]!.c2s_len} s2c=${want[0]!.s2c_len} holes=0 `));
  });

  it('follow-stream.ts: both directions saved, equal to the ground truth', async () => {
    const prefix = join(mkdtempSync(join(tmpdir(), 'tcpreasm-example-')), 'conn');
    expect(await saveStream(join(SAMPLES, 'ipv4-loss.pcap'), 0, prefix)).toEqual([]);
    const shas = [sha256(readFileSync(`${prefix}.c2s`)), sha256(readFileSync(`${prefix}.s2c`))];
    expect(truth('ipv4-loss.truth.jsonl').some((t) => t.c2s_sha256 === shas[0] && t.s2c_sha256 === shas[1])).toBe(true);
  });
});

const hasParallel = spawnSync('parallel', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasParallel) console.warn('examples/scale-out/run.sh not run: GNU parallel is not installed (apt-get install parallel; .ci/run installs it)');

describe.skipIf(!hasParallel)('scale-out/run.sh: split, reduces and merge with GNU parallel', () => {
  it('gives the export one run over the whole set gives', () => {
    const work = mkdtempSync(join(tmpdir(), 'tcpreasm-scaleout-'));
    const inputs = ['ipv4-loss.pcap', 'ipv6-loss.pcap', 'ipv4-heavyloss.pcap'].map((f) => join(SAMPLES, f));
    const env = { ...process.env, TCPREASM: `node ${CLI}`, JOBS: '2' };
    execFileSync(fileURLToPath(new URL('scale-out/run.sh', import.meta.url)), [join(work, 'out'), '4', ...inputs], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('node', [CLI, 'export', ...inputs, '-o', join(work, 'whole'), '-q'], { stdio: 'ignore' });
    const rows = (d: string) =>
      readFileSync(join(d, 'manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l, (k, v: unknown) => (k === 'recordNumber' || k === 'closedAt' ? undefined : v)) as { id?: number }).sort((a, b) => (a.id ?? Infinity) - (b.id ?? Infinity));
    expect(rows(join(work, 'out', 'export'))).toEqual(rows(join(work, 'whole')));
    expect(readdirSync(join(work, 'out', 'export')).length).toBe(readdirSync(join(work, 'whole')).length);
    const merged = JSON.parse(readFileSync(join(work, 'out', 'analyze.json'), 'utf8')) as { summary: { packetsRead: number; connections: number } };
    const whole = JSON.parse(execFileSync('node', [CLI, 'analyze', ...inputs, '--format', 'json', '-q']).toString()) as typeof merged;
    expect(merged.summary.connections).toBe(whole.summary.connections);
    expect(merged.summary.packetsRead).toBe(whole.summary.packetsRead);
  });
});
