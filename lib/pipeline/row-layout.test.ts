import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Endpoint, HalfStats, type ConnectionInfo, type EndReason } from '../reassembly/index.js';
import { DIRECTION_FIELDS, DIRECTION_KEYS, readRow, ROW_FIELDS, STATE_WORDS, stateCode, writeRow } from './row-layout.js';
import { connectionReport, directionReport } from './rows.js';
import { stateText } from './state.js';

const REASONS: Array<EndReason | null> = [null, 'complete', 'reset', 'timed-out', 'open-at-end', 'evicted', 'superseded'];
const NUMERIC_KEYS = Object.keys(new HalfStats()).filter((k) => typeof (new HalfStats() as unknown as Record<string, unknown>)[k] === 'number');

function halfStats(values: number[], startMissing: boolean): HalfStats {
  const s = new HalfStats();
  const r = s as unknown as Record<string, number>;
  NUMERIC_KEYS.forEach((k, i) => (r[k] = values[i % values.length]!));
  s.startMissing = startMissing;
  return s;
}

function endpoint(words: number[], port: number): Endpoint {
  const e = new Endpoint();
  e.addr.set(words);
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

describe('a row written from the engine reads back as the report object connectionReport builds', () => {
  it('every field, key order included (JSON output is the same), wherever the row sits', () => {
    fc.assert(
      fc.property(connectionArb, fc.boolean(), fc.nat(3), (conn, interrupted, slot) => {
        const a = new Float64Array(4 * ROW_FIELDS).fill(NaN);
        writeRow(a, slot * ROW_FIELDS, conn, stateCode(conn.endReason, interrupted));
        const want = connectionReport(conn, stateText(conn.endReason, interrupted));
        const got = readRow(a, slot * ROW_FIELDS);
        expect(JSON.stringify(got)).toBe(JSON.stringify(want));
        expect(got).toEqual(want);
      }),
    );
  });

  it('writes only its own ROW_FIELDS numbers', () => {
    fc.assert(
      fc.property(connectionArb, (conn) => {
        const a = new Float64Array(3 * ROW_FIELDS).fill(-7);
        writeRow(a, ROW_FIELDS, conn, 1);
        expect(a.subarray(0, ROW_FIELDS).every((v) => v === -7)).toBe(true);
        expect(a.subarray(2 * ROW_FIELDS).every((v) => v === -7)).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it('carries every engine counter of a direction under its report name, and the connection\'s suspicious RSTs', () => {
    // Report names that differ from the engine's; the rest are the same word.
    const renamed: Record<string, string> = { bytes: 'wireBytes', bytesDelivered: 'bytes', bytesMissing: 'missingBytes' };
    // Not reported, on purpose: pages held at the moment the row is written (0 once a connection has ended), and
    // kept bytes (no pipeline command keeps data, so it is always 0). A new HalfStats counter fails here until it
    // is reported or listed.
    const notReported = new Set(['pagesInUse', 'keptBytesDropped']);
    const engineKeys = Object.keys(new HalfStats()).filter((k) => !notReported.has(k));
    expect([...DIRECTION_KEYS].sort()).toEqual(engineKeys.map((k) => renamed[k] ?? k).sort());
    expect(DIRECTION_KEYS.length).toBe(DIRECTION_FIELDS);
    expect(Object.keys(directionReport(new HalfStats()))).toEqual([...DIRECTION_KEYS]);
    fc.assert(
      fc.property(connectionArb, (conn) => {
        const a = new Float64Array(ROW_FIELDS);
        writeRow(a, 0, conn, 1);
        const got = readRow(a, 0);
        expect(got.suspiciousRsts).toBe(conn.suspiciousRsts);
        for (const d of [0, 1] as const) {
          const s = conn.stats[d];
          const r = d === 0 ? got.c2s : got.s2c;
          expect(r.rstIgnored).toBe(s.rstIgnored);
          expect(r.outOfWindowPackets).toBe(s.outOfWindowPackets);
          expect(r.outOfWindowBytes).toBe(s.outOfWindowBytes);
          for (const k of engineKeys) {
            const v = (s as unknown as Record<string, number | boolean>)[k];
            expect((r as unknown as Record<string, number | boolean>)[renamed[k] ?? k]).toBe(v);
          }
        }
      }),
      { numRuns: 50 },
    );
  });

  it('state codes name the same words stateText gives, for every end reason, interrupted or not', () => {
    for (const reason of REASONS) {
      for (const interrupted of [false, true]) {
        expect(STATE_WORDS[stateCode(reason, interrupted)]).toBe(stateText(reason, interrupted));
      }
    }
  });
});
