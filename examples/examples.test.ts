import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLES, sha256, truth } from '../test/e2e/support.js';
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
