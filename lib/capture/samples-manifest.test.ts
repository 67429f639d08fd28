import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureError } from './errors.js';
import { readCapture } from './source.js';
import type { Diagnostic } from './diagnostic.js';
import type { ReadSummary } from './summary.js';

/**
 * The committed samples (samples/manifest.json, written by the samples' own generator from tcpdump, editcap and
 * their damage script) say what each file holds; our reader must see the same. Runs on whatever is committed.
 */
const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
const MANIFEST = join(SAMPLES, 'manifest.json');

interface Damage {
  damageRecord: number;
  damageOffset: number;
  recordsBefore: number;
  originalRecords: number;
  fileSize: number;
  nextRecordOffset?: number;
  nextBlockOffset?: number;
  decompressedBytes?: number;
}
interface Sample {
  file: string;
  format: 'pcap' | 'pcapng' | null;
  compressed: boolean;
  linkTypes: number[];
  records: number;
  bytes: number;
  base: string | null;
  endianness?: 'little' | 'big';
  tsResolution?: string[];
  recordsPerInterface?: number[];
  snaplen?: number;
  damage?: Damage;
}

const samples: Sample[] = existsSync(MANIFEST)
  ? (JSON.parse(readFileSync(MANIFEST, 'utf8')) as { samples: Sample[] }).samples.filter((s) => existsSync(join(SAMPLES, s.file)))
  : [];

interface Read {
  rows: { interfaceId: number; caplen: number; origlen: number; hash: string }[];
  diagnostics: Diagnostic[];
  summary: ReadSummary;
}

async function read(file: string, resync = false): Promise<Read> {
  const rows: Read['rows'] = [];
  const diagnostics: Diagnostic[] = [];
  const summary = await readCapture(
    join(SAMPLES, file),
    (r) =>
      rows.push({
        interfaceId: r.interfaceId,
        caplen: r.capturedLength,
        origlen: r.originalLength,
        hash: createHash('sha1').update(r.buf.subarray(r.offset, r.offset + r.capturedLength)).digest('hex'),
      }),
    { resync, onDiagnostic: (d) => diagnostics.push(d) },
  );
  return { rows, diagnostics, summary };
}

const resolution = (units: number): string => (units === 1e6 ? 'us' : units === 1e9 ? 'ns' : String(units));

describe('the committed samples read as their manifest says', () => {
  for (const s of samples.filter((x) => x.damage === undefined)) {
    it(s.file, async () => {
      const { rows, diagnostics, summary } = await read(s.file);
      expect(diagnostics).toEqual([]);
      expect(summary).toMatchObject({ format: s.format, compressed: s.compressed, records: s.records, sourceBytes: s.bytes, cleanEnd: true });
      expect(rows).toHaveLength(s.records);
      expect([...new Set(summary.interfaces.map((i) => i.linkType))]).toEqual(s.linkTypes);
      if (s.endianness !== undefined) expect(summary.byteOrder).toBe(s.endianness);
      if (s.tsResolution !== undefined) expect(summary.interfaces.map((i) => resolution(i.unitsPerSecond))).toEqual(s.tsResolution);
      if (s.recordsPerInterface !== undefined) {
        const counts = s.recordsPerInterface.map((_, id) => rows.filter((r) => r.interfaceId === id).length);
        expect(counts).toEqual(s.recordsPerInterface);
      }
      if (s.snaplen !== undefined) {
        // (The file header may still say the capture's snaplen: the records were cut afterwards.)
        expect(rows.every((r) => r.caplen <= s.snaplen!)).toBe(true);
      }
      // (missingBytes in the manifest counts TCP payload lost per stream, not frame bytes: the decoder's business.)
      expect(summary.truncatedRecords).toBe(rows.filter((r) => r.caplen < r.origlen).length);
      if (s.snaplen !== undefined) expect(summary.truncatedRecords).toBeGreaterThan(0);
    });
  }

  for (const s of samples.filter((x) => x.damage !== undefined)) {
    const d = s.damage!;
    it(`damaged: ${s.file}`, async () => {
      if (s.format === null) {
        await expect(read(s.file)).rejects.toBeInstanceOf(CaptureError);
        await expect(read(s.file)).rejects.toMatchObject({ code: d.fileSize === 0 ? 'empty' : 'not-a-capture', fileOffset: 0 });
        return;
      }
      const base = s.base !== null && existsSync(join(SAMPLES, s.base)) ? (await read(s.base)).rows.slice(0, d.originalRecords) : undefined;
      for (const resync of [false, true]) {
        const { rows, diagnostics } = await read(s.file, resync);
        // Everything before the damage, exactly.
        expect(rows.length).toBeGreaterThanOrEqual(d.recordsBefore);
        if (base !== undefined) expect(rows.slice(0, d.recordsBefore)).toEqual(base.slice(0, d.recordsBefore));
        const errors = diagnostics.filter((x) => x.severity === 'error');
        const at = errors.find((x) => x.fileOffset === d.damageOffset);
        expect(at, JSON.stringify(diagnostics)).toMatchObject({ recordNumber: d.damageRecord });
        const next = d.nextRecordOffset ?? d.nextBlockOffset;
        const recovers = s.format === 'pcapng' || resync;
        if (next !== undefined && recovers) {
          expect(at!.bytesSkipped).toBe(next - d.damageOffset);
          // What comes after the damage is the tail of the original, record for record.
          const after = rows.slice(d.recordsBefore);
          expect(after.length).toBeGreaterThan(0);
          if (base !== undefined) expect(after).toEqual(base.slice(base.length - after.length));
        } else if (next !== undefined) {
          expect(rows).toHaveLength(d.recordsBefore); // classic pcap without resync stops at the damage
        }
        if (d.decompressedBytes !== undefined) {
          expect(errors.map((x) => [x.code, x.fileOffset])).toContainEqual(['gzip-truncated', d.decompressedBytes]);
        }
      }
    });
  }
});
