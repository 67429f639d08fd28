/**
 * The engine's RST policy and out-of-window rule as the CLI reports them, on the crafted captures
 * (samples/crafted/README.md): a blind RST is ignored and reported, the data after it reassembled, also with
 * --check-state; --rst-policy any ends the connection on it; seq-jump.pcap's segments 2^31 away are out of window.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, inParallel, manifestRows, tempDir } from './support.js';

const BLIND = 'samples/crafted/blind-rst.pcap';
const JUMP = 'samples/crafted/seq-jump.pcap';
const root = tempDir('rst');
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Direction {
  packets: number;
  bytes: number;
  rst: number;
  rstIgnored: number;
  outOfWindowPackets: number;
  outOfWindowBytes: number;
  retransmittedPackets: number;
  overlapPackets: number;
  queuedPackets: number;
  missingBytes: number;
  packetsAfterClose: number;
}
interface Row {
  id: number;
  state: string;
  suspiciousRsts: number;
  c2s: Direction;
  s2c: Direction;
}
interface AnalyzeDoc {
  connections: Row[];
  summary: {
    connections: number;
    bytesReassembled: number;
    rstIgnored: number;
    outOfWindowPackets: number;
    outOfWindowBytes: number;
    checks: { state: { accepted: number; rejected: number; afterClose: number } | null };
  };
}

async function analyzeJson(args: string[]): Promise<AnalyzeDoc> {
  const r = await cli(['analyze', ...args, '--format', 'json']);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as AnalyzeDoc;
}

describe('blind-rst.pcap: an RST 2^30 outside the window', () => {
  it('default (evidence): ignored and counted, the connection completes with every byte after it', async () => {
    const [plain, checked] = await inParallel([() => analyzeJson([BLIND]), () => analyzeJson([BLIND, '--check-state'])]);
    for (const doc of [plain, checked]) {
      expect(doc.connections).toHaveLength(1);
      const c = doc.connections[0]!;
      expect(c.state).toBe('closed');
      expect(c.suspiciousRsts).toBe(1);
      expect([c.s2c.rst, c.s2c.rstIgnored, c.c2s.rst, c.c2s.rstIgnored]).toEqual([1, 1, 0, 0]);
      expect([c.c2s.bytes, c.s2c.bytes]).toEqual([200, 100]);
      expect(c.c2s.packetsAfterClose + c.s2c.packetsAfterClose).toBe(0);
      expect([doc.summary.rstIgnored, doc.summary.outOfWindowPackets, doc.summary.bytesReassembled]).toEqual([1, 0, 300]);
    }
    expect(plain.summary.checks.state).toBeNull();
    // The state machine let everything through: it leaves the RST to the engine, which ignored it.
    // 10: record 11 (the last ACK) reaches the closed connection's tombstone, not the machine.
    expect(checked.summary.checks.state).toMatchObject({ accepted: 10, rejected: 0, afterClose: 0 });
  });

  it('--rst-policy any: the RST ends the connection and the data after it is not delivered (with or without --check-state)', async () => {
    const [plain, checked] = await inParallel([
      () => analyzeJson([BLIND, '--rst-policy', 'any']),
      () => analyzeJson([BLIND, '--rst-policy', 'any', '--check-state']),
    ]);
    for (const doc of [plain, checked]) {
      const c = doc.connections[0]!;
      expect(c.state).toBe('reset');
      expect(c.suspiciousRsts).toBe(0);
      expect([c.s2c.rst, c.s2c.rstIgnored]).toEqual([1, 0]);
      expect([c.c2s.bytes, c.s2c.bytes]).toEqual([100, 50]);
      expect(doc.summary.rstIgnored).toBe(0);
    }
  });

  it('the table shows it in the state cell and in the summary block', async () => {
    const r = await cli(['analyze', BLIND]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ closed, 1 suspicious RST\s+│/);
    expect(r.stdout).toContain("RSTs ignored        1 (outside the receiver's window: the connection went on)");
    expect(r.stdout).toContain('Out-of-window       0 packets, 0 B');
    const any = await cli(['analyze', BLIND, '--rst-policy', 'any']);
    expect(any.stdout).toMatch(/│ reset\s+│/);
    expect(any.stdout).toContain('RSTs ignored        0\n');
  });

  it('overlaps: one suspicious-rst event with where it was, what was expected and the window; headline and totals', async () => {
    const [json, only, none, csv, table] = await inParallel([
      () => cli(['overlaps', BLIND, '--format', 'json']),
      () => cli(['overlaps', BLIND, '--format', 'json', '--kind', 'suspicious-rst']),
      () => cli(['overlaps', BLIND, '--format', 'json', '--kind', 'conflict']),
      () => cli(['overlaps', BLIND, '--format', 'csv']),
      () => cli(['overlaps', BLIND]),
    ]);
    const doc = JSON.parse(json.stdout) as {
      summary: { rstIgnored: number; overlaps: { events: number; suspiciousRsts: number } };
      connections: Array<{ connectionId: number; suspiciousRsts: number }>;
      events: Array<Record<string, unknown>>;
    };
    expect(doc.events).toEqual([
      {
        time: '2023-11-14T22:13:20.006000000Z',
        epoch: '1700000000.006000000',
        connectionId: 0,
        direction: 's2c',
        seqStart: 5051 + 2 ** 30,
        seqEnd: 5051 + 2 ** 30,
        // Relative to the server's ISN (5000), as Wireshark counts: 50 bytes sent (1-50), then the RST 2^30 past
        // the next byte expected (51).
        relativeSeqStart: 2 ** 30 + 51,
        relativeSeqEnd: 2 ** 30 + 51,
        bytes: 0,
        kind: 'suspicious-rst',
        detail: expect.stringMatching(/^record 6 \(offset \d+\); seq \+1073741824 from expected 5051, window 65535 B: ignored/),
        expected: 5051,
        window: 65535,
      },
    ]);
    expect(doc.summary.rstIgnored).toBe(1);
    expect(doc.summary.overlaps).toMatchObject({ events: 1, suspiciousRsts: 1 });
    expect(doc.connections).toMatchObject([{ connectionId: 0, suspiciousRsts: 1 }]);
    expect((JSON.parse(only.stdout) as { events: unknown[] }).events).toHaveLength(1);
    const noRst = JSON.parse(none.stdout) as { events: unknown[]; connections: unknown[] };
    expect([noRst.events.length, noRst.connections.length]).toEqual([0, 0]);
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^2023-11-14T22:13:20\.006000000Z,1700000000\.006000000,0,s2c,1073746875,1073746875,1073741875,1073741875,0,suspicious-rst,"record 6 /);
    expect(table.stdout.split('\n')[1]).toMatch(/^SUSPICIOUS RSTS: 1 RST that did not end the connection in 1 connection/);
  });

  it('export: both streams hold the data sent after the forged RST', async () => {
    const out = join(root, 'blind');
    const r = await cli(['export', BLIND, '-o', out, '--quiet']);
    expect(r.code).toBe(0);
    const [row] = manifestRows(out);
    expect(row!.state).toBe('closed');
    expect(readFileSync(join(out, row!.c2s.file!), 'latin1')).toBe('m'.repeat(100) + 'n'.repeat(100));
    expect(readFileSync(join(out, row!.s2c.file!), 'latin1')).toBe('s'.repeat(50) + 't'.repeat(50));
  });
});

describe('seq-jump.pcap: segments 2^31 away are out of window', () => {
  it('JSON per direction and in the summary, CSV column, table summary line; not retransmissions, nothing queued', async () => {
    const [doc, [csv, table]] = await Promise.all([
      analyzeJson([JUMP]),
      inParallel([() => cli(['analyze', JUMP, '--format', 'csv']), () => cli(['analyze', JUMP])], 2),
    ]);
    const c = doc.connections[0]!;
    expect(c.state).toBe('closed');
    expect([c.c2s.outOfWindowPackets, c.c2s.outOfWindowBytes, c.s2c.outOfWindowPackets]).toEqual([3, 300, 0]);
    expect([c.c2s.retransmittedPackets, c.c2s.overlapPackets, c.c2s.queuedPackets, c.c2s.missingBytes, c.c2s.bytes]).toEqual([0, 0, 0, 0, 400]);
    expect([doc.summary.outOfWindowPackets, doc.summary.outOfWindowBytes, doc.summary.rstIgnored]).toEqual([3, 300, 0]);
    const [head, line] = csv.stdout.trimEnd().split('\r\n');
    const col = head!.split(',').indexOf('c2sOutOfWindowPackets');
    expect(col).toBeGreaterThan(0);
    expect(line!.split(',')[col]).toBe('3');
    expect(table.stdout).toContain('Out-of-window       3 packets, 300 B');
  });
});

describe('--rst-policy on the command line', () => {
  it('is listed in --help with its reason, and a bad value is a usage error', async () => {
    const [help, bad] = await inParallel([() => cli(['analyze', '--help']), () => cli(['analyze', BLIND, '--rst-policy', 'never'])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--rst-policy');
    expect(help.stdout).toMatch(/forged/);
    expect(help.stdout).toMatch(/"in-window", "any"/);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Invalid values|rst-policy/);
    expect(bad.stdout).toBe('');
  });
});
