import { describe, expect, it } from 'vitest';
import { CaptureParser } from './parser.js';
import { PcapBuilder, pseudoRandomBytes, readBack, type PcapRecordSpec } from '../../test/support/capture-builder.js';

const VARIANTS = [
  { byteOrder: 'le', nanosecond: false },
  { byteOrder: 'be', nanosecond: false },
  { byteOrder: 'le', nanosecond: true },
  { byteOrder: 'be', nanosecond: true },
] as const;

function specs(nano: boolean): PcapRecordSpec[] {
  const maxFrac = nano ? 999_999_999 : 999_999;
  return [
    { tsSec: 0, tsFrac: 0, data: Buffer.alloc(0), originalLength: 60 },
    { tsSec: 1_700_000_000, tsFrac: 1, data: pseudoRandomBytes(1, 1) },
    { tsSec: 1_700_000_001, tsFrac: maxFrac, data: pseudoRandomBytes(1514, 2) },
    { tsSec: 0xffffffff, tsFrac: 123_456, data: pseudoRandomBytes(96, 3), originalLength: 1514 },
    { tsSec: 1_234_567_890, tsFrac: 500_000, data: pseudoRandomBytes(65535, 4) },
  ];
}

describe('classic pcap reads back every field', () => {
  for (const v of VARIANTS) {
    it(`${v.byteOrder} ${v.nanosecond ? 'nanosecond' : 'microsecond'} magic`, () => {
      const b = new PcapBuilder({ ...v, snaplen: 65535, linkType: 113 });
      const input = specs(v.nanosecond);
      for (const s of input) b.record(s);
      const file = b.build();
      const { records, diagnostics, summary } = readBack(file);

      expect(diagnostics).toEqual([]);
      expect(records).toHaveLength(input.length);
      records.forEach((r, i) => {
        const s = input[i]!;
        expect(r.recordNumber).toBe(i + 1);
        expect(r.fileOffset).toBe(b.recordOffsets[i]);
        expect(r.tsSec).toBe(s.tsSec);
        expect(r.tsNsec).toBe(v.nanosecond ? s.tsFrac : s.tsFrac * 1000);
        expect(r.interfaceId).toBe(0);
        expect(r.linkType).toBe(113);
        expect(r.capturedLength).toBe(s.data.length);
        expect(r.originalLength).toBe(s.originalLength ?? s.data.length);
        expect(r.truncated).toBe(s.originalLength !== undefined && s.originalLength > s.data.length);
        expect(r.data.equals(Buffer.from(s.data))).toBe(true);
      });
      expect(summary).toMatchObject({
        format: 'pcap',
        compressed: false,
        byteOrder: v.byteOrder === 'le' ? 'little' : 'big',
        nanosecond: v.nanosecond,
        sections: 1,
        interfaceCount: 1,
        records: 5,
        recordsSeen: 5,
        truncatedRecords: 2,
        bytes: file.length,
        sourceBytes: file.length,
        diagnostics: {},
        cleanEnd: true,
        aborted: false,
        stoppedOnDamage: false,
      });
      expect(summary.interfaces).toEqual([
        {
          section: 0,
          id: 0,
          linkType: 113,
          snaplen: 65535,
          tsresol: v.nanosecond ? 9 : 6,
          unitsPerSecond: v.nanosecond ? 1e9 : 1e6,
          tsOffset: 0,
        },
      ]);
    });
  }

  it('masks the FCS bits out of the link-type field', () => {
    // LT_FCS_LENGTH_PRESENT (bit 26) with an FCS length of 4 (bits 28..31).
    const file = new PcapBuilder({ linkType: 0x44000001 }).record({ tsSec: 1, tsFrac: 2, data: Buffer.alloc(64) }).build();
    const { records, summary } = readBack(file);
    expect(records[0]!.linkType).toBe(1);
    expect(summary.interfaces[0]!.linkType).toBe(1);
  });

  it('an empty file after the header is a clean capture of no records', () => {
    const { records, summary, diagnostics } = readBack(new PcapBuilder().build());
    expect(records).toEqual([]);
    expect(diagnostics).toEqual([]);
    expect(summary).toMatchObject({ records: 0, bytes: 24, cleanEnd: true });
  });

  it('warns about an unusual version and reads on', () => {
    const file = new PcapBuilder({ versionMajor: 1, versionMinor: 0 }).record({ tsSec: 1, tsFrac: 0, data: Buffer.alloc(4) }).build();
    const { records, diagnostics } = readBack(file);
    expect(records).toHaveLength(1);
    expect(diagnostics).toMatchObject([{ severity: 'warning', code: 'unusual-version', fileOffset: 4, recordNumber: 0 }]);
  });

  it('carries an overflowing timestamp fraction into the seconds, with a warning', () => {
    const b = new PcapBuilder();
    b.record({ tsSec: 10, tsFrac: 0, data: Buffer.alloc(4) });
    b.record({ tsSec: 10, tsFrac: 2_500_000, data: Buffer.alloc(4) });
    const { records, diagnostics } = readBack(b.build());
    expect(records[1]).toMatchObject({ tsSec: 12, tsNsec: 500_000_000 });
    expect(diagnostics).toMatchObject([{ severity: 'warning', code: 'bad-timestamp', fileOffset: b.recordOffsets[1], recordNumber: 2 }]);
  });

  it('delivers a record whose captured length exceeds its original length, with a warning', () => {
    const b = new PcapBuilder();
    b.record({ tsSec: 10, tsFrac: 0, data: Buffer.alloc(4) });
    b.record({ tsSec: 10, tsFrac: 0, data: Buffer.from('abcdefgh'), originalLength: 5 });
    b.record({ tsSec: 11, tsFrac: 0, data: Buffer.alloc(4) });
    const { records, diagnostics, summary } = readBack(b.build());
    expect(records).toHaveLength(3);
    expect(records[1]).toMatchObject({ capturedLength: 8, originalLength: 5, truncated: false });
    expect(records[1]!.data.toString()).toBe('abcdefgh');
    expect(diagnostics).toMatchObject([
      { severity: 'warning', code: 'caplen-exceeds-origlen', fileOffset: b.recordOffsets[1], recordNumber: 2 },
    ]);
    expect(summary.diagnostics).toEqual({ 'caplen-exceeds-origlen': 1 });
    expect(summary.cleanEnd).toBe(true);
  });

  it('hands out one reused record whose bytes view the pushed chunk without a copy', () => {
    const b = new PcapBuilder();
    for (let i = 0; i < 3; i++) b.record({ tsSec: i, tsFrac: 0, data: Buffer.alloc(100, i) });
    const file = b.build();
    const seen: unknown[] = [];
    const bufs: Buffer[] = [];
    const offsets: number[] = [];
    const p = new CaptureParser((r) => {
      seen.push(r);
      bufs.push(r.buf);
      offsets.push(r.offset);
    });
    p.push(file);
    p.end();
    expect(new Set(seen).size).toBe(1);
    expect(bufs.every((x) => x === file)).toBe(true);
    expect(offsets).toEqual(b.recordOffsets.map((o) => o + 16));
  });
});
