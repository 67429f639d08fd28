import { encapsulationText } from '../decode/encapsulation.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Endpoint, HalfStats, type ConnectionInfo, type EndReason } from '../reassembly/index.js';
import { formatAddress } from '../net/address.js';
import { DIRECTION_COUNTERS, ROW_COUNTER_SPECS } from '../schema/counters.js';
import { readRow, ROW_FIELDS, type ConnectionRow } from '../schema/row.js';
import { CONNECTION_STATES, stateWord } from '../schema/states.js';
import { writeRow } from './snapshot.js';

const REASONS = CONNECTION_STATES.map((s) => (s.reason === 'open' ? null : s.reason)) as Array<EndReason | null>;
const NUMERIC_KEYS = DIRECTION_COUNTERS.filter((c) => c.unit !== 'flag').map((c) => c.name);

function halfStats(values: number[], startMissing: boolean): HalfStats {
  const s = new HalfStats();
  const r = s as unknown as Record<string, number>;
  NUMERIC_KEYS.forEach((k, i) => (r[k] = values[i % values.length]!));
  s.startMissing = startMissing;
  return s;
}

/** What the row of `c` must read back as, built from the engine's fields directly (the oracle). */
function expectedRow(c: ConnectionInfo): ConnectionRow {
  const dir = (s: HalfStats) => Object.fromEntries(ROW_COUNTER_SPECS.map((x) => [x.name, (s as unknown as Record<string, unknown>)[x.name]]));
  const c2s = dir(c.stats[0]) as ConnectionRow['c2s'];
  const s2c = dir(c.stats[1]) as ConnectionRow['s2c'];
  return {
    id: c.id,
    ipVersion: c.ipVersion,
    client: formatAddress(c.client.addr, c.ipVersion),
    clientPort: c.client.port,
    server: formatAddress(c.server.addr, c.ipVersion),
    serverPort: c.server.port,
    vlan: c.vlan >= 0 ? c.vlan : null,
    outerVlan: c.outerVlan >= 0 ? c.outerVlan : null,
    encapsulation: c.encap === 0 ? null : encapsulationText(c.encap),
    state: stateWord(c.endReason),
    midStream: c.midStream,
    serverGuessed: c.serverGuessed,
    reuseIndex: c.reuseIndex,
    firstTsSec: c.firstTsSec,
    firstTsNsec: c.firstTsNsec,
    lastTsSec: c.lastTsSec,
    lastTsNsec: c.lastTsNsec,
    conflictsDropped: c.conflictsDropped,
    suspiciousRsts: c.suspiciousRsts,
    peakPages: c2s.pagesPeak + s2c.pagesPeak,
    c2s,
    s2c,
  };
}

function endpoint(words: number[], port: number): Endpoint {
  const e = new Endpoint();
  e.setAddress(words);
  e.port = port;
  return e;
}

const word = fc.integer({ min: 0, max: 0xffffffff });
const counter = fc.oneof(fc.nat(300), fc.nat(), fc.maxSafeNat());

/** A connection as the engine hands it to complete(): any endpoints, flags, times and counters. */
const connectionArb = fc
  .record({
    id: fc.nat(),
    reuseIndex: fc.nat(1000),
    ipVersion: fc.constantFrom<4 | 6>(4, 6),
    client: fc.array(word, { minLength: 4, maxLength: 4 }),
    server: fc.array(word, { minLength: 4, maxLength: 4 }),
    clientPort: fc.nat(65535),
    serverPort: fc.nat(65535),
    vlan: fc.integer({ min: -1, max: 4095 }),
    outerVlan: fc.integer({ min: -1, max: 4095 }),
    encap: fc.constantFrom(0, 1),
    midStream: fc.boolean(),
    serverGuessed: fc.boolean(),
    firstTsSec: fc.integer({ min: -2_000_000_000, max: 4_000_000_000 }),
    firstTsNsec: fc.integer({ min: 0, max: 999_999_999 }),
    lastTsSec: fc.integer({ min: -2_000_000_000, max: 4_000_000_000 }),
    lastTsNsec: fc.integer({ min: 0, max: 999_999_999 }),
    endReason: fc.constantFrom(...REASONS),
    conflictsDropped: fc.nat(),
    suspiciousRsts: fc.nat(),
    c2s: fc.array(counter, { minLength: 1, maxLength: 40 }),
    s2c: fc.array(counter, { minLength: 1, maxLength: 40 }),
    c2sStartMissing: fc.boolean(),
    s2cStartMissing: fc.boolean(),
  })
  .map((r): ConnectionInfo => {
    // IPv4 addresses live in word 3 with words 0..2 zero, as the decoder fills them.
    const words = (w: number[]) => (r.ipVersion === 4 ? [0, 0, 0, w[3]!] : w);
    return {
      id: r.id,
      reuseIndex: r.reuseIndex,
      ipVersion: r.ipVersion,
      vlan: r.vlan,
      outerVlan: r.outerVlan,
      encap: r.encap,
      client: endpoint(words(r.client), r.clientPort),
      server: endpoint(words(r.server), r.serverPort),
      midStream: r.midStream,
      serverGuessed: r.serverGuessed,
      firstTsSec: r.firstTsSec,
      firstTsNsec: r.firstTsNsec,
      lastTsSec: r.lastTsSec,
      lastTsNsec: r.lastTsNsec,
      endReason: r.endReason,
      stats: [halfStats(r.c2s, r.c2sStartMissing), halfStats(r.s2c, r.s2cStartMissing)],
      conflicts: [],
      conflictsDropped: r.conflictsDropped,
      suspiciousRsts: r.suspiciousRsts,
      suspiciousRstRecords: [],
      isn: () => -1,
    } as unknown as ConnectionInfo;
  });

describe('a row written from the engine reads back with every field the engine had', () => {
  it('every field and counter, wherever the row sits', () => {
    fc.assert(
      fc.property(connectionArb, fc.nat(3), (conn, slot) => {
        const a = new Float64Array(4 * ROW_FIELDS).fill(NaN);
        writeRow(a, slot * ROW_FIELDS, conn);
        expect(readRow(a, slot * ROW_FIELDS)).toEqual(expectedRow(conn));
      }),
    );
  });

  it('writes only its own ROW_FIELDS numbers', () => {
    fc.assert(
      fc.property(connectionArb, (conn) => {
        const a = new Float64Array(3 * ROW_FIELDS).fill(-7);
        writeRow(a, ROW_FIELDS, conn);
        expect(a.subarray(0, ROW_FIELDS).every((v) => v === -7)).toBe(true);
        expect(a.subarray(2 * ROW_FIELDS).every((v) => v === -7)).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it('a direction reads back in declaration order, the engine-only counters left out', () => {
    const a = new Float64Array(ROW_FIELDS);
    writeRow(a, 0, [...fc.sample(connectionArb, 1)][0]!);
    expect(Object.keys(readRow(a, 0).c2s)).toEqual(DIRECTION_COUNTERS.filter((c) => c.row).map((c) => c.name));
  });

  it('every state has a distinct word and every end reason a row word', () => {
    expect(new Set(CONNECTION_STATES.map((s) => s.word)).size).toBe(CONNECTION_STATES.length);
    for (const reason of REASONS) expect(CONNECTION_STATES.some((s) => s.word === stateWord(reason))).toBe(true);
  });
});
