/**
 * What a conflict keeps of the bytes: a sample of both copies around the first difference, and, with
 * keepLosingCopies, the whole copy the stream does not hold. Checked by hand-built cases and by a property: a
 * stream cut at random, then a retransmission of a random range with random bytes changed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OverlapEvent } from './stream.js';
import { c2s, handshake, setup } from '../../test/support/engine-helpers.js';

interface Seen {
  seq: number;
  length: number;
  losing: string | undefined;
  oldSample: string;
  newSample: string;
  sampleSeq: number;
  winner: string;
}

function watch(keepLosingCopies: boolean) {
  const env = setup({ keepLosingCopies });
  const seen: Seen[] = [];
  env.asm.observer = {
    onOverlap: (ev: OverlapEvent) => {
      if (ev.kind !== 'conflict') return;
      const r = ev.conflict!;
      seen.push({ seq: r.seq, length: r.length, losing: ev.losingCopy?.toString('latin1'), oldSample: r.oldSample.toString('latin1'), newSample: r.newSample.toString('latin1'), sampleSeq: r.sampleSeq, winner: r.winner });
    },
  };
  handshake(env.asm, 0, 0);
  return { ...env, seen };
}

describe('conflict samples and losing copies', () => {
  it('against delivered data: the new copy loses; the sample starts 16 bytes before the first difference', () => {
    const w = watch(true);
    const first = 'A'.repeat(40) + 'evidence' + 'Z'.repeat(52); // 100 bytes at seq 1
    const second = 'A'.repeat(40) + 'tampered' + 'Z'.repeat(52);
    w.asm.assemble(c2s(1, first, { ack: 1 }));
    w.asm.assemble(c2s(1, second, { ack: 1 }));
    expect(w.seen).toHaveLength(1);
    const s = w.seen[0]!;
    expect(s).toMatchObject({ seq: 1, length: 100, winner: 'old', sampleSeq: 1 + 24, losing: second });
    expect(s.oldSample).toBe(first.slice(24, 88));
    expect(s.newSample).toBe(second.slice(24, 88));
    expect(w.factory.streams[0]!.bytes(0).toString('latin1')).toBe(first);
  });

  it('against buffered data: the old copy loses, the stream holds the new one', () => {
    const w = watch(true);
    w.asm.assemble(c2s(11, 'old-tail', { ack: 1 }));
    w.asm.assemble(c2s(11, 'NEW-TAIL', { ack: 1 }));
    w.asm.assemble(c2s(1, '0123456789', { ack: 1 }));
    expect(w.seen).toEqual([expect.objectContaining({ seq: 11, length: 8, winner: 'new', losing: 'old-tail', oldSample: 'old-tail', newSample: 'NEW-TAIL', sampleSeq: 11 })]);
    expect(w.factory.streams[0]!.bytes(0).toString()).toBe('0123456789NEW-TAIL');
  });

  it('without keepLosingCopies the event has no losing copy, the record still its samples', () => {
    const w = watch(false);
    w.asm.assemble(c2s(1, 'abcdef', { ack: 1 }));
    w.asm.assemble(c2s(1, 'abcXef', { ack: 1 }));
    expect(w.seen).toEqual([expect.objectContaining({ losing: undefined, oldSample: 'abcdef', newSample: 'abcXef', sampleSeq: 1 })]);
  });

  it('property: each losing copy is the retransmission over its record range; samples are both copies there', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 50, maxLength: 6000 }),
        fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 30 }),
        fc.nat(),
        fc.nat(),
        fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
        (data, cuts, a, b, flips) => {
          const w = watch(true);
          const stream = Buffer.from(data);
          // The stream, delivered in order in random segment sizes.
          for (let at = 0, k = 0; at < stream.length; k++) {
            const len = Math.min(cuts[k % cuts.length]!, stream.length - at);
            w.asm.assemble(c2s(1 + at, stream.subarray(at, at + len), { ack: 1, recordNumber: 10 + k }));
            at += len;
          }
          // A retransmission of [from, to) with some bytes changed; at least 2 bytes (1 byte just below the
          // next sequence number is a keep-alive probe, which the engine rightly ignores).
          const from = a % (stream.length - 1);
          const to = Math.min(stream.length, from + 2 + (b % 3000));
          const again = Buffer.from(stream.subarray(from, to));
          for (const f of flips) again[f % again.length] = again[f % again.length]! ^ 0x5a;
          w.asm.assemble(c2s(1 + from, again, { ack: 1, recordNumber: 999 }));
          expect(w.factory.streams[0]!.bytes(0).equals(stream)).toBe(true);
          let conflicted = 0;
          for (const s of w.seen) {
            const off = s.seq - 1 - from;
            expect(s.losing).toBe(again.subarray(off, off + s.length).toString('latin1'));
            const so = s.sampleSeq - 1;
            expect(s.oldSample).toBe(stream.subarray(so, so + s.oldSample.length).toString('latin1'));
            expect(s.newSample).toBe(again.subarray(so - from, so - from + s.newSample.length).toString('latin1'));
            expect(s.oldSample.length).toBeLessThanOrEqual(64);
            expect(s.oldSample).not.toBe(s.newSample);
            conflicted += s.length;
          }
          // Every changed byte lies in some record (the delivered window holds the whole stream here).
          for (let i = 0; i < again.length; i++) {
            if (again[i] === stream[from + i]) continue;
            const seq = 1 + from + i;
            expect(w.seen.some((s) => seq >= s.seq && seq < s.seq + s.length)).toBe(true);
          }
          expect(conflicted).toBeLessThanOrEqual(again.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
