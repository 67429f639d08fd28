/**
 * The command line, in-process through the commands' injectable output, and in a real subprocess (node
 * dist/cli/main.js) for help, version, stdin and the exit status: usage errors, unreadable and damaged input,
 * the output-folder rule, progress when piped, the overlaps report, the open-file bound.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_OPEN_FILES } from '../../lib/export/index.js';
import { DEFAULT_CLOSE_AFTER_SEC, DEFAULT_FLUSH_AFTER_SEC } from '../../lib/pipeline/index.js';
import { DEFAULT_ASSEMBLER_OPTIONS, DEFAULT_POOL_OPTIONS } from '../../lib/reassembly/index.js';
import { conflictCapture, manyConnections } from './crafted.js';
import { cli, inParallel, manifestRows, ROOT, samples, SAMPLES, sha256, tempDir, truth } from './support.js';

const root = tempDir('cli');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('help and version', () => {
  it('--version prints the package version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it.each([
    ['analyze', ['--sort', '--top', '--host', '--port', '--id', '--max-pages-total', '--flush-after', '--close-after', '--allow-missing-init', '--checksum', '--quiet', '--strict']],
    ['export', ['--output', '--force', '--fill-gaps', '--max-open-files', '--max-pages-per-conn', '--check-state', '--check-options']],
    ['overlaps', ['--kind', '--limit', '--format']],
  ])('%s --help lists its options and exits 0', async (command, options) => {
    const r = await cli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`tcpreasm ${command} <capture..>`);
    for (const o of options) expect(r.stdout).toContain(o);
  });

  it('--help shows the defaults the library uses (defined once)', async () => {
    const help = (await cli(['export', '--help'])).stdout.replace(/\s+/g, ' ');
    for (const [option, value] of [
      ['--flush-after', `"${DEFAULT_FLUSH_AFTER_SEC}s"`],
      ['--close-after', `"${DEFAULT_CLOSE_AFTER_SEC}s"`],
      ['--max-open-files', String(DEFAULT_MAX_OPEN_FILES)],
      ['--max-pages-total', String(DEFAULT_ASSEMBLER_OPTIONS.maxBufferedPagesTotal)],
      ['--max-connections', String(DEFAULT_POOL_OPTIONS.maxConnections)],
    ]) {
      expect(help).toMatch(new RegExp(`${option} .*?\\[default: ${value}\\]`));
    }
    expect(help).toContain(`(${DEFAULT_ASSEMBLER_OPTIONS.pageSize} bytes each)`);
  });

  it('--help names every command', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['analyze', 'export', 'overlaps']) expect(r.stdout).toContain(`tcpreasm ${c}`);
  });
});

describe('the exit status of the real process', () => {
  it.each([
    [['analyze', 'samples/ipv4-loss.pcap', '-q'], 0],
    [['analyze', 'samples/ipv4-loss.pcap', '--top', '-2'], 1],
    [['analyze', 'samples/no-such-file.pcap'], 2],
    [['analyze', 'samples/damaged/truncated-mid-record.pcap', '--strict', '-q'], 3],
  ])('%j exits %i', async (args, code) => {
    expect((await cli(args as string[], { subprocess: true })).code).toBe(code);
  });
});

describe('usage errors exit 1 with a message on stderr and nothing on stdout', () => {
  it.each([
    [[], /Name a command/],
    [['frobnicate', 'x.pcap'], /Unknown argument/],
    [['analyze'], /Not enough non-option arguments|capture/],
    [['analyze', 'samples/ipv4-loss.pcap', '--no-such-option'], /Unknown argument/],
    [['analyze', 'samples/ipv4-loss.pcap', '--format', 'xml'], /Invalid values|format/],
    [['analyze', 'samples/ipv4-loss.pcap', '--flush-after', 'soon'], /--flush-after: not a duration/],
    [['analyze', 'samples/ipv4-loss.pcap', '--max-pages-total', '0'], /--max-pages-total/],
    [['analyze', 'samples/ipv4-loss.pcap', '--sort', 'nonsense'], /unknown sort column "nonsense"/],
    [['analyze', 'samples/ipv4-loss.pcap', '--top', '-2'], /--top/],
    [['analyze', 'samples/ipv4-loss.pcap', '--host', '10.99.1'], /--host wants an IPv4 or IPv6 address/],
    [['export', 'samples/ipv4-loss.pcap'], /Missing required argument: output/],
    [['overlaps', 'samples/ipv4-loss.pcap', '--kind', 'bogus'], /Invalid values|kind/],
  ])('%j', async (args, message) => {
    const r = await cli(args as string[]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stdout).toBe('');
  });
});

describe('unreadable input exits 2 with a clear message', () => {
  it.each([
    ['samples/damaged/not-a-capture.txt', /not a pcap, pcapng or gzip/],
    ['samples/damaged/empty.pcap', /empty/],
    ['samples/no-such-file.pcap', /no such file/],
  ])('%s', async (file, message) => {
    const r = await cli(['analyze', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^tcpreasm: cannot read ${file}: `));
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('damaged captures: report produced, warning with record and offset, exit 0 (3 with --strict)', () => {
  const damaged = samples().filter((s) => s.damage !== undefined && s.format !== null);
  it.each(damaged.map((s) => [s.file, s] as const))('%s', async (file, s) => {
    const [plain, strict] = await Promise.all([
      cli(['analyze', join('samples', file), '--format', 'json']),
      cli(['analyze', join('samples', file), '--strict', '--format', 'json']),
    ]);
    expect(plain.code).toBe(0);
    expect(strict.code).toBe(3);
    const d = s.damage!;
    expect(plain.stderr).toContain(`tcpreasm: warning: samples/${file}: record ${d.damageRecord} at offset ${d.damageOffset}: `);
    const doc = JSON.parse(plain.stdout) as { summary: { packetsRead: number; diagnostics: Record<string, number>; warnings: Array<{ recordNumber: number; fileOffset: number }> }; connections: unknown[] };
    // Everything before the damage is read (and, where the reader can resynchronise, what comes after it).
    expect(doc.summary.packetsRead).toBeGreaterThanOrEqual(d.recordsBefore);
    expect(doc.summary.packetsRead).toBeLessThanOrEqual(d.recordsBefore + d.recoverableAfter);
    expect(Object.values(doc.summary.diagnostics).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(doc.summary.warnings.some((w) => w.recordNumber === d.damageRecord && w.fileOffset === d.damageOffset)).toBe(true);
    expect(doc.connections.length).toBeGreaterThan(0);
  });

  it('--quiet silences the warning but --strict still exits 3', async () => {
    const r = await cli(['analyze', 'samples/damaged/truncated-mid-record.pcap', '--quiet', '--strict']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('Reader diagnostics');
  });
});

describe('standard input', () => {
  it.each(['ipv4-loss.pcap', 'ipv4-loss.pcapng.gz'])('`export -` of a piped %s matches the truth', async (name) => {
    const dir = join(root, `stdin-${name}`);
    const r = await cli(['export', '-', '-o', dir], { stdin: readFileSync(join(SAMPLES, name)) });
    expect(r.code).toBe(0);
    const rows = manifestRows(dir);
    const t = truth('ipv4-loss.truth.jsonl');
    expect(rows).toHaveLength(t.length);
    for (const x of t) {
      const row = rows.find((m) => m.clientPort === x.cport)!;
      expect([row.c2s.sha256, row.s2c.sha256]).toEqual([x.c2s_sha256, x.s2c_sha256]);
    }
  });

  it('`analyze -` names the input `-`', async () => {
    const r = await cli(['analyze', '-', '--format', 'json'], { stdin: readFileSync(join(SAMPLES, 'ipv4-heavyloss.pcap')) });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { summary: { input: string; connections: number } };
    expect(doc.summary.input).toBe('-');
    expect(doc.summary.connections).toBe(8);
  });
});

describe('output folder', () => {
  it('refuses a non-empty folder (exit 1, nothing written) and accepts it with --force', async () => {
    const dir = join(root, 'used');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'earlier evidence\n');
    const refused = await cli(['export', 'samples/ipv4-heavyloss.pcap', '-o', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not empty.*--force/);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    const forced = await cli(['export', 'samples/ipv4-heavyloss.pcap', '-o', dir, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('earlier evidence\n');
    expect(manifestRows(dir)).toHaveLength(8);
  });

  it('an output path that is a file is refused', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const r = await cli(['export', 'samples/ipv4-heavyloss.pcap', '-o', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a folder/);
  });
});

describe('progress', () => {
  it('draws nothing when stderr is piped, even when asked for', async () => {
    const [a, b] = await Promise.all([
      cli(['analyze', 'samples/multi-link.pcapng']),
      cli(['analyze', 'samples/multi-link.pcapng', '--progress']),
    ]);
    for (const r of [a, b]) {
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).not.toContain('\r');
    }
  });
});

describe('analyze selection and formats', () => {
  it('--sort, --top and the filters pick rows; CSV has one line a connection', async () => {
    const [top, port, csv] = await Promise.all([
      cli(['analyze', 'samples/ipv4-loss.pcap', '--format', 'json', '--sort', 's2cBytes', '--top', '3']),
      cli(['analyze', 'samples/ipv6-loss.pcap', '--format', 'json', '--port', '9000', '--host', 'fd99:1:0::1', '--id', '4', '--id', '7']),
      cli(['analyze', 'samples/ipv4-loss.pcap', '--format', 'csv']),
    ]);
    const rows = (JSON.parse(top.stdout) as { connections: Array<{ s2c: { bytes: number } }> }).connections;
    const all = truth('ipv4-loss.truth.jsonl').map((t) => t.s2c_len).sort((a, b) => b - a);
    expect(rows.map((r) => r.s2c.bytes)).toEqual(all.slice(0, 3));
    const picked = (JSON.parse(port.stdout) as { connections: Array<{ id: number; client: string }> }).connections;
    expect(picked.map((r) => r.id)).toEqual([4, 7]);
    expect(picked.every((r) => r.client === 'fd99:1::1')).toBe(true);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[0]!.split(',')).toContain('c2sMissingBytes');
  });
});

describe('overlaps', () => {
  it('lists the retransmissions of ipv4-heavyloss', async () => {
    const [table, json] = await Promise.all([
      cli(['overlaps', 'samples/ipv4-heavyloss.pcap']),
      cli(['overlaps', 'samples/ipv4-heavyloss.pcap', '--format', 'json']),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^No conflicting overlaps/);
    expect(table.stdout).toContain('retransmission');
    const doc = JSON.parse(json.stdout) as {
      summary: { overlaps: { retransmissions: number; conflicts: number; retransmittedBytes: number }; overlapPackets: number };
      events: Array<{ kind: string; bytes: number; seqStart: number; seqEnd: number }>;
    };
    const retrans = doc.events.filter((e) => e.kind === 'retransmission');
    expect(retrans.length).toBeGreaterThan(0);
    expect(retrans.length).toBe(doc.summary.overlaps.retransmissions);
    expect(doc.summary.overlaps.conflicts).toBe(0);
    for (const e of retrans) expect((e.seqEnd - e.seqStart) >>> 0).toBe(e.bytes);
    expect(retrans.reduce((s, e) => s + e.bytes, 0)).toBe(doc.summary.overlaps.retransmittedBytes);
  });

  describe('a crafted capture with conflicting retransmissions', () => {
    const cap = conflictCapture();
    const file = join(root, 'conflict.pcap');
    beforeAll(() => writeFileSync(file, cap.file));

    it('is the headline, with both versions of each conflict', async () => {
      const [table, json] = await Promise.all([cli(['overlaps', file]), cli(['overlaps', file, '--format', 'json', '--kind', 'conflict'])]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^CONFLICTS: 2 conflicting overlaps in 1 connection/);
      const doc = JSON.parse(json.stdout) as { events: Array<{ kind: string; direction: string; seqStart: number; bytes: number; detail: string }> };
      expect(doc.events.map((e) => e.kind)).toEqual(['conflict', 'conflict']);
      const c2s = doc.events.find((e) => e.direction === 'c2s')!;
      expect(c2s.seqStart).toBe(cap.delivered.seq);
      expect(c2s.detail).toMatch(new RegExp(`kept old copy .*old: record ${cap.delivered.old},.*new: record ${cap.delivered.new},`));
      const s2c = doc.events.find((e) => e.direction === 's2c')!;
      expect(s2c.seqStart).toBe(cap.buffered.seq);
      expect(s2c.bytes).toBe(cap.buffered.length);
      expect(s2c.detail).toMatch(new RegExp(`kept new copy .*old: record ${cap.buffered.old},.*new: record ${cap.buffered.new},`));
    });

    it('export keeps the documented copy and lists both versions in the manifest', async () => {
      const dir = join(root, 'conflict-export');
      const r = await cli(['export', file, '-o', dir]);
      expect(r.code).toBe(0);
      const [row] = manifestRows(dir);
      expect(readFileSync(join(dir, row!.c2s.file!)).equals(cap.c2s)).toBe(true);
      expect(readFileSync(join(dir, row!.s2c.file!)).equals(cap.s2c)).toBe(true);
      expect(row!.c2s.conflicts).toHaveLength(1);
      expect(row!.c2s.conflicts[0]).toMatchObject({
        direction: 'c2s',
        seq: cap.delivered.seq,
        against: 'delivered',
        kept: 'old',
        old: { recordNumber: cap.delivered.old },
        new: { recordNumber: cap.delivered.new },
      });
      const k = row!.c2s.conflicts[0] as { old: { hash: string }; new: { hash: string } };
      expect(k.old.hash).not.toBe(k.new.hash);
      expect(row!.s2c.conflicts[0]).toMatchObject({ direction: 's2c', against: 'buffered', kept: 'new' });
    });
  });
});

describe('more connections than the open-file bound', () => {
  it('300 connections open at once, --max-open-files 16: every file complete, every sha256 right', async () => {
    const cap = manyConnections(300);
    const file = join(root, 'many.pcap');
    writeFileSync(file, cap.file);
    const dir = join(root, 'many');
    const r = await cli(['export', file, '-o', dir, '--max-open-files', '16', '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { export: { fileEvictions: number; files: number }; summary: { engine: { connectionsPeakOpen: number } } };
    expect(doc.summary.engine.connectionsPeakOpen).toBe(300);
    expect(doc.export.files).toBe(600);
    expect(doc.export.fileEvictions).toBeGreaterThan(0); // the bound was really in play
    const rows = manifestRows(dir);
    expect(rows).toHaveLength(300);
    for (const s of cap.streams) {
      const row = rows.find((x) => x.clientPort === s.clientPort)!;
      expect(row.state).toBe('closed');
      for (const [d, bytes] of [['c2s', s.c2s], ['s2c', s.s2c]] as const) {
        expect(row[d].complete).toBe(true);
        expect(row[d].sha256).toBe(sha256(bytes));
        expect(sha256(readFileSync(join(dir, row[d].file!)))).toBe(sha256(bytes));
      }
    }
  });
});

// Keep the suite's subprocess count honest: the helper is used by the sample tests too.
void inParallel;
