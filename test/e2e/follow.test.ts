/**
 * `tcpreasm follow`: every stream of the real samples byte for byte against Wireshark's Follow TCP Stream
 * (samples/follow/tshark-follow.json) and the ground truth; the text, hex and JSON forms against the raw bytes;
 * holes named; choosing by filter; streaming from a pipe and stopping once the connection ended.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cli, ROOT, sha256, truth } from './support.js';

interface Piece {
  kind: 'data' | 'gap';
  dir: 'c2s' | 's2c';
  seq: number;
  absSeq: number;
  length: number | null;
  time: string;
  record?: number;
  data?: string;
}

const oracle = JSON.parse(readFileSync(join(ROOT, 'samples/follow/tshark-follow.json'), 'utf8')) as {
  streams: Array<{ sample: string; stream: number; node0: string; node1: string; node0Length: number; node0Sha256: string; node1Length: number; node1Sha256: string }>;
};

async function pieces(args: string[]): Promise<Piece[]> {
  const r = await cli(['follow', ...args, '--as', 'json', '--quiet']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Piece);
}

function bytesOf(ps: Piece[], dir: 'c2s' | 's2c'): Buffer {
  return Buffer.concat(ps.filter((p) => p.kind === 'data' && p.dir === dir).map((p) => Buffer.from(p.data!, 'base64')));
}

describe('follow agrees with tshark and the ground truth on every stream', () => {
  const streams = [...oracle.streams].sort((a, b) => a.sample.localeCompare(b.sample) || a.stream - b.stream);
  it.each(streams.map((s) => [s.sample, s.stream, s] as const))('%s stream %i', async (sample, stream, s) => {
    const ps = await pieces([sample, String(stream)]);
    const c2s = bytesOf(ps, 'c2s');
    const s2c = bytesOf(ps, 's2c');
    expect([c2s.length, sha256(c2s)]).toEqual([s.node0Length, s.node0Sha256]);
    expect([s2c.length, sha256(s2c)]).toEqual([s.node1Length, s.node1Sha256]);
    const cport = Number(s.node0.slice(s.node0.lastIndexOf(':') + 1));
    const t = truth(sample.replace('samples/', '').replace('.pcap', '.truth.jsonl')).find((row) => row.cport === cport)!;
    expect([c2s.length, sha256(c2s), s2c.length, sha256(s2c)]).toEqual([t.c2s_len, t.c2s_sha256, t.s2c_len, t.s2c_sha256]);
    // Sequence numbers are Wireshark's relative ones (the first data byte is 1), each piece after the one before.
    for (const dir of ['c2s', 's2c'] as const) {
      let next = 1;
      for (const p of ps.filter((x) => x.dir === dir)) {
        expect(p.kind).toBe('data');
        expect(p.seq).toBe(next);
        next += Buffer.from(p.data!, 'base64').length;
      }
    }
  });
});

describe('the forms of follow', () => {
  const file = 'samples/ipv4-loss.pcap';

  it('raw writes one direction exactly, or both in the order of the pieces', async () => {
    const ps = await pieces([file, '3']);
    const [c2s, s2c, both] = await Promise.all([
      cli(['follow', file, '3', '--as', 'raw', '--quiet']),
      cli(['follow', file, '3', '--as', 'raw', '--dir', 's2c', '--quiet']),
      cli(['follow', file, '3', '--as', 'raw', '--dir', 'both', '--quiet']),
    ]);
    expect(c2s.stdoutBytes.equals(bytesOf(ps, 'c2s'))).toBe(true);
    expect(s2c.stdoutBytes.equals(bytesOf(ps, 's2c'))).toBe(true);
    expect(both.stdoutBytes.equals(Buffer.concat(ps.map((p) => Buffer.from(p.data!, 'base64'))))).toBe(true);
  });

  it('hex dumps each direction with a marker at each change of direction; the dump reads back to the bytes', async () => {
    const ps = await pieces([file, '3']);
    const r = await cli(['follow', file, '3', '--as', 'hex', '--quiet']);
    const got = { c2s: [] as number[], s2c: [] as number[] };
    let dir: 'c2s' | 's2c' | null = null;
    const markers: string[] = [];
    for (const line of r.stdout.split('\n')) {
      const m = /^=== (c>s|s>c) seq (\d+), (\S+), record (\d+) ===$/.exec(line);
      if (m !== null) {
        dir = m[1] === 'c>s' ? 'c2s' : 's2c';
        markers.push(dir);
        continue;
      }
      const h = /^([0-9a-f]{8}) {2}(.{49}) \|/.exec(line);
      if (h === null) continue;
      for (const b of h[2]!.trim().split(/\s+/)) got[dir!].push(parseInt(b, 16));
    }
    expect(Buffer.from(got.c2s).equals(bytesOf(ps, 'c2s'))).toBe(true);
    expect(Buffer.from(got.s2c).equals(bytesOf(ps, 's2c'))).toBe(true);
    // One marker per change of direction in the pieces, never two in a row for the same direction.
    let changes = 0;
    for (let i = 0; i < ps.length; i++) if (i === 0 || ps[i]!.dir !== ps[i - 1]!.dir) changes++;
    expect(markers).toHaveLength(changes);
    for (let i = 1; i < markers.length; i++) expect(markers[i]).not.toBe(markers[i - 1]);
  });

  it('ascii keeps printable text and newlines, other bytes as dots, and the markers name time and record', async () => {
    const r = await cli(['follow', file, '1', '--quiet']);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('=== c>s seq 1, 2026-11-25T23:14:19.386208000Z, record 115 ===');
    expect(lines[1]).toBe('REQ 4135 33433 100004');
    expect(r.stdout).not.toMatch(/[^\x20-\x7e\n\t]/);
  });

  it('holes are markers in text and JSON, left out of raw, zeros with --fill-gaps', async () => {
    // The snaplen-cut variant: every segment lost its payload past 200 bytes of frame.
    const cut = 'samples/ipv4-loss.snap200.pcap';
    const ps = await pieces([cut, '0']);
    const gaps = ps.filter((p) => p.kind === 'gap' && p.dir === 'c2s');
    expect(gaps.length).toBeGreaterThan(0);
    const t = truth('ipv4-loss.truth.jsonl')[0]!;
    const data = bytesOf(ps, 'c2s');
    const holes = gaps.reduce((n, g) => n + g.length!, 0);
    expect(data.length + holes).toBe(t.c2s_len);
    const [raw, filled, ascii] = await Promise.all([
      cli(['follow', cut, '0', '--as', 'raw', '--quiet']),
      cli(['follow', cut, '0', '--as', 'raw', '--fill-gaps', '--quiet']),
      cli(['follow', cut, '0', '--quiet']),
    ]);
    expect(raw.stdoutBytes.equals(data)).toBe(true);
    expect(filled.stdoutBytes.length).toBe(t.c2s_len);
    // Each piece of data sits at its sequence offset in the filled file (relative seq 1 is offset 0).
    for (const p of ps.filter((x) => x.kind === 'data' && x.dir === 'c2s')) {
      const b = Buffer.from(p.data!, 'base64');
      expect(filled.stdoutBytes.subarray(p.seq - 1, p.seq - 1 + b.length).equals(b)).toBe(true);
    }
    const first = gaps[0]!;
    expect(ascii.stdout).toContain(`=== c>s ${first.length} bytes missing at seq ${first.seq} ===`);
  });
});

describe('choosing the connection', () => {
  const file = 'samples/ipv4-loss.pcap';

  it('a filter that selects exactly one connection is the same as its id', async () => {
    const [byId, byFilter] = await Promise.all([cli(['follow', file, '5', '--as', 'raw', '--quiet']), cli(['follow', file, 'port', '41694', '--as', 'raw', '--quiet'])]);
    expect(byFilter.code).toBe(0);
    expect(byFilter.stdoutBytes.equals(byId.stdoutBytes)).toBe(true);
  });

  it('a filter that selects several is a usage error listing them', async () => {
    const r = await cli(['follow', file, 'portrange', '41650-41680']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"portrange 41650-41680" selects 4 connections; name one by its id:');
    expect(r.stderr).toContain('  0: 10.99.1.1:41656 > 10.99.2.2:9000');
    expect(r.stderr).toContain('  3: 10.99.1.1:41678 > 10.99.2.2:9000');
    expect(r.stdout).toBe('');
  });

  it('no match, no id, no such id: usage errors that say so', async () => {
    const none = await cli(['follow', file, 'port', '1']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no connection matches "port 1"');
    const missing = await cli(['follow', file]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('name the connection');
    const far = await cli(['follow', file, '99']);
    expect(far.code).toBe(1);
    expect(far.stderr).toContain('no connection 99 in samples/ipv4-loss.pcap (20 connections, ids 0 to 19)');
  });

  it('the summary line on stderr names the connection and its bytes', async () => {
    const r = await cli(['follow', file, '1', '--as', 'raw']);
    expect(r.stderr).toBe('tcpreasm: connection 1: 10.99.1.1:41670 > 10.99.2.2:9000, closed, 4157 B c>s, 33433 B s>c\n');
  });
});

describe('follow streams', () => {
  it('prints the first bytes before the capture ends and exits once the connection ended, stdin still open', async () => {
    const capture = readFileSync(join(ROOT, 'samples/ipv4-loss.pcap'));
    // Connection 0 ends within the first 40% of the capture (record 280 of 1690).
    const head = capture.subarray(0, Math.floor(capture.length * 0.4));
    const child = spawn(process.execPath, [CLI, 'follow', '-', '0', '--as', 'raw', '--quiet'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stdin.on('error', () => {});
    child.stdin.write(head);
    // Never ended: the process must finish on its own.
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(0);
    const t = truth('ipv4-loss.truth.jsonl')[0]!;
    expect(sha256(Buffer.concat(out))).toBe(t.c2s_sha256);
    child.stdin.destroy();
  });

  it('a reader that goes away (| head) ends it quietly with 141, as a tool killed by SIGPIPE', () => {
    // The hex dump of connection 0 is about 400 kB, more than a pipe holds: the write after head exits fails.
    const r = spawnSync('bash', ['-c', `node ${CLI} follow samples/ipv4-loss.pcap 0 --as hex --quiet | head -c 100 >/dev/null; echo \${PIPESTATUS[0]}`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('141');
  });
});
