import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { NameHints } from './name-hints.js';
import { flowBaseName, type FlowNameParts } from './naming.js';

const parts = (over: Partial<FlowNameParts> = {}): FlowNameParts => ({
  ipVersion: 4,
  src: [0, 0, 0, 0x0a000001],
  srcPort: 41000,
  dst: [0, 0, 0, 0x0a000002],
  dstPort: 80,
  vlan: -1,
  ...over,
});

describe('name hints', () => {
  it('remember the next count of a name; any other name, even one differing in a single field, has none', () => {
    const h = new NameHints();
    const p = parts();
    expect(h.get(p)).toBe(0);
    h.set(p, 3);
    expect(h.get(parts())).toBe(3); // equal parts in another object
    for (const other of [
      parts({ srcPort: 41001 }),
      parts({ dstPort: 81 }),
      parts({ vlan: 0 }),
      parts({ ipVersion: 6 }),
      parts({ src: [0, 0, 0, 0x0a000002], dst: [0, 0, 0, 0x0a000001] }),
      parts({ srcPort: 80, dstPort: 41000 }),
      parts({ src: [1, 0, 0, 0x0a000001] }),
    ]) {
      expect(h.get(other)).toBe(0);
    }
    h.set(p, 4);
    expect(h.get(p)).toBe(4);
  });

  it('remember every name exactly, however small the table starts (a wrong count would skip free names, a lost one costs probing)', () => {
    const word = fc.constantFrom(0, 1, 0xffffffff, 0x0a000001);
    const arbParts = fc.record({
      ipVersion: fc.constantFrom(4 as const, 6 as const),
      src: fc.tuple(word, word, word, word),
      srcPort: fc.constantFrom(0, 1, 80, 65535),
      dst: fc.tuple(word, word, word, word),
      dstPort: fc.constantFrom(0, 1, 80, 65535),
      vlan: fc.constantFrom(-1, 0, 4095),
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(arbParts, fc.nat(1000)), { maxLength: 50 }), fc.constantFrom(1, 2, 8), (sets, slots) => {
        const h = new NameHints(slots);
        const model = new Map<string, number>();
        // The key of the model is the file name itself (plus the version, as IPv4 names ignore the upper words).
        const key = (p: FlowNameParts) => `${p.ipVersion} ${Array.from(p.src).join()} ${Array.from(p.dst).join()} ${flowBaseName(p)}`;
        for (const [p, n] of sets) {
          h.set(p, n);
          model.set(key(p), n);
          for (const [q] of sets) expect(h.get(q)).toBe(model.get(key(q)) ?? 0);
        }
        expect(h.size).toBe([...model.values()].filter((n) => n > 0).length);
      }),
      { numRuns: 200 },
    );
  });

  it('two 4-tuples that share a hash slot both keep their counts (the quadratic naming of port reuse)', () => {
    const h = new NameHints(2);
    // With two slots every pair collides half the time: alternate 3000 uses of two names, as two reused client ports do.
    const a = parts({ srcPort: 50000 });
    const b = parts({ srcPort: 50001 });
    for (let i = 1; i <= 3000; i++) {
      h.set(a, i + 1);
      h.set(b, i + 1);
      expect(h.get(a)).toBe(i + 1);
      expect(h.get(b)).toBe(i + 1);
    }
    expect(h.size).toBe(2);
  });
});
