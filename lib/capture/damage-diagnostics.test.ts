import { describe, expect, it } from 'vitest';
import { CaptureError } from './errors.js';
import { CaptureParser } from './parser.js';
import { PcapBuilder, PcapngBuilder, pseudoRandomBytes, readBack } from '../../test/support/capture-builder.js';

function pcapWith(n: number): PcapBuilder {
  const b = new PcapBuilder();
  for (let i = 0; i < n; i++) b.record({ tsSec: 1_700_000_000 + i, tsFrac: i, data: pseudoRandomBytes(60 + i, i + 1) });
  return b;
}

function pcapngWith(n: number): PcapngBuilder {
  const b = new PcapngBuilder().section().iface({ linkType: 1 });
  for (let i = 0; i < n; i++) b.epb({ interfaceId: 0, ts: BigInt(i) * 1000n, data: pseudoRandomBytes(60 + i, i + 1) });
  return b;
}

describe('classic pcap damage', () => {
  it('truncated last record header', () => {
    const b = pcapWith(5);
    const file = b.build();
    const cut = file.subarray(0, b.recordOffsets[4]! + 9);
    const { records, diagnostics, summary } = readBack(cut);
    expect(records).toHaveLength(4);
    expect(diagnostics).toMatchObject([
      { severity: 'error', code: 'truncated-record', fileOffset: b.recordOffsets[4], recordNumber: 5, bytesSkipped: 9 },
    ]);
    expect(diagnostics[0]!.message).toMatch(/offset \d+, record 5: last record header cut short: 9 of 16 bytes/);
    expect(summary.cleanEnd).toBe(false);
    expect(summary.bytes).toBe(cut.length);
  });

  it('truncated last record body', () => {
    const b = pcapWith(5);
    const cut = b.build().subarray(0, b.recordOffsets[4]! + 16 + 10);
    const { records, diagnostics } = readBack(cut);
    expect(records).toHaveLength(4);
    expect(diagnostics).toMatchObject([
      { code: 'truncated-record', fileOffset: b.recordOffsets[4], recordNumber: 5, bytesSkipped: 26 },
    ]);
    expect(diagnostics[0]!.message).toContain('10 of 64 bytes');
  });

  it('record length over the cap stops reading by default', () => {
    const b = pcapWith(3);
    const badAt = b.length;
    b.record({ tsSec: 1_700_000_003, tsFrac: 0, data: Buffer.alloc(10), capturedLengthField: 0x7fffff00 });
    b.record({ tsSec: 1_700_000_004, tsFrac: 0, data: Buffer.alloc(10) });
    const { records, diagnostics, summary } = readBack(b.build());
    expect(records).toHaveLength(3);
    expect(diagnostics).toMatchObject([{ severity: 'error', code: 'bad-record-header', fileOffset: badAt, recordNumber: 4 }]);
    expect(diagnostics[0]!.message).toContain('captured length 2147483392 over the cap of 1048576');
    expect(summary).toMatchObject({ stoppedOnDamage: true, cleanEnd: false, bytes: badAt });
  });

  it('the cap is an option', () => {
    const b = pcapWith(2);
    b.record({ tsSec: 1_700_000_002, tsFrac: 0, data: Buffer.alloc(5000) });
    const { records, diagnostics } = readBack(b.build(), { maxRecordLength: 4096 });
    expect(records).toHaveLength(2);
    expect(diagnostics).toMatchObject([{ code: 'bad-record-header', fileOffset: b.recordOffsets[2], recordNumber: 3 }]);
  });

  it('with resync, skips a forged record header and its body and reads on', () => {
    const b = pcapWith(3);
    const badAt = b.length;
    b.record({ tsSec: 1_700_000_003, tsFrac: 0, data: Buffer.alloc(90, 0x41), capturedLengthField: 0x7fffff00 });
    b.record({ tsSec: 1_700_000_004, tsFrac: 0, data: Buffer.alloc(10) });
    b.record({ tsSec: 1_700_000_005, tsFrac: 0, data: Buffer.alloc(10) });
    const { records, diagnostics, summary } = readBack(b.build(), { resync: true });
    expect(records.map((r) => [r.recordNumber, r.tsSec])).toEqual([
      [1, 1_700_000_000],
      [2, 1_700_000_001],
      [3, 1_700_000_002],
      [4, 1_700_000_004],
      [5, 1_700_000_005],
    ]);
    expect(diagnostics).toMatchObject([
      { severity: 'error', code: 'bad-record-header', fileOffset: badAt, recordNumber: 4, bytesSkipped: 16 + 90 },
    ]);
    expect(diagnostics[0]!.message).toContain(`resumed at offset ${badAt + 106}`);
    expect(summary).toMatchObject({ cleanEnd: true, stoppedOnDamage: false });
  });

  it('with resync, skips a zero-filled hole', () => {
    const b = pcapWith(2);
    const holeAt = b.length;
    b.raw(Buffer.alloc(4096));
    b.record({ tsSec: 1_700_000_002, tsFrac: 0, data: Buffer.alloc(10) });
    b.record({ tsSec: 1_700_000_003, tsFrac: 0, data: Buffer.alloc(10) });
    const { records, diagnostics } = readBack(b.build(), { resync: true });
    expect(records).toHaveLength(4);
    expect(diagnostics).toMatchObject([{ code: 'bad-record-header', fileOffset: holeAt, recordNumber: 3, bytesSkipped: 4096 }]);
    expect(diagnostics[0]!.message).toContain('lengths are 0');
  });

  it('with resync, garbage to the end of the file is reported with its length', () => {
    const b = pcapWith(3);
    const at = b.length;
    b.raw(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    const { records, diagnostics, summary } = readBack(b.build(), { resync: true });
    expect(records).toHaveLength(3);
    expect(diagnostics).toMatchObject([{ code: 'bad-record-header', fileOffset: at, recordNumber: 4, bytesSkipped: 19 }]);
    expect(diagnostics[0]!.message).toContain('reached the end of the input');
    expect(summary.cleanEnd).toBe(false);
  });

  it('the resync scan is linear: a megabyte of near-candidates is crossed at once', () => {
    // Every 16th offset of this garbage reads as a plausible first header (time near the last record, caplen
    // 0x102 <= origlen 0x10001), pointing 274 bytes on, to a misaligned and implausible one: the worst case for
    // the scan, which must look 290 bytes ahead at each of them (often across chunk ends) and still move on.
    const b = pcapWith(2);
    const at = b.length;
    const garbage = Buffer.alloc(1 << 20);
    for (let p = 0; p < garbage.length; p += 16) {
      garbage.writeUInt32LE(1_700_000_001, p);
      garbage.writeUInt32LE(0, p + 4);
      garbage.writeUInt32LE(0x102, p + 8);
      garbage.writeUInt32LE(0x10001, p + 12);
    }
    garbage.writeUInt32LE(0x7fffffff, 8); // the first header is impossible
    b.raw(garbage);
    b.record({ tsSec: 1_700_000_002, tsFrac: 0, data: Buffer.alloc(10) });
    b.record({ tsSec: 1_700_000_003, tsFrac: 0, data: Buffer.alloc(10) });
    const { records, diagnostics } = readBack(b.build(), { resync: true, chunks: [65536, 1000, 3] });
    expect(records.map((r) => r.tsSec)).toEqual([1_700_000_000, 1_700_000_001, 1_700_000_002, 1_700_000_003]);
    expect(diagnostics).toMatchObject([{ code: 'bad-record-header', fileOffset: at, bytesSkipped: garbage.length }]);
  });
});

describe('pcapng damage', () => {
  const cases: [string, (b: PcapngBuilder) => void, string, string][] = [
    ['length not a multiple of 4', (b) => b.epb({ interfaceId: 0, ts: 1n, data: Buffer.alloc(40) }, { totalLength: 74, trailingLength: 72 }), 'bad-block-length', 'not a multiple of 4'],
    ['length too small', (b) => b.epb({ interfaceId: 0, ts: 1n, data: Buffer.alloc(40) }, { totalLength: 8, trailingLength: 72 }), 'bad-block-length', 'too small'],
    ['length over the cap', (b) => b.epb({ interfaceId: 0, ts: 1n, data: Buffer.alloc(40) }, { totalLength: 0x40000000, trailingLength: 72 }), 'bad-block-length', 'over the cap'],
    ['trailing length disagreeing', (b) => b.epb({ interfaceId: 0, ts: 1n, data: Buffer.alloc(40) }, { trailingLength: 76 }), 'block-length-mismatch', 'trailing length 76'],
  ];
  for (const [name, damage, code, text] of cases) {
    it(`${name}: reported, the block skipped, reading resumes at the next block`, () => {
      const b = pcapngWith(3);
      const badAt = b.length;
      damage(b); // a 72-byte EPB with broken lengths
      b.epb({ interfaceId: 0, ts: 99n, data: Buffer.from('after') });
      const nextAt = b.blockOffsets[b.blockOffsets.length - 1]!;
      const { records, diagnostics, summary } = readBack(b.build());
      expect(records.map((r) => r.recordNumber)).toEqual([1, 2, 3, 4]);
      expect(records[3]!.data.toString()).toBe('after');
      expect(records[3]!.fileOffset).toBe(nextAt);
      expect(diagnostics).toMatchObject([{ severity: 'error', code, fileOffset: badAt, recordNumber: 4, bytesSkipped: nextAt - badAt }]);
      expect(diagnostics[0]!.message).toContain(text);
      expect(diagnostics[0]!.message).toContain(`resumed at the next block, offset ${nextAt}`);
      expect(summary.cleanEnd).toBe(true);
    });
  }

  it('a garbage block between blocks', () => {
    const b = pcapngWith(2);
    const at = b.length;
    b.raw(pseudoRandomBytes(1000, 42));
    b.epb({ interfaceId: 0, ts: 5n, data: Buffer.from('x') });
    const { records, diagnostics } = readBack(b.build());
    expect(records).toHaveLength(3);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ fileOffset: at, recordNumber: 3, bytesSkipped: 1000 });
    expect(['bad-block-length', 'block-length-mismatch']).toContain(diagnostics[0]!.code);
  });

  it('garbage to the end of the file', () => {
    const b = pcapngWith(2);
    const at = b.length;
    b.raw(Buffer.alloc(64, 0xff));
    const { records, diagnostics, summary } = readBack(b.build());
    expect(records).toHaveLength(2);
    expect(diagnostics).toMatchObject([{ code: 'bad-block-length', fileOffset: at, recordNumber: 3, bytesSkipped: 64 }]);
    expect(diagnostics[0]!.message).toContain('reached the end of the input');
    expect(summary.cleanEnd).toBe(false);
  });

  it('a truncated last block', () => {
    const b = pcapngWith(4);
    const lastAt = b.blockOffsets[b.blockOffsets.length - 1]!;
    const cut = b.build().subarray(0, lastAt + 30);
    const { records, diagnostics, summary } = readBack(cut);
    expect(records).toHaveLength(3);
    expect(diagnostics).toMatchObject([{ severity: 'error', code: 'truncated-block', fileOffset: lastAt, recordNumber: 4, bytesSkipped: 30 }]);
    expect(summary.cleanEnd).toBe(false);
  });

  it('a packet block whose captured length does not fit is skipped but counted', () => {
    const b = pcapngWith(1);
    const at = b.length;
    b.epb({ interfaceId: 0, ts: 1n, data: Buffer.alloc(40), capturedLengthField: 41 });
    b.epb({ interfaceId: 0, ts: 2n, data: Buffer.alloc(4) });
    const { records, diagnostics } = readBack(b.build());
    expect(records.map((r) => r.recordNumber)).toEqual([1, 3]);
    expect(diagnostics).toMatchObject([{ code: 'bad-captured-length', fileOffset: at, recordNumber: 2 }]);
  });

  it('captured length over original length: warned and delivered', () => {
    const b = pcapngWith(1);
    const at = b.length;
    b.epb({ interfaceId: 0, ts: 1n, data: Buffer.alloc(40), originalLength: 20 });
    const { records, diagnostics } = readBack(b.build());
    expect(records[1]).toMatchObject({ capturedLength: 40, originalLength: 20 });
    expect(diagnostics).toMatchObject([{ severity: 'warning', code: 'caplen-exceeds-origlen', fileOffset: at, recordNumber: 2 }]);
  });

  it('a section header with a bad byte-order magic in the middle is damage', () => {
    const b = pcapngWith(1);
    const at = b.length;
    const shb = new PcapngBuilder().section().build();
    shb.writeUInt32LE(0xdeadbeef, 8);
    b.raw(shb);
    b.epb({ interfaceId: 0, ts: 2n, data: Buffer.alloc(4) });
    const { records, diagnostics } = readBack(b.build());
    expect(records).toHaveLength(2);
    expect(diagnostics).toMatchObject([{ code: 'bad-section-header', fileOffset: at, bytesSkipped: shb.length }]);
  });

  it('an interface option overrunning its block is reported, the interface kept', () => {
    const b = new PcapngBuilder().section();
    const at = b.length;
    b.iface({ linkType: 1, options: [{ code: 9, value: Buffer.from([9]) }] });
    const file = b.epb({ interfaceId: 0, ts: 1_000_000_000n, data: Buffer.alloc(4) }).build();
    file.writeUInt16LE(200, at + 16 + 2); // option length beyond the block
    const { records, diagnostics } = readBack(file);
    expect(records).toMatchObject([{ tsSec: 1000, linkType: 1 }]);
    expect(diagnostics).toMatchObject([{ severity: 'warning', code: 'bad-option', fileOffset: at }]);
  });
});

describe('not a capture', () => {
  const cases: [string, Buffer, string][] = [
    ['empty input', Buffer.alloc(0), 'empty'],
    ['text', Buffer.from('This is not a capture file at all\n'), 'not-a-capture'],
    ['three bytes', Buffer.from([0xd4, 0xc3, 0xb2]), 'truncated-header'],
    ['a pcap magic and a short header', new PcapBuilder().build().subarray(0, 20), 'truncated-header'],
    ['a pcapng type with a bad byte-order magic', Buffer.from('0a0d0d0a1c000000deadbeef0000000000000000000000001c000000', 'hex'), 'not-a-capture'],
    ['a pcapng section header cut short', new PcapngBuilder().section().build().subarray(0, 20), 'truncated-header'],
    ['a pcapng section header with disagreeing lengths', new PcapngBuilder().section({ trailingLength: 32 }).build(), 'not-a-capture'],
    ['gzip bytes given to the push parser', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), 'gzip-not-supported'],
  ];
  for (const [name, bytes, code] of cases) {
    it(`${name}: CaptureError ${code} at offset 0, from push or end, every chunking`, () => {
      for (const chunk of [bytes.length || 1, 1]) {
        const parser = new CaptureParser(() => {}, { sourceName: 'x.pcap' });
        let err: unknown;
        try {
          for (let p = 0; p < bytes.length; p += chunk) parser.push(bytes.subarray(p, p + chunk));
          parser.end();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(CaptureError);
        expect(err).toMatchObject({ code, fileOffset: 0, recordNumber: 0, source: 'x.pcap' });
        expect((err as Error).message).toMatch(/^x\.pcap: /);
        // The parser stays failed rather than pretending to recover.
        expect(() => parser.end()).toThrow(CaptureError);
      }
    });
  }
});
