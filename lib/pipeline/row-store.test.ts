import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { HalfStats } from '../reassembly/index.js';
import { BLOCK_ROWS, NumberColumn } from './number-column.js';
import { ConnectionRowStore } from './row-store.js';
import { directionReport, type ConnectionReport } from './rows.js';
import { Endpoint, type ConnectionInfo } from '../reassembly/index.js';
import { ROW_FIELDS, stateCode, writeRow } from './row-layout.js';
import { ConnectionRowView } from './row-view.js';

function report(id: number, over: Partial<ConnectionReport> = {}, seed = id): ConnectionReport {
  const s = new HalfStats();
  const c2s = directionReport(s);
  const s2c = { ...directionReport(s), packets: seed * 7, bytes: seed * 1_000_003, startMissing: seed % 2 === 0 };
  return {
    id,
    ipVersion: 4,
    client: `10.0.${id & 255}.1`,
    clientPort: 1024 + (id % 60000),
    server: '192.168.1.2',
    serverPort: 443,
    vlan: null,
    outerVlan: null,
    state: 'complete',
    midStream: false,
    serverGuessed: id % 3 === 0,
    reuseIndex: 0,
    firstTsSec: 1_700_000_000 + id,
    firstTsNsec: 999_999_999,
    lastTsSec: 1_700_000_100 + id,
    lastTsNsec: 0,
    peakPages: 3,
    conflictsDropped: 0,
    suspiciousRsts: id % 5,
    c2s,
    s2c,
    ...over,
  };
}

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
    c.set(3 * BLOCK_ROWS, 70000); // a fourth block, widened to 32 bits; the others stay narrow
    expect(c.bytes).toBe(3 * BLOCK_ROWS + 4 * BLOCK_ROWS);
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

describe('the row store gives back each row as it was pushed', () => {
  it('every field, key order included (JSON output is the same)', () => {
    const rows = [
      report(0),
      report(1, { ipVersion: 6, client: 'fd00::1', server: '2001:db8::ffff:1', vlan: 0, outerVlan: 4095, state: 'open at end', midStream: true }),
      report(2, { firstTsSec: -5, firstTsNsec: 250_000_000, reuseIndex: 300, peakPages: 2 ** 40 }),
      report(3, { client: '::ffff:10.1.2.3', ipVersion: 6, state: 'interrupted', conflictsDropped: 7 }),
      report(4, { client: 'not an address' }), // never from the engine; kept as given all the same
    ];
    const store = new ConnectionRowStore();
    for (const r of rows) store.push(r);
    expect(store.length).toBe(rows.length);
    rows.forEach((r, i) => {
      expect(store.get(i)).toEqual(r);
      expect(JSON.stringify(store.get(i))).toBe(JSON.stringify(r));
    });
  });

  it('costs far less than the objects: under 200 bytes a typical row', () => {
    const store = new ConnectionRowStore();
    const n = 2 * BLOCK_ROWS;
    for (let i = 0; i < n; i++) store.push(report(i, {}, i % 50));
    expect(store.bytes / n).toBeLessThan(200);
    expect(store.get(n - 1)).toEqual(report(n - 1, {}, (n - 1) % 50));
  });
});

/** An ended connection as the engine gives it; `seed` varies its counters, addresses and flags. */
function engineConnection(id: number, seed: number): ConnectionInfo {
  const c2s = new HalfStats();
  const s2c = new HalfStats();
  c2s.packets = seed * 3;
  c2s.bytesDelivered = seed * 70_001;
  c2s.pagesPeak = seed % 5;
  s2c.bytes = 2 ** 33 + seed; // past 32 bits: its block widens to Float64
  s2c.pagesPeak = 2;
  s2c.startMissing = seed % 2 === 1;
  const client = new Endpoint();
  const server = new Endpoint();
  const v6 = seed % 4 === 3;
  client.addr.set(v6 ? [0xfd000000, 0, 0, seed] : [0, 0, 0, 0x0a000000 + seed]);
  server.addr.set(v6 ? [0x20010db8, 0, 0xffff, 1] : [0, 0, 0, 0xc0a80102]);
  client.port = 1024 + seed;
  server.port = 443;
  return {
    id, reuseIndex: seed % 2, ipVersion: v6 ? 6 : 4, vlan: seed % 3 === 0 ? -1 : seed % 4096, outerVlan: seed % 7 === 0 ? 4095 : -1,
    client, server, midStream: seed % 2 === 0, serverGuessed: seed % 3 === 1,
    firstTsSec: 1_700_000_000 + seed, firstTsNsec: 999_999_999, lastTsSec: 1_700_000_100 + seed, lastTsNsec: seed,
    endReason: seed % 5 === 0 ? 'reset' : 'complete', stats: [c2s, s2c], conflicts: [], conflictsDropped: seed % 9, isn: () => -1,
  } as unknown as ConnectionInfo;
}

describe('rows handed out by the pipeline go into the store without text', () => {
  it('pushRow(view) stores what the view shows: get() equals view.report(), key order included', () => {
    const store = new ConnectionRowStore();
    const values = new Float64Array(ROW_FIELDS);
    const view = new ConnectionRowView();
    const want: ConnectionReport[] = [];
    for (let i = 0; i < 300; i++) {
      const conn = engineConnection(i, i * 37);
      writeRow(values, 0, conn, stateCode(conn.endReason, false));
      view.point(values, 0);
      want.push(view.report());
      store.pushRow(view);
    }
    // Mixed with report objects pushed as such: both kinds come back as given.
    store.push(report(300, { state: 'some other state' }));
    want.push(report(300, { state: 'some other state' }));
    expect(store.length).toBe(want.length);
    want.forEach((r, i) => expect(JSON.stringify(store.get(i))).toBe(JSON.stringify(r)));
  });
});
