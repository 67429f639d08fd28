import { describe, it, expect } from 'vitest';
import { cut, describe as describeSeed, loadCorpus } from './corpus.js';
import { makeCase, MUTATION_KINDS, type MutationKind } from './mutate.js';
import { runCapture } from './pipeline.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './corpus.js';

// Samples cut to 64 KiB (at a record boundary) keep a case to a few milliseconds; `npm run fuzz` uses whole files.
const corpus = loadCorpus(64 * 1024);

describe('mutation fuzzer (bounded)', () => {
  it('generates the same case for the same seed and index, and different cases otherwise', () => {
    const a = makeCase(corpus, 3, 17);
    const b = makeCase(corpus, 3, 17);
    expect(b.input.equals(a.input)).toBe(true);
    expect(b.detail).toEqual(a.detail);
    const c = makeCase(corpus, 4, 17);
    expect(c.input.equals(a.input) && c.detail.join() === a.detail.join()).toBe(false);
  });

  // 15 kinds x 40 cases = 600 cases, every kind equally, through all three input paths.
  for (const kind of MUTATION_KINDS) {
    it(`${kind}: no throw out of the library, consistent records, offsets within the file, stats add up`, async () => {
      const failures: string[] = [];
      let records = 0;
      for (let i = 0; i < 40; i++) {
        const c = makeCase(corpus, 20251125, i, kind as MutationKind);
        const r = await runCapture(c.input, { via: c.via, seed: i, resync: c.resync, streamLength: c.streamLength });
        records += r.records;
        if (r.crash !== null || r.violations.length > 0) {
          failures.push(`case ${i} ${c.seedName} via ${c.via} [${c.detail.join('; ')}]: ${r.crash ?? r.violations.join(' | ')}`);
        }
      }
      expect(failures).toEqual([]);
      // The cases were not all rejected: the library really read something.
      expect(records).toBeGreaterThan(0);
    });
  }
});

describe('truncation at every record boundary and inside every record', () => {
  // A real capture cut to its first ~24 KiB, in both formats: every prefix must read cleanly up to the cut.
  for (const file of ['samples/ipv4-loss.pcap', 'samples/ipv4-loss.pcapng']) {
    it(`${file}: each prefix delivers exactly the records wholly inside it`, async () => {
      const seed = cut(describeSeed(file, readFileSync(join(repoRoot(), file))), 24 * 1024);
      const ends = seed.records.map((o, i) => (i + 1 < seed.records.length ? seed.records[i + 1]! : seed.bytes.length));
      expect(seed.records.length).toBeGreaterThan(10);
      const points = new Set<number>();
      for (let i = 0; i < seed.records.length; i++) {
        const s = seed.records[i]!;
        points.add(s);
        points.add(s + 1);
        points.add(s + 8); // inside the record header / block header
        points.add(Math.floor((s + ends[i]!) / 2)); // inside the data
        points.add(ends[i]! - 1);
      }
      // A cut at any block / record boundary is a clean end (the first record's start too).
      const clean = new Set<number>([...ends, ...seed.blocks, ...seed.records]);
      const failures: string[] = [];
      for (const p of points) {
        const r = await runCapture(seed.bytes.subarray(0, p), { via: 'parser-whole', seed: p, streamLength: p });
        // Records wholly inside the prefix; a pcapng record also needs its trailing length (block end).
        const expected = ends.filter((e) => e <= p).length;
        if (r.crash !== null || r.violations.length > 0) failures.push(`cut ${p}: ${r.crash ?? r.violations.join(' | ')}`);
        else if (r.records !== expected) failures.push(`cut ${p}: ${r.records} records, expected ${expected}`);
        else if (clean.has(p) !== (r.summary?.cleanEnd ?? false)) failures.push(`cut ${p}: cleanEnd ${r.summary?.cleanEnd}`);
        else if (!clean.has(p) && r.diagnostics === 0) failures.push(`cut ${p}: no diagnostic for a cut record`);
      }
      expect(failures).toEqual([]);
    });
  }
});

describe('memory across many cases', () => {
  it('heap after 150 cases over whole samples is back near where it started (nothing accumulates)', async () => {
    const { heapUsed } = await import('../attacks/harness.js');
    const whole = loadCorpus();
    // Warm up (code, caches), then measure.
    for (let i = 0; i < 10; i++) await runCapture(makeCase(whole, 99, i).input, { via: 'parser-whole', seed: i });
    const before = heapUsed();
    for (let i = 10; i < 160; i++) {
      const c = makeCase(whole, 99, i);
      const r = await runCapture(c.input, { via: c.via, seed: i, resync: c.resync, streamLength: c.streamLength });
      expect(r.crash).toBeNull();
    }
    expect(heapUsed() - before).toBeLessThan(16 * 1024 * 1024);
  });
});

describe('the harness notices what it must', () => {
  const seed = corpus.find((s) => s.name.startsWith('samples/ipv4-loss.pcap'))!;
  it('an exception escaping the library is a crash, with the phase it escaped from', async () => {
    const r = await runCapture(seed.bytes, { via: 'parser-chunks', seed: 1, onSegment: () => { throw new Error('boom'); } });
    expect(r.crash).toMatch(/^inject: Error: boom/);
  });
  it('a packet whose payload lies outside its buffer is a violation', async () => {
    const r = await runCapture(seed.bytes, { via: 'parser-whole', seed: 1, onSegment: (p) => { p.payloadLength = p.payloadBuf.length + 1; p.wireLength = p.payloadLength; } });
    expect(r.violations.join()).toMatch(/payload outside its buffer/);
  });
  it('an offset beyond the stream length is a violation', async () => {
    const r = await runCapture(seed.bytes, { via: 'parser-whole', seed: 1, streamLength: 100 });
    expect(r.violations.join()).toMatch(/beyond stream end 100/);
  });
  it('a clean sample gives no violation, and every byte of the truth reaches the streams', async () => {
    const r = await runCapture(seed.bytes, { via: 'read-stream', seed: 1, streamLength: seed.bytes.length });
    expect(r.crash).toBeNull();
    expect(r.violations).toEqual([]);
    expect(r.records).toBe(seed.records.length);
    expect(r.bytesDelivered).toBeGreaterThan(0);
  });
});
