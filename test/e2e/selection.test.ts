/**
 * Selection on every command: the pcap-filter expression against tcpdump's own answers (committed in
 * samples/filter/tcpdump-filter.json), --host prefixes and endpoints, --since / --until against the records'
 * own times, and options that want a value and get none.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../lib/capture/index.js';
import { cli, ROOT } from './support.js';

interface Row {
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
}

const oracle = JSON.parse(readFileSync(join(ROOT, 'samples/filter/tcpdump-filter.json'), 'utf8')) as {
  cases: Array<{ sample: string; filter: string; connections: string[] }>;
};

/** A row's endpoints as tcpdump prints them (`10.99.1.1.41656`), sorted. */
function tuple(r: Row): string {
  return [`${r.client}.${r.clientPort}`, `${r.server}.${r.serverPort}`].sort().join(' ');
}

async function selected(args: string[]): Promise<string[]> {
  const r = await cli(['analyze', ...args, '--format', 'json', '--quiet']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { connections: Row[] }).connections.map(tuple).sort();
}

describe('filter expressions select what tcpdump shows', () => {
  it.each(oracle.cases.map((c) => [c.sample, c.filter, c] as const))('%s: %s', async (sample, filter, c) => {
    // As trailing words, and through --filter: the same connections.
    const words = await selected([sample, ...filter.split(' ')]);
    expect(words).toEqual(c.connections);
    expect(await selected([sample, '--filter', filter])).toEqual(c.connections);
  });

  it('trailing words and --filter together mean both', async () => {
    expect(await selected(['samples/ipv4-loss.pcap', 'portrange', '41650-41700', '--filter', 'not port 41656'])).toHaveLength(6);
  });

  it('a filter that does not parse is a usage error pointing at the column', async () => {
    const r = await cli(['analyze', 'samples/ipv4-loss.pcap', 'host', '10.0.0.1', 'port', '80']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('filter: column 15: expected "and" or "or" before "port"');
    expect(r.stderr).toContain('              ^');
    expect(r.stdout).toBe('');
  });

  it('a mistyped capture after the first is reported as a missing file, not as a filter', async () => {
    const r = await cli(['analyze', 'samples/ipv4-loss.pcap', 'samples/no-such.pcap']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('tcpreasm: cannot read samples/no-such.pcap: no such file or directory\n');
  });
});

describe('--host takes addresses, prefixes and endpoints as the tables print them', () => {
  it.each([
    [['--host', '10.99.0.0/16'], 20],
    [['--host', '10.98.0.0/16'], 0],
    [['--host', '10.99.1.1:41656'], 1],
    [['--host', '10.99.2.2:41656'], 0],
    [['--host', '10.99.1.1:41656', '--host', '10.99.1.1:41670'], 2],
  ])('%j: %i connections', async (args, n) => {
    expect(await selected(['samples/ipv4-loss.pcap', ...args])).toHaveLength(n);
  });

  it('IPv6 endpoints in brackets', async () => {
    expect(await selected(['samples/ipv6-loss.pcap', '--host', '[fd99:1::1]:33772'])).toEqual(['fd99:1::1.33772 fd99:2::2.9000']);
  });

  it.each(['10.99.1.1:99999', 'example.com', '10.99.1.1/40'])('refuses %s', async (h) => {
    const r = await cli(['analyze', 'samples/ipv4-loss.pcap', '--host', h]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--host');
    expect(r.stderr).toContain(h);
  });
});

describe('options that want a value', () => {
  it.each([
    [['--port'], 'Not enough arguments following: port'],
    [['--id'], 'Not enough arguments following: id'],
    [['--host'], 'Not enough arguments following: host'],
    [['--filter'], 'Not enough arguments following: filter'],
    [['--since'], 'Not enough arguments following: since'],
    [['--top'], 'Not enough arguments following: top'],
    [['--port', 'http'], '--port wants a whole number from 0 to 65535, not "http"'],
    [['--id', '-1'], '--id wants a whole number of at least 0, not "-1"'],
    [['--top', '2.5'], '--top wants a whole number of at least 0, not "2.5"'],
    [['--max-connections', 'lots'], '--max-connections wants a whole number of at least 1, not "lots"'],
    [['--prot', '80'], 'Unknown argument: prot; did you mean --port?'],
    [['--sinec', '+1s'], 'Unknown argument: sinec; did you mean --since?'],
    [['--since', 'yesterday'], '--since: not a time: "yesterday"'],
  ])('%j', async (args, message) => {
    const r = await cli(['analyze', 'samples/ipv4-loss.pcap', ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('export -o - points to follow', async () => {
    const r = await cli(['export', 'samples/ipv4-loss.pcap', '-o', '-']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('tcpreasm follow CAPTURE ID');
    expect(r.stderr).not.toContain('ERR_');
  });
});

describe('--since / --until keep the records captured in the window', () => {
  it('counts exactly the records outside it, relative and absolute bounds alike', async () => {
    const times: Array<[number, number]> = [];
    await readCapture('samples/ipv4-loss.pcap', (rec) => void times.push([rec.tsSec, rec.tsNsec]));
    const ns = (t: [number, number]): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
    const start = ns(times[0]!);
    // A quarter of a second after the first record, to the one-microsecond instant of record 1000.
    const since = start + 250_000_000n;
    const until = ns(times[999]!);
    const inside = times.filter((t) => ns(t) >= since && ns(t) < until).length;
    const untilText = `${times[999]![0]}.${String(times[999]![1]).padStart(9, '0')}`;
    const r = await cli(['analyze', 'samples/ipv4-loss.pcap', '--since', '+250ms', '--until', untilText, '--format', 'json']);
    expect(r.code).toBe(0);
    const s = (JSON.parse(r.stdout) as { summary: { packetsRead: number; recordsOutsideTime: number; decode: { packets: number } } }).summary;
    expect(s.packetsRead).toBe(times.length);
    expect(s.recordsOutsideTime).toBe(times.length - inside);
    expect(s.decode.packets).toBe(inside);
    // The same window in ISO 8601.
    const iso = new Date(Number(until / 1_000_000n)).toISOString().replace('Z', `${String(until % 1_000_000n).padStart(6, '0')}Z`);
    const r2 = await cli(['analyze', 'samples/ipv4-loss.pcap', '--since', '+250ms', '--until', iso, '--format', 'json']);
    expect((JSON.parse(r2.stdout) as { summary: { recordsOutsideTime: number } }).summary.recordsOutsideTime).toBe(times.length - inside);
  });

  it('a window after the capture leaves nothing, and says so in the summary', async () => {
    const r = await cli(['analyze', 'samples/ipv4-loss.pcap', '--since', '+1h']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Outside --since\/--until\s+1,690 records left out/);
    expect(r.stdout).toMatch(/Connections\s+0\n/);
  });
});
