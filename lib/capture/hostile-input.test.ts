import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CaptureParser } from './parser.js';
import { PcapBuilder, PcapngBuilder, pseudoRandomBytes, readBack, type ReadBack } from '../../test/support/capture-builder.js';

const digest = (r: ReadBack): unknown => ({
  ...r,
  records: r.records.map((x) => ({ ...x, data: createHash('sha1').update(x.data).digest('hex') })),
});

function validPcap(): Buffer {
  const b = new PcapBuilder({ snaplen: 2048 });
  for (let i = 0; i < 40; i++) b.record({ tsSec: 1_700_000_000 + i, tsFrac: i * 1000, data: pseudoRandomBytes(20 + ((i * 71) % 1500), i + 1) });
  return b.build();
}

function validPcapng(): Buffer {
  const b = new PcapngBuilder().section().iface({ linkType: 1, tsresol: 9 }).iface({ linkType: 113 });
  for (let i = 0; i < 40; i++) {
    if (i === 20) b.section({ byteOrder: 'be' }).iface({ linkType: 101 });
    b.epb({ interfaceId: i < 20 ? i % 2 : 0, ts: BigInt(i) * 1_000_000_001n, data: pseudoRandomBytes(20 + ((i * 71) % 1500), i + 1) });
  }
  return b.build();
}

const CAP = 4096;

/** Damages a copy of the file: overwritten bytes, inserted garbage, a deleted range. */
const mutation = fc.record({
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
  insertAt: fc.nat(),
  insert: fc.uint8Array({ maxLength: 300 }),
  deleteAt: fc.nat(),
  deleteLen: fc.integer({ min: 0, max: 200 }),
  cutTail: fc.integer({ min: 0, max: 50 }),
});

interface Mutation {
  flips: [number, number][];
  insertAt: number;
  insert: Uint8Array;
  deleteAt: number;
  deleteLen: number;
  cutTail: number;
}

function mutate(file: Buffer, m: Mutation, headerLen: number): Buffer {
  const b = Buffer.from(file);
  for (const [at, v] of m.flips) b[headerLen + (at % (b.length - headerLen))] = v;
  const ins = headerLen + (m.insertAt % (b.length - headerLen));
  let out = Buffer.concat([b.subarray(0, ins), Buffer.from(m.insert), b.subarray(ins)]);
  const del = headerLen + (m.deleteAt % (out.length - headerLen));
  out = Buffer.concat([out.subarray(0, del), out.subarray(del + m.deleteLen)]);
  return out.subarray(0, Math.max(headerLen, out.length - m.cutTail));
}

describe('hostile input after a valid header', () => {
  for (const [name, make, headerLen] of [
    ['classic pcap', validPcap, 24],
    ['pcapng', validPcapng, 28 + 20 + 20],
  ] as const) {
    for (const resync of [false, true]) {
      it(`${name}${resync ? ' with resync' : ''}: damaged copies never throw, and read the same in any chunking`, () => {
        const file = make();
        fc.assert(
          fc.property(mutation, fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 8 }), (m, chunks) => {
            const bad = mutate(file, m, headerLen);
            const whole = readBack(bad, { resync, maxRecordLength: CAP });
            const pieces = readBack(bad, { resync, maxRecordLength: CAP, chunks });
            expect(digest(pieces)).toEqual(digest(whole));
            // Every record is well-formed, in order, inside the input.
            let last = -1;
            for (const r of whole.records) {
              expect(r.fileOffset).toBeGreaterThan(last);
              expect(r.fileOffset + r.capturedLength).toBeLessThanOrEqual(bad.length);
              expect(r.capturedLength).toBeLessThanOrEqual(CAP);
              expect(r.tsNsec).toBeGreaterThanOrEqual(0);
              expect(r.tsNsec).toBeLessThan(1e9);
              last = r.fileOffset;
            }
            for (const d of whole.diagnostics) {
              expect(d.fileOffset).toBeGreaterThanOrEqual(0);
              expect(d.fileOffset).toBeLessThanOrEqual(bad.length);
            }
            if (!whole.summary.stoppedOnDamage) expect(whole.summary.bytes).toBe(bad.length);
          }),
          { numRuns: 150 },
        );
      });
    }
  }

  it('pure random bytes after a header: no throw, and the straddle buffer stays within twice the cap', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 40_000 }), fc.boolean(), fc.integer({ min: 1, max: 5000 }), (junk, ng, chunk) => {
        const head = ng ? new PcapngBuilder().section().iface({ linkType: 1 }).build() : new PcapBuilder().build();
        const input = Buffer.concat([head, Buffer.from(junk)]);
        const parser = new CaptureParser(() => {}, { maxRecordLength: CAP, resync: true });
        let peak = 0;
        for (let p = 0; p < input.length; p += chunk) {
          parser.push(input.subarray(p, p + chunk));
          peak = Math.max(peak, (parser as unknown as { pending: Buffer }).pending.length);
        }
        const s = parser.end();
        expect(s.bytes).toBe(input.length);
        expect(peak).toBeLessThanOrEqual(2 * (CAP + 64));
      }),
      { numRuns: 200 },
    );
  });

  it('a huge declared length never makes the reader buffer it', () => {
    const b = new PcapngBuilder().section().iface({ linkType: 1 }).build();
    const evil = Buffer.alloc(12);
    evil.writeUInt32LE(6, 0);
    evil.writeUInt32LE(0xfffffffc, 4);
    const parser = new CaptureParser(() => {});
    const pending = (): number => (parser as unknown as { pending: Buffer }).pending.length;
    parser.push(Buffer.concat([b, evil]));
    let peak = pending();
    for (let i = 0; i < 64; i++) {
      parser.push(Buffer.alloc(65536, 0x5a));
      peak = Math.max(peak, pending());
    }
    const s = parser.end();
    expect(peak).toBeLessThan(65536 * 2);
    expect(s.diagnostics).toEqual({ 'bad-block-length': 1 });
  });
});
