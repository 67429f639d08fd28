/**
 * Every committed sample with a truth file, through the real CLI: `export` reproduces every stream's truth
 * sha256 (both directions), the manifest agrees with the files on disk, and `analyze --format json` agrees
 * with the manifest.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, inParallel, manifestRows, samples, sha256, tempDir, truth, type CliRun, type ManifestRowJson } from './support.js';

// The snaplen-cut sample cannot match the hashes by construction; it has its own test (snaplen.test.ts).
const withTruth = samples().filter((s) => s.truthKind === 'streams' && s.snaplen === undefined);

interface Done {
  dir: string;
  exportRun: CliRun;
  analyzeRun: CliRun;
}
const runs = new Map<string, Done>();
const root = tempDir('samples');

beforeAll(async () => {
  await inParallel(
    withTruth.map((s) => async () => {
      const dir = join(root, s.file.replace(/[^A-Za-z0-9.-]/g, '_'));
      const [exportRun, analyzeRun] = await Promise.all([
        cli(['export', join('samples', s.file), '-o', dir, '--format', 'json']),
        cli(['analyze', join('samples', s.file), '--format', 'json']),
      ]);
      runs.set(s.file, { dir, exportRun, analyzeRun });
    }),
    2,
  );
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.each(withTruth.map((s) => [s.file, s] as const))('%s', (file, sample) => {
  it('exits 0; the reader has nothing to say; every record is read', () => {
    const r = runs.get(file)!;
    expect(r.exportRun.code).toBe(0);
    expect(r.analyzeRun.code).toBe(0);
    // Raw-IP variants carry the base's ARP / IPv6 frames as IP of the wrong version: counted as malformed, not damage.
    expect(r.exportRun.stderr).not.toMatch(/record \d+ at offset/);
    const summary = (JSON.parse(r.analyzeRun.stdout) as { summary: { diagnostics: object; reader: { cleanEnd: boolean; records: number } } }).summary;
    expect(summary.diagnostics).toEqual({});
    expect(summary.reader.cleanEnd).toBe(true);
    expect(summary.reader.records).toBe(sample.records);
  });

  it('export reproduces every stream of the truth file, both directions', () => {
    const { dir } = runs.get(file)!;
    const rows = manifestRows(dir);
    const rowsTruth = truth(sample.truth!);
    expect(rows).toHaveLength(rowsTruth.length);
    for (const t of rowsTruth) {
      const row = rows.find((r) => r.clientPort === t.cport && r.serverPort === t.sport);
      expect(row, `connection ${t.cport} -> ${t.sport}`).toBeDefined();
      expect(row!.state).toBe('closed');
      for (const [d, len, hash] of [['c2s', t.c2s_len, t.c2s_sha256], ['s2c', t.s2c_len, t.s2c_sha256]] as const) {
        const dr = row![d];
        expect({ port: t.cport, d, bytes: dr.bytes, sha256: dr.sha256, complete: dr.complete, gaps: dr.gaps.length }).toEqual({
          port: t.cport,
          d,
          bytes: len,
          sha256: hash,
          complete: true,
          gaps: 0,
        });
        // The file on disk, not only the manifest's word for it.
        expect(sha256(readFileSync(join(dir, dr.file!)))).toBe(hash);
      }
    }
  });

  it('the manifest counts equal the files in the folder', () => {
    const { dir, exportRun } = runs.get(file)!;
    const rows = manifestRows(dir);
    const listed = rows.flatMap((r) => [r.c2s, r.s2c]).filter((d) => d.file !== null);
    const onDisk = readdirSync(dir).filter((n) => n !== 'manifest.jsonl' && n !== 'run.json').sort();
    expect(listed.map((d) => d.file).sort()).toEqual(onDisk);
    for (const d of listed) expect(statSync(join(dir, d.file!)).size).toBe(d.bytes);
    const ids = rows.map((r) => r.id).sort((a, b) => a - b);
    expect(ids).toEqual(ids.map((_, i) => i));
    const report = JSON.parse(exportRun.stdout) as { export: { connections: number; files: number; bytes: number; unfinished: number } };
    expect(report.export.connections).toBe(rows.length);
    expect(report.export.files).toBe(onDisk.length);
    expect(report.export.bytes).toBe(listed.reduce((s, d) => s + d.bytes, 0));
    expect(report.export.unfinished).toBe(0);
  });

  it('analyze --format json totals agree with the manifest', () => {
    const { dir, analyzeRun } = runs.get(file)!;
    const rows = manifestRows(dir);
    const doc = JSON.parse(analyzeRun.stdout) as {
      summary: Record<string, unknown> & { connections: number; bytesReassembled: number; bytesMissing: number; packetsRead: number };
      connections: Array<{ id: number; clientPort: number; state: string; c2s: Record<string, number>; s2c: Record<string, number> }>;
    };
    expect(doc.summary.connections).toBe(rows.length);
    expect(doc.summary.packetsRead).toBe(sample.records);
    expect(doc.connections).toHaveLength(rows.length);
    const sum = (f: (r: ManifestRowJson) => number) => rows.reduce((s, r) => s + f(r), 0);
    expect(doc.summary.bytesReassembled).toBe(sum((r) => r.c2s.dataBytes + r.s2c.dataBytes));
    expect(doc.summary.bytesMissing).toBe(sum((r) => r.c2s.missingBytes + r.s2c.missingBytes));
    for (const c of doc.connections) {
      const row = rows.find((r) => r.id === c.id)!;
      expect(c.clientPort).toBe(row.clientPort);
      expect(c.state).toBe(row.state);
      expect(c.c2s.bytes).toBe(row.c2s.bytes);
      expect(c.s2c.bytes).toBe(row.s2c.bytes);
      expect(c.c2s).toEqual(row.c2s.stats);
      expect(c.s2c).toEqual(row.s2c.stats);
    }
  });
});
