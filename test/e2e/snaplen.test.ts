/**
 * Loss at the capture point: ipv4-loss.snap200.pcap has every record cut to 200 bytes. The bytes no captured
 * segment holds must be reported missing, exactly as samples/manifest.json counts them, and every byte that is
 * delivered must be the byte the full capture holds at the same sequence offset.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, manifestRows, samples, tempDir, type CliRun, type ManifestRowJson } from './support.js';

const snap = samples().find((s) => s.snaplen !== undefined)!;
const root = tempDir('snap');
const snapDir = join(root, 'snap');
const fullDir = join(root, 'full');
let snapRows: ManifestRowJson[];
let fullRows: ManifestRowJson[];
let analyze: CliRun;

beforeAll(async () => {
  const [a, b, c] = await Promise.all([
    cli(['export', join('samples', snap.file), '-o', snapDir, '--fill-gaps', '-q']),
    cli(['export', join('samples', snap.base!), '-o', fullDir, '--fill-gaps', '-q']),
    cli(['analyze', join('samples', snap.file), '--format', 'json']),
  ]);
  expect(a.code).toBe(0);
  expect(b.code).toBe(0);
  analyze = c;
  snapRows = manifestRows(snapDir);
  fullRows = manifestRows(fullDir);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe(snap.file, () => {
  it('reports in total the missing bytes the sample manifest gives', () => {
    expect(analyze.code).toBe(0);
    const doc = JSON.parse(analyze.stdout) as { summary: { bytesMissing: number; decode: { snaplenCut: number } } };
    expect(doc.summary.bytesMissing).toBe(snap.missingBytes);
    expect(doc.summary.decode.snaplenCut).toBeGreaterThan(0);
  });

  it('reports each direction missing exactly the bytes no captured segment holds', () => {
    expect(snap.missing!.length).toBe(2 * snap.connections!);
    for (const m of snap.missing!) {
      const row = snapRows.find((r) => r.clientPort === m.cport && r.serverPort === m.sport)!;
      const d = row[m.direction];
      expect({ port: m.cport, dir: m.direction, missing: d.missingBytes, length: d.bytes, data: d.dataBytes + d.missingBytes }).toEqual({
        port: m.cport,
        dir: m.direction,
        missing: m.missingBytes,
        length: m.length,
        data: m.length,
      });
      expect(d.gaps.reduce((s, g) => s + (g.length ?? 0), 0)).toBe(m.missingBytes);
    }
  });

  it('delivers, at every sequence offset outside the holes, the byte of the full capture', () => {
    let compared = 0;
    for (const row of snapRows) {
      const full = fullRows.find((r) => r.clientPort === row.clientPort && r.serverPort === row.serverPort)!;
      for (const dir of ['c2s', 's2c'] as const) {
        const cut = readFileSync(join(snapDir, row[dir].file!));
        const whole = readFileSync(join(fullDir, full[dir].file!));
        expect(cut.length).toBe(whole.length);
        const inHole = new Uint8Array(cut.length);
        for (const g of row[dir].gaps) {
          expect(g.filled).toBe(true);
          inHole.fill(1, g.offset, g.offset + g.length!);
        }
        for (let i = 0; i < cut.length; i++) {
          if (inHole[i] === 1) {
            if (cut[i] !== 0) throw new Error(`${row[dir].file} offset ${i}: hole not zero-filled`);
          } else {
            if (cut[i] !== whole[i]) throw new Error(`${row[dir].file} offset ${i}: ${cut[i]} but the full capture has ${whole[i]}`);
            compared++;
          }
        }
      }
    }
    // Everything that was captured: the stream bytes minus the missing ones.
    expect(compared).toBe(snap.missing!.reduce((s, m) => s + m.length - m.missingBytes, 0));
  });

  it('without --fill-gaps the file is the captured bytes only, holes listed at their file offsets', async () => {
    const dir = join(root, 'nofill');
    const r = await cli(['export', join('samples', snap.file), '-o', dir, '-q', '--port', String(snap.missing![0]!.cport)]);
    expect(r.code).toBe(0);
    const rows = manifestRows(dir);
    expect(rows).toHaveLength(1);
    const filled = snapRows.find((x) => x.clientPort === snap.missing![0]!.cport)!;
    for (const dir2 of ['c2s', 's2c'] as const) {
      const plain = readFileSync(join(dir, rows[0]![dir2].file!));
      const withZeros = readFileSync(join(snapDir, filled[dir2].file!));
      expect(plain.length).toBe(rows[0]![dir2].dataBytes);
      // Cutting the filled holes out of the filled file gives the plain file; gap offsets are in the plain file.
      let at = 0;
      const parts: Buffer[] = [];
      let shift = 0;
      filled[dir2].gaps.forEach((g, i) => {
        parts.push(withZeros.subarray(at, g.offset));
        expect(rows[0]![dir2].gaps[i]!.offset).toBe(g.offset - shift);
        shift += g.length!;
        at = g.offset + g.length!;
      });
      parts.push(withZeros.subarray(at));
      expect(Buffer.concat(parts).equals(plain)).toBe(true);
    }
  });
});
