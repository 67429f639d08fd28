import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AssemblerOptions } from './options.js';
import { c2s, setup, SYN } from '../../test/support/engine-helpers.js';

interface Tx {
  start: number;
  end: number;
}

const scenario = fc.record({
  data: fc.uint8Array({ minLength: 1, maxLength: 3000 }),
  isn: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0xffffffff - 3000, max: 0xffffffff })),
  cuts: fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 40 }),
  drops: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 40 }),
  retrans: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 600 })), { maxLength: 12 }),
  keys: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 80 }),
  synAnywhere: fc.boolean(),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Cuts, drops (1 in 8), adds re-segmented retransmissions and duplicates, and shuffles. */
function transmissions(s: Scenario): Tx[] {
  const n = s.data.length;
  const txs: Tx[] = [];
  let pos = 0;
  let i = 0;
  while (pos < n) {
    const len = Math.min(s.cuts[i % s.cuts.length]!, n - pos);
    if (s.drops[i % s.drops.length] !== 0) txs.push({ start: pos, end: pos + len });
    pos += len;
    i++;
  }
  for (const [a, len] of s.retrans) {
    const start = a % n;
    txs.push({ start, end: Math.min(n, start + len) });
  }
  const keyed = txs.map((t, j) => ({ t, k: s.keys[j % s.keys.length]! + j * 1e-9 }));
  keyed.sort((x, y) => x.k - y.k);
  return keyed.map((x) => x.t);
}

function run(s: Scenario, opts: Partial<AssemblerOptions>, synFirst: boolean) {
  const env = setup(opts);
  const txs = transmissions(s);
  const syn = c2s(s.isn, '', { flags: SYN });
  const synAt = synFirst || !s.synAnywhere ? 0 : Math.floor(s.keys[0]! * (txs.length + 1));
  let rec = 1;
  for (let j = 0; j <= txs.length; j++) {
    if (j === synAt) env.asm.assemble(syn);
    if (j === txs.length) break;
    const t = txs[j]!;
    env.asm.assemble(c2s((s.isn + 1 + t.start) >>> 0, s.data.subarray(t.start, t.end), { recordNumber: rec++ }));
  }
  env.asm.flushAll();
  const covered = new Uint8Array(s.data.length);
  for (const t of txs) covered.fill(1, t.start, t.end);
  return { ...env, txs, covered, stream: env.factory.streams[0]! };
}

/** Places each delivered call at its stream offset; checks skips and that nothing is delivered twice. */
function reconstruct(r: ReturnType<typeof run>, isn: number, n: number) {
  const out = new Int16Array(n).fill(-1);
  let prevEnd = 0;
  let first = true;
  for (const c of r.stream.calls) {
    const fresh = c.bytes.subarray(c.saved);
    const at = (c.seq - ((isn + 1) >>> 0)) >>> 0;
    if (fresh.length === 0) continue;
    if (!first || c.skip >= 0) expect(c.skip).toBe(at - prevEnd);
    expect(at).toBeGreaterThanOrEqual(prevEnd);
    expect(at + fresh.length).toBeLessThanOrEqual(n);
    for (let i = 0; i < fresh.length; i++) out[at + i] = fresh[i]!;
    prevEnd = at + fresh.length;
    first = false;
  }
  return { out, prevEnd };
}

describe('property: random streams cut, reordered, duplicated, re-segmented and partly dropped', () => {
  it('output equals input wherever a copy arrived; missing bytes equal what was dropped inside the stream', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const r = run(s, {}, false);
        const n = s.data.length;
        const { out, prevEnd } = reconstruct(r, s.isn, n);
        // Everything covered is delivered exactly, everything not covered is absent.
        let coveredCount = 0;
        let lastCovered = -1;
        for (let i = 0; i < n; i++) {
          if (r.covered[i]) {
            coveredCount++;
            lastCovered = i;
            expect(out[i]).toBe(s.data[i]);
          } else {
            expect(out[i]).toBe(-1);
          }
        }
        const st = r.stream.conn.stats[0];
        expect(st.bytes).toBe(coveredCount);
        expect(prevEnd).toBe(lastCovered + 1);
        const droppedInside = lastCovered + 1 - coveredCount;
        expect(st.missingBytes).toBe(droppedInside);
        expect(st.conflicts).toBe(0);
        // Each byte sent again overlaps exactly once (1-byte keep-alive look-alikes aside).
        const sent = r.txs.reduce((a, t) => a + t.end - t.start, 0);
        expect(st.overlapBytes + st.keepAlives).toBe(sent - coveredCount);
        expect(r.asm.stats.bufferedPages).toBe(0);
        expect(r.asm.stats.windowPages).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('with tiny pages and tight limits: never a wrong or shifted byte, every byte delivered or counted missing', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 12 }), (s, perConn, total) => {
        const r = run(s, { pageSize: 64, maxBufferedPagesPerConnection: perConn, maxBufferedPagesTotal: total, deliveredWindowBytes: 100 }, true);
        const n = s.data.length;
        const { out, prevEnd } = reconstruct(r, s.isn, n);
        let delivered = 0;
        for (let i = 0; i < n; i++) {
          if (out[i] !== -1) {
            delivered++;
            expect(out[i]).toBe(s.data[i]);
          }
        }
        const st = r.stream.conn.stats[0];
        expect(st.bytes).toBe(delivered);
        expect(st.bytes + st.missingBytes).toBe(prevEnd);
        expect(st.conflicts).toBe(0);
        expect(r.asm.stats.bufferedPagesPeak).toBeLessThanOrEqual(Math.max(perConn, total) + Math.ceil(400 / 64) + 1);
        expect(r.asm.stats.bufferedPages).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('with a FIN sent after the data (in any order): the direction ends once, after all data', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const env = setup();
        const n = s.data.length;
        const txs = transmissions({ ...s, drops: [1] });
        // keys[0] may be exactly 1: clamp so the FIN is always sent (at the end at the latest).
        const finAt = Math.min(txs.length, Math.floor(s.keys[0]! * (txs.length + 1)));
        env.asm.assemble(c2s(s.isn, '', { flags: SYN }));
        for (let j = 0; j <= txs.length; j++) {
          if (j === finAt) env.asm.assemble(c2s((s.isn + 1 + n) >>> 0, '', { flags: 0x11 }));
          if (j === txs.length) break;
          const t = txs[j]!;
          env.asm.assemble(c2s((s.isn + 1 + t.start) >>> 0, s.data.subarray(t.start, t.end)));
        }
        const st = env.factory.streams[0]!;
        expect(Buffer.compare(st.bytes(0), Buffer.from(s.data))).toBe(0);
        const ends = st.calls.filter((c) => c.end);
        expect(ends).toHaveLength(1);
        expect(st.calls.at(-1)!.end).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
