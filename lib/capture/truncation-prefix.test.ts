import { describe, expect, it } from 'vitest';
import { CaptureError } from './errors.js';
import { PcapBuilder, PcapngBuilder, pseudoRandomBytes, readBack, type ReadBack } from '../../test/support/capture-builder.js';

function pcapFile(): { file: Buffer; starts: number[]; headerEnd: number } {
  const b = new PcapBuilder({ nanosecond: true });
  for (let i = 0; i < 8; i++) b.record({ tsSec: 100 + i, tsFrac: i, data: pseudoRandomBytes(i * 11 + 1, i + 1) });
  return { file: b.build(), starts: b.recordOffsets, headerEnd: 24 };
}

function pcapngFile(): { file: Buffer; starts: number[]; headerEnd: number } {
  const b = new PcapngBuilder().section().iface({ linkType: 1, name: 'eth0', tsresol: 9 });
  b.block(0x99, Buffer.alloc(8));
  for (let i = 0; i < 6; i++) {
    if (i === 3) b.section({ byteOrder: 'be' }).iface({ linkType: 113 });
    b.epb({ interfaceId: 0, ts: BigInt(i) * 1_000_000_007n, data: pseudoRandomBytes(i * 13, i + 1) });
  }
  b.spb({ data: Buffer.from('tail') });
  return { file: b.build(), starts: b.blockOffsets, headerEnd: b.blockOffsets[1]! };
}

function read(file: Buffer, resync: boolean): ReadBack | CaptureError {
  try {
    return readBack(file, { resync });
  } catch (e) {
    if (e instanceof CaptureError) return e;
    throw e;
  }
}

describe('a file cut at every byte offset', () => {
  for (const [name, make] of [
    ['classic pcap', pcapFile],
    ['pcapng', pcapngFile],
  ] as const) {
    for (const resync of [false, true]) {
      it(`${name}${resync ? ' (resync on)' : ''}: never throws past the header, delivers a prefix, reports the cut`, () => {
        const { file, starts, headerEnd } = make();
        const full = readBack(file, { resync }).records;
        for (let cut = 0; cut <= file.length; cut++) {
          const r = read(file.subarray(0, cut), resync);
          if (cut < headerEnd) {
            // Inside the file header (pcapng: the first section header block) the input is not a capture yet.
            expect(r, `cut ${cut}`).toBeInstanceOf(CaptureError);
            expect((r as CaptureError).code).toBe(cut === 0 ? 'empty' : 'truncated-header');
            continue;
          }
          expect(r, `cut ${cut}`).not.toBeInstanceOf(CaptureError);
          const { records, diagnostics, summary } = r as ReadBack;
          expect(records, `cut ${cut}`).toEqual(full.slice(0, records.length));
          expect(summary.bytes).toBe(cut);
          const boundary = cut === file.length || starts.includes(cut) || cut === headerEnd;
          if (boundary) {
            expect(diagnostics, `cut ${cut}`).toEqual([]);
            expect(summary.cleanEnd).toBe(true);
          } else {
            // The unit cut short is the last one starting before the cut.
            const unitStart = starts.filter((s) => s < cut).pop()!;
            expect(diagnostics, `cut ${cut}`).toHaveLength(1);
            expect(diagnostics[0], `cut ${cut}`).toMatchObject({
              code: name === 'pcapng' ? 'truncated-block' : 'truncated-record',
              fileOffset: unitStart,
              recordNumber: records.length + 1,
              bytesSkipped: cut - unitStart,
            });
            expect(summary.cleanEnd).toBe(false);
          }
        }
      });
    }
  }
});
