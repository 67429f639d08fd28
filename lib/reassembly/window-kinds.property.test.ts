import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaptureReadBack } from '../capture/read-back.js';
import type { TcpPacket } from '../decode/packet.js';
import type { AssemblerOptions } from './options.js';
import { c2s, handshake, s2c, setup } from '../../test/support/engine-helpers.js';

/**
 * The delivered-data window has two kinds: runs read back from the capture file, and pages of copied bytes.
 * Fed the same segments (cut, reordered, re-sent with bytes changed, acknowledged at random points), both must
 * find the same conflicts, byte for byte, and count the same checks impossible.
 */

const ISN = 1000;

const scenario = fc.record({
  // Sizes drawn over the whole range (fast-check keeps arrays to about ten elements unless told).
  data: fc.integer({ min: 1, max: 3000 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  cuts: fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 40, maxLength: 40 }),
  // Re-sent stretches: start, length, and which of their bytes (if any) is changed.
  resent: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 600 }), fc.option(fc.double({ min: 0, max: 0.999, noNaN: true }))), { maxLength: 24, size: 'max' }),
  // The sending order: each segment's key (ties keep the order of the data).
  keys: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 80, maxLength: 80 }),
  // Before which transmission the server acknowledges, and up to where (a fraction of the data).
  acks: fc.array(fc.tuple(fc.nat(), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 8, size: 'max' }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

interface Tx {
  start: number;
  bytes: Uint8Array;
}

/** The segments in sending order: the data cut, plus the re-sent stretches (one byte changed in some), shuffled. */
function transmissions(s: Scenario, minCut: number): Tx[] {
  const n = s.data.length;
  const txs: Tx[] = [];
  let i = 0;
  for (let pos = 0; pos < n; i++) {
    const len = Math.min(Math.max(minCut, s.cuts[i % s.cuts.length]!), n - pos);
    txs.push({ start: pos, bytes: s.data.slice(pos, pos + len) });
    pos += len;
  }
  for (const [a, len, changed] of s.resent) {
    const start = a % n;
    const bytes = s.data.slice(start, Math.min(n, start + len));
    if (changed !== null) {
      const at = Math.floor(changed * bytes.length);
      bytes[at] = bytes[at]! ^ 0x5a;
    }
    txs.push({ start, bytes });
  }
  const keyed = txs.map((t, j) => ({ t, k: s.keys[j % s.keys.length]! + j * 1e-6 }));
  keyed.sort((x, y) => x.k - y.k);
  return keyed.map((x) => x.t);
}

/** Feeds the scenario; with `fromFile` every segment's payload is also at its own place in a capture "file". */
function run(s: Scenario, txs: Tx[], opts: Partial<AssemblerOptions>, fromFile: boolean) {
  const env = setup(opts);
  handshake(env.asm, ISN - 1, 0);
  const file = Buffer.alloc(txs.reduce((a, t) => a + t.bytes.length + 16, 0));
  const readBack: CaptureReadBack = {
    readAt: (dst, at, length, position) => file.copy(dst, at, position, Math.min(file.length, position + length)),
  };
  let position = 0;
  for (let j = 0; j < txs.length; j++) {
    for (const [before, upTo] of s.acks) {
      if (before % txs.length === j) env.asm.assemble(s2c(1, '', { ack: ISN + Math.floor(upTo * s.data.length) }));
    }
    const t = txs[j]!;
    const p: TcpPacket = c2s(ISN + t.start, t.bytes, { recordNumber: 10 + j, tsNsec: j, ack: 1 });
    if (fromFile) {
      // 16 bytes of "headers" between payloads, as in a capture.
      position += 16;
      file.set(t.bytes, position);
      p.readBack = readBack;
      p.payloadFileOffset = position;
      position += t.bytes.length;
    }
    env.asm.assemble(p);
  }
  const stream = env.factory.streams[0]!;
  const conn = stream.conn;
  const out = Buffer.from(stream.bytes(0));
  const conflicts = conn.conflicts.map((c) => ({ ...c }));
  const st = conn.stats[0];
  const counts = {
    conflicts: st.conflicts,
    conflictBytes: st.conflictBytes,
    impossible: st.conflictChecksImpossible,
    unchecked: st.conflictUncheckedBytes,
    bytes: st.bytes,
    overlapBytes: st.overlapBytes,
  };
  env.asm.flushAll();
  return { out, conflicts, counts, asm: env.asm.stats };
}

/** Scenarios with conflicts against delivered bytes, and with bytes not checked: the property must meet both. */
const seen = { readBackConflicts: 0, impossible: 0 };

function sameFindings(s: Scenario, minCut: number, opts: Partial<AssemblerOptions>): void {
  const txs = transmissions(s, minCut);
  const read = run(s, txs, opts, true);
  const copied = run(s, txs, opts, false);
  expect(read.out.equals(copied.out)).toBe(true);
  expect(read.conflicts).toEqual(copied.conflicts);
  expect(read.counts).toEqual(copied.counts);
  // Each kind used its own storage only, and gave it all back at the end.
  expect(read.asm.windowPagesPeak).toBe(0);
  expect(copied.asm.windowRunsPeak).toBe(0);
  expect(read.asm.windowRuns).toBe(0);
  expect(copied.asm.windowPages).toBe(0);
  if (read.conflicts.some((c) => c.against === 'delivered')) seen.readBackConflicts++;
  if (read.counts.impossible > 0) seen.impossible++;
}

function expectSeen(): void {
  expect(seen.readBackConflicts).toBeGreaterThan(20);
  expect(seen.impossible).toBeGreaterThan(5);
  seen.readBackConflicts = seen.impossible = 0;
}

describe('property: a window read back from the file finds what a window of copies finds', () => {
  it('the same conflicts and the same unchecked counts, with ACKs trimming the window anywhere', () => {
    fc.assert(fc.property(scenario, (s) => sameFindings(s, 1, {})), { numRuns: 300 });
    expectSeen();
  });

  it('the same with a window of a few hundred bytes, dropping its oldest bytes as new ones come', () => {
    // Cuts of 64 bytes or more keep the runs of a window under a page's 8 descriptors, so that neither kind
    // meets its bound on pieces before the byte bound (where the two bounds differ by design).
    fc.assert(
      fc.property(scenario, fc.integer({ min: 1, max: 500 }), (s, bytes) => sameFindings(s, 64, { deliveredWindowBytes: bytes })),
      { numRuns: 300 },
    );
    expectSeen();
  });
});
