import { describe, it, expect } from 'vitest';
import { HalfStats, Endpoint, type ConnectionInfo } from '../reassembly/index.js';
import { ROW_FIELDS, type ConnectionRow } from '../schema/row.js';
import { BLOCK_ROWS, NumberColumn } from './number-column.js';
import { ConnectionRowStore } from './row-store.js';
import { ConnectionRowView } from './row-view.js';
import { writeRow } from './snapshot.js';
import fc from 'fast-check';

describe('a column keeps every number exactly, in as few bytes as its values allow', () => {
  it('widens a block only as far as needed and never rounds', () => {
    const values = [0, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -1, 0.5, -0, 1e300];
    const c = new NumberColumn();
    values.forEach((v, i) => c.set(i, v));
    values.forEach((v, i) => expect(c.get(i) === v).toBe(true)); // -0 may come back as 0: the same number in JSON and CSV
  });

  it('small counters cost one byte a row, across blocks', () => {
    const c = new NumberColumn();
    for (let i = 0; i < 3 * BLOCK_ROWS; i++) c.set(i, i % 200);
    expect(c.bytes).toBe(3 * BLOCK_ROWS);
    c.set(3 * BLOCK_ROWS, 70000); // a fourth block: one value so far, no array
    expect(c.bytes).toBe(3 * BLOCK_ROWS);
    c.set(3 * BLOCK_ROWS + 1, 1); // now 32 bits for it; the others stay narrow
    expect(c.bytes).toBe(3 * BLOCK_ROWS + 4 * BLOCK_ROWS);
    expect(c.get(3 * BLOCK_ROWS)).toBe(70000);
    expect(c.get(BLOCK_ROWS + 5)).toBe((BLOCK_ROWS + 5) % 200);
  });

  it('random values round-trip', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat(), fc.integer(), fc.double({ noNaN: true }), fc.maxSafeNat()), { maxLength: 200 }), (vs) => {
        const c = new NumberColumn();
        vs.forEach((v, i) => c.set(i, v));
        vs.forEach((v, i) => expect(Object.is(c.get(i), v) || (v === 0 && c.get(i) === 0)).toBe(true));
      }),
    );
  });
});

/** An ended connection as the engine gives it; `seed` varies its counters, addresses, flags and state. */
function engineConnection(id: number, seed: number): ConnectionInfo {
  const c2s = new HalfStats();
  const s2c = new HalfStats();
  c2s.packets = seed * 3;
  c2s.bytes = seed * 70_001;
  c2s.pagesPeak = seed % 5;
  s2c.wireBytes = 2 ** 33 + seed; // past 32 bits: its block widens to Float64
  s2c.pagesPeak = 2;
  s2c.startMissing = seed % 2 === 1;
  const client = new Endpoint();
  const server = new Endpoint();
  const v6 = seed % 4 === 3;
  client.setAddress(v6 ? [0xfd000000, 0, 0, seed] : [0, 0, 0, 0x0a000000 + seed]);
  server.setAddress(v6 ? [0x20010db8, 0, 0xffff, 1] : [0, 0, 0, 0xc0a80102]);
  client.port = 1024 + seed;
  server.port = 443;
  const reasons = ['closed', 'reset', 'interrupted', 'open-at-end', 'timed-out'] as const;
  return {
    id, reuseIndex: seed % 2, ipVersion: v6 ? 6 : 4, vlan: seed % 3 === 0 ? -1 : seed % 4096, outerVlan: seed % 7 === 0 ? 4095 : -1,
    client, server, midStream: seed % 2 === 0, serverGuessed: seed % 3 === 1,
    firstTsSec: seed % 11 === 0 ? -5 : 1_700_000_000 + seed, firstTsNsec: 999_999_999, lastTsSec: 1_700_000_100 + seed, lastTsNsec: seed,
    endReason: reasons[seed % reasons.length], stats: [c2s, s2c], conflicts: [], conflictsDropped: seed % 9, suspiciousRsts: seed % 5, isn: () => -1,
  } as unknown as ConnectionInfo;
}

/** Pushes `n` engine rows into a store; returns the store and what each view showed. */
function fill(n: number, seedOf: (i: number) => number): { store: ConnectionRowStore; want: ConnectionRow[] } {
  const store = new ConnectionRowStore();
  const values = new Float64Array(ROW_FIELDS);
  const view = new ConnectionRowView();
  const want: ConnectionRow[] = [];
  for (let i = 0; i < n; i++) {
    writeRow(values, 0, engineConnection(i, seedOf(i)));
    view.point(values, 0);
    want.push(view.report());
    store.pushRow(view);
  }
  return { store, want };
}

describe('the row store gives back each row as the pipeline handed it over, without text', () => {
  it('pushRow(view) then get(i) equals view.report(): every field, key order included', () => {
    const { store, want } = fill(300, (i) => i * 37);
    expect(store.length).toBe(want.length);
    // VLAN 0 and 4095, none (-1), IPv6, negative times, 2^33 counters and every state come back exact.
    expect(new Set(want.map((r) => r.state))).toEqual(new Set(['closed', 'reset', 'interrupted', 'open at end', 'timed out']));
    expect(want.some((r) => r.vlan === null) && want.some((r) => r.outerVlan === 4095) && want.some((r) => r.ipVersion === 6)).toBe(true);
    want.forEach((r, i) => expect(JSON.stringify(store.get(i))).toBe(JSON.stringify(r)));
  });

  it('costs far less than the objects: under 200 bytes a typical row', () => {
    const n = 2 * BLOCK_ROWS;
    const { store, want } = fill(n, (i) => (i % 50) * 4);
    expect(store.bytes / n).toBeLessThan(200);
    expect(store.get(n - 1)).toEqual(want[n - 1]);
  });
});
