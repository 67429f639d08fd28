import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { PcapBuilder, PcapngBuilder, pseudoRandomBytes, readBack, type ReadBack } from '../../test/support/capture-builder.js';

/** The read with record bytes replaced by their hash: deep equality over big Buffers is slow in expect. */
function digest(r: ReadBack): unknown {
  return { ...r, records: r.records.map((x) => ({ ...x, data: createHash('sha256').update(x.data).digest('hex') })) };
}

function pcapFile(): Buffer {
  const b = new PcapBuilder({ nanosecond: true, byteOrder: 'be' });
  for (let i = 0; i < 30; i++) {
    const len = i === 7 ? 100_000 : (i * 97) % 1600;
    b.record({ tsSec: 1_700_000_000 + i, tsFrac: i * 33_333_333, data: pseudoRandomBytes(len, i + 1), originalLength: len + (i % 3) + 1 });
  }
  return b.build();
}

function pcapngFile(): Buffer {
  const b = new PcapngBuilder().section().iface({ linkType: 1, tsresol: 9 }).iface({ linkType: 113 });
  for (let i = 0; i < 20; i++) {
    if (i === 10) b.section({ byteOrder: 'be' }).iface({ linkType: 101, tsresol: 0x80 | 24 }).iface({ linkType: 1 });
    if (i % 5 === 4) b.block(0x77777777, pseudoRandomBytes(i * 3, 100 + i));
    const len = i === 3 ? 80_000 : (i * 131) % 1500;
    b.epb({ interfaceId: i % 2, ts: 1_700_000_000_000_000_000n + BigInt(i) * 123_456_789n, data: pseudoRandomBytes(len, i + 1) });
    if (i % 4 === 1) b.spb({ data: pseudoRandomBytes(i, 200 + i) });
  }
  return b.build();
}

/** Classic pcap with garbage between records and a zero-filled hole: read with resync. */
function damagedPcap(): Buffer {
  const b = new PcapBuilder();
  for (let i = 0; i < 12; i++) {
    if (i === 4) b.raw(Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]));
    if (i === 8) b.raw(Buffer.alloc(333));
    b.record({ tsSec: 1000 + i, tsFrac: i, data: pseudoRandomBytes(100 + i * 50, i + 1) });
  }
  return b.build();
}

/** pcapng with a garbage run, a block with a wrong trailing length and a length over the cap. */
function damagedPcapng(): Buffer {
  const b = new PcapngBuilder().section().iface({ linkType: 1 });
  for (let i = 0; i < 12; i++) {
    if (i === 3) b.raw(pseudoRandomBytes(400, 9));
    if (i === 6) b.epb({ interfaceId: 0, ts: 5n, data: Buffer.alloc(40) }, { trailingLength: 4 });
    if (i === 9) b.epb({ interfaceId: 0, ts: 6n, data: Buffer.alloc(40) }, { totalLength: 0x7ffffff0 });
    b.epb({ interfaceId: 0, ts: BigInt(i) * 1000n, data: pseudoRandomBytes(64 + i, i + 1) });
  }
  return b.build();
}

/** Name, file, resync, records expected. */
const FILES: [string, () => Buffer, boolean, number][] = [
  ['classic pcap with a 100 KB record', pcapFile, false, 30],
  ['pcapng with sections, unknown blocks and an 80 KB block', pcapngFile, false, 25],
  ['damaged classic pcap read with resync', damagedPcap, true, 12],
  ['damaged classic pcap read without resync (stops)', damagedPcap, false, 4],
  ['damaged pcapng', damagedPcapng, false, 12],
];

describe('every chunking of the same file gives the same records and diagnostics', () => {
  for (const [name, make, resync, count] of FILES) {
    describe(name, () => {
      const file = make();
      const whole = digest(readBack(file, { resync }));

      it('reads something and (damaged files) reports the damage', () => {
        const r = readBack(file, { resync });
        expect(r.records).toHaveLength(count);
        expect(r.diagnostics.length > 0).toBe(resync || name.startsWith('damaged'));
      });

      it('one byte at a time', () => {
        expect(digest(readBack(file, { resync, chunks: [1] }))).toEqual(whole);
      });

      it('random chunk sizes', () => {
        fc.assert(
          fc.property(fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 40 }), (chunks) => {
            expect(digest(readBack(file, { resync, chunks }))).toEqual(whole);
          }),
          { numRuns: 40 },
        );
      });
    });
  }

  it('the damaged files lose nothing but the damage', () => {
    const pcap = readBack(damagedPcap(), { resync: true });
    expect(pcap.records.map((r) => r.tsSec)).toEqual(Array.from({ length: 12 }, (_, i) => 1000 + i));
    expect(pcap.diagnostics.map((d) => [d.code, d.bytesSkipped])).toEqual([
      ['bad-record-header', 17],
      ['bad-record-header', 333],
    ]);
    const ng = readBack(damagedPcapng());
    expect(ng.records.map((r) => r.capturedLength)).toEqual(Array.from({ length: 12 }, (_, i) => 64 + i));
    expect(ng.diagnostics.map((d) => [d.code, d.bytesSkipped])).toEqual([
      ['bad-block-length', 400],
      ['block-length-mismatch', 72],
      ['bad-block-length', 72],
    ]);
  });
});
