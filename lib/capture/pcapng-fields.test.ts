import { describe, expect, it } from 'vitest';
import { PcapngBuilder, pseudoRandomBytes, readBack } from '../../test/support/capture-builder.js';

/** Reference conversion with BigInt, independent of the reader's float arithmetic. */
function expectedTime(ts: bigint, tsresol = 6, offset = 0n): { tsSec: number; tsNsec: number } {
  const units = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
  return { tsSec: Number(ts / units + offset), tsNsec: Number(((ts % units) * 1_000_000_000n) / units) };
}

interface Expected {
  blockIndex: number;
  interfaceId: number;
  linkType: number;
  tsSec: number;
  tsNsec: number;
  data: Buffer;
  originalLength: number;
}

/** A file with three sections in both byte orders, interfaces of different kinds, every packet block type. */
function buildFile(): { file: Buffer; expected: Expected[]; b: PcapngBuilder; skippedBlock: number } {
  const b = new PcapngBuilder();
  const expected: Expected[] = [];
  const mark = (e: Omit<Expected, 'blockIndex'>) => expected.push({ ...e, blockIndex: b.blockOffsets.length - 1 });

  b.section({ byteOrder: 'le', options: [{ code: 2, value: Buffer.from('test hardware') }] });
  b.iface({ linkType: 1, snaplen: 128, name: 'eth0' });
  b.iface({ linkType: 113, tsresol: 9, tsoffset: 100n });
  b.iface({ linkType: 101, tsresol: 0x80 | 20, options: [{ code: 3, value: Buffer.from('raw ip') }] });
  b.block(0x12345678, pseudoRandomBytes(10, 1)); // unknown block type
  b.block(4, Buffer.from([1, 0, 4, 0, 10, 0, 0, 1, 0x61, 0, 0, 0, 0, 0, 0, 0])); // name resolution

  const d0 = pseudoRandomBytes(60, 2);
  b.epb({ interfaceId: 0, ts: 1_700_000_000_123_456n, data: d0 });
  mark({ interfaceId: 0, linkType: 1, ...expectedTime(1_700_000_000_123_456n), data: d0, originalLength: 60 });

  const d1 = pseudoRandomBytes(1514, 3);
  const t1 = 1_700_000_000_123_456_789n; // beyond 2^53: needs the exact split
  b.epb({ interfaceId: 1, ts: t1, data: d1, originalLength: 1600 });
  mark({ interfaceId: 1, linkType: 113, ...expectedTime(t1, 9, 100n), data: d1, originalLength: 1600 });

  const d2 = pseudoRandomBytes(40, 4);
  const t2 = (1_700_000_000n << 20n) + 12_345n;
  b.epb({ interfaceId: 2, ts: t2, data: d2, options: [{ code: 2, value: Buffer.from([1, 0, 0, 0]) }] });
  mark({ interfaceId: 2, linkType: 101, ...expectedTime(t2, 0x80 | 20), data: d2, originalLength: 40 });

  const d3 = pseudoRandomBytes(33, 5);
  const t3 = 1_700_000_001_000_000_001n;
  b.pb({ interfaceId: 1, ts: t3, data: d3, drops: 7 });
  mark({ interfaceId: 1, linkType: 113, ...expectedTime(t3, 9, 100n), data: d3, originalLength: 33 });

  const d4 = pseudoRandomBytes(200, 6);
  b.spb({ data: d4 }); // cut to the interface's snaplen of 128
  mark({ interfaceId: 0, linkType: 1, tsSec: 0, tsNsec: 0, data: d4.subarray(0, 128), originalLength: 200 });

  const d5 = pseudoRandomBytes(10, 7);
  b.spb({ data: d5 });
  mark({ interfaceId: 0, linkType: 1, tsSec: 0, tsNsec: 0, data: d5, originalLength: 10 });

  b.block(5, Buffer.alloc(12)); // interface statistics
  b.block(0x00000bad, Buffer.from([0, 0, 0, 1, 9, 9, 9, 9])); // custom block
  b.epb({ interfaceId: 7, ts: 1n, data: Buffer.alloc(8) }); // interface never described: skipped
  const skippedBlock = b.blockOffsets.length - 1;

  const d6 = pseudoRandomBytes(77, 8);
  b.epb({ interfaceId: 0, ts: 1_700_000_002_000_000n, data: d6 });
  mark({ interfaceId: 0, linkType: 1, ...expectedTime(1_700_000_002_000_000n), data: d6, originalLength: 77 });

  b.section({ byteOrder: 'be' });
  b.iface({ linkType: 276, tsresol: 3, tsoffset: -5n, name: 'any' });
  const d7 = pseudoRandomBytes(90, 9);
  b.epb({ interfaceId: 0, ts: 1_700_000_000_123n, data: d7 });
  mark({ interfaceId: 0, linkType: 276, ...expectedTime(1_700_000_000_123n, 3, -5n), data: d7, originalLength: 90 });
  b.iface({ linkType: 229, tsresol: 0x80 });
  const d8 = pseudoRandomBytes(48, 10);
  b.epb({ interfaceId: 1, ts: 1_700_000_000n, data: d8 });
  mark({ interfaceId: 1, linkType: 229, ...expectedTime(1_700_000_000n, 0x80), data: d8, originalLength: 48 });

  b.section({ byteOrder: 'le' });
  b.iface({ linkType: 1, tsresol: 0x80 | 32 });
  const t9 = (1_700_000_000n << 32n) + 0xffffffffn;
  const d9 = pseudoRandomBytes(64, 11);
  b.epb({ interfaceId: 0, ts: t9, data: d9 });
  mark({ interfaceId: 0, linkType: 1, ...expectedTime(t9, 0x80 | 32), data: d9, originalLength: 64 });
  b.iface({ linkType: 1, tsresol: 12 }); // picoseconds: the exotic (BigInt) path
  const t10 = 17_000_000_001_234_567_890n;
  const d10 = pseudoRandomBytes(20, 12);
  b.epb({ interfaceId: 1, ts: t10, data: d10 });
  mark({ interfaceId: 1, linkType: 1, ...expectedTime(t10, 12), data: d10, originalLength: 20 });

  return { file: b.build(), expected, b, skippedBlock };
}

describe('pcapng reads back every field', () => {
  it('sections in both byte orders, several interfaces, EPB/PB/SPB, options and unknown blocks', () => {
    const { file, expected, b, skippedBlock } = buildFile();
    const { records, diagnostics, summary } = readBack(file);

    expect(records).toHaveLength(expected.length);
    let skippedNumber = 0;
    records.forEach((r, i) => {
      const e = expected[i]!;
      // Record numbers count the skipped record (undescribed interface) too.
      const recordNumber = i + 1 + (e.blockIndex > skippedBlock ? 1 : 0);
      if (e.blockIndex > skippedBlock && skippedNumber === 0) skippedNumber = recordNumber - 1;
      expect(r).toMatchObject({
        recordNumber,
        fileOffset: b.blockOffsets[e.blockIndex],
        tsSec: e.tsSec,
        tsNsec: e.tsNsec,
        interfaceId: e.interfaceId,
        linkType: e.linkType,
        capturedLength: e.data.length,
        originalLength: e.originalLength,
        truncated: e.data.length < e.originalLength,
      });
      expect(r.data.equals(e.data), `record ${i + 1} bytes`).toBe(true);
    });
    expect(records[1]).toMatchObject({ tsSec: 1_700_000_100, tsNsec: 123_456_789 });
    expect(records[9]).toMatchObject({ tsSec: 1_700_000_000, tsNsec: 999_999_999 });
    expect(records[10]).toMatchObject({ tsSec: 17_000_000, tsNsec: 1_234_567 });

    expect(diagnostics).toEqual([
      {
        severity: 'error',
        code: 'unknown-interface',
        message: expect.stringContaining('interface 7') as unknown as string,
        fileOffset: b.blockOffsets[skippedBlock],
        recordNumber: skippedNumber,
      },
    ]);
    expect(summary).toMatchObject({
      format: 'pcapng',
      byteOrder: 'little',
      nanosecond: true,
      sections: 3,
      interfaceCount: 7,
      records: expected.length,
      recordsSeen: expected.length + 1,
      truncatedRecords: 2,
      bytes: file.length,
      diagnostics: { 'unknown-interface': 1 },
      cleanEnd: true,
    });
    expect(summary.interfaces).toEqual([
      { section: 0, id: 0, linkType: 1, snaplen: 128, name: 'eth0', tsresol: 6, unitsPerSecond: 1e6, tsOffset: 0 },
      { section: 0, id: 1, linkType: 113, snaplen: 0, tsresol: 9, unitsPerSecond: 1e9, tsOffset: 100 },
      { section: 0, id: 2, linkType: 101, snaplen: 0, tsresol: 0x94, unitsPerSecond: 2 ** 20, tsOffset: 0 },
      { section: 1, id: 0, linkType: 276, snaplen: 0, name: 'any', tsresol: 3, unitsPerSecond: 1e3, tsOffset: -5 },
      { section: 1, id: 1, linkType: 229, snaplen: 0, tsresol: 0x80, unitsPerSecond: 1, tsOffset: 0 },
      { section: 2, id: 0, linkType: 1, snaplen: 0, tsresol: 0xa0, unitsPerSecond: 2 ** 32, tsOffset: 0 },
      { section: 2, id: 1, linkType: 1, snaplen: 0, tsresol: 12, unitsPerSecond: 1e12, tsOffset: 0 },
    ]);
  });

  it('a big-endian file reads the same as its little-endian twin', () => {
    const build = (byteOrder: 'le' | 'be') =>
      new PcapngBuilder()
        .section({ byteOrder })
        .iface({ linkType: 1, tsresol: 9 })
        .epb({ interfaceId: 0, ts: 1_600_000_000_999_999_999n, data: pseudoRandomBytes(100, 1), originalLength: 150 })
        .pb({ interfaceId: 0, ts: 5n, data: pseudoRandomBytes(3, 2) })
        .spb({ data: pseudoRandomBytes(21, 3) })
        .build();
    const le = readBack(build('le'));
    const be = readBack(build('be'));
    expect(be.records).toEqual(le.records);
    expect(be.summary.byteOrder).toBe('big');
    expect(le.records[0]).toMatchObject({ tsSec: 1_600_000_000, tsNsec: 999_999_999, originalLength: 150 });
  });

  it('a section header in the middle resets the interfaces', () => {
    const b = new PcapngBuilder()
      .section()
      .iface({ linkType: 1 })
      .iface({ linkType: 113 })
      .epb({ interfaceId: 1, ts: 1n, data: Buffer.alloc(4) })
      .section({ byteOrder: 'be' })
      .iface({ linkType: 101 });
    b.epb({ interfaceId: 1, ts: 2n, data: Buffer.alloc(4) }); // interface 1 belonged to the old section
    const badAt = b.blockOffsets[b.blockOffsets.length - 1];
    b.epb({ interfaceId: 0, ts: 3n, data: Buffer.alloc(4) });
    const { records, diagnostics, summary } = readBack(b.build());
    expect(records.map((r) => [r.recordNumber, r.linkType])).toEqual([
      [1, 113],
      [3, 101],
    ]);
    expect(diagnostics).toMatchObject([{ code: 'unknown-interface', fileOffset: badAt, recordNumber: 2 }]);
    expect(summary.sections).toBe(2);
  });

  it('a simple packet block before any interface is reported and skipped', () => {
    const b = new PcapngBuilder().section();
    b.spb({ data: Buffer.alloc(8) });
    b.iface({ linkType: 1 }).spb({ data: Buffer.from('abcd') });
    const { records, diagnostics } = readBack(b.build());
    expect(records).toMatchObject([{ recordNumber: 2, capturedLength: 4 }]);
    expect(diagnostics).toMatchObject([{ code: 'unknown-interface', fileOffset: b.blockOffsets[1], recordNumber: 1 }]);
  });

  it('an SPB whose original length is below the block data uses the original length', () => {
    const b = new PcapngBuilder().section().iface({ linkType: 1 });
    b.spb({ data: Buffer.from('abcdefgh'), originalLength: 5 });
    const { records } = readBack(b.build());
    expect(records[0]).toMatchObject({ capturedLength: 5, originalLength: 5 });
    expect(records[0]!.data.toString()).toBe('abcde');
  });
});
