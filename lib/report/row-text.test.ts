import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { streamAnalyze } from '../pipeline/index.js';
import { ROW_COUNTER_SPECS } from '../schema/counters.js';
import { CONNECTION_FIELDS, F_C2S, F_S2C, FIELD_OFFSET, readRow, ROW_FIELDS } from '../schema/row.js';
import { STATE_WORDS } from '../schema/states.js';
import { CONNECTION_CSV_COLUMNS, connectionJson } from './connection-columns.js';
import { csvLine } from './csv.js';
import { rowCsv, rowJson } from './row-text.js';

/** The object path the compiled text replaces. */
const objectJson = (a: ArrayLike<number>, at: number) => JSON.stringify(connectionJson(readRow(a, at)), null, 2).replace(/\n/g, '\n    ');
const objectCsv = (a: ArrayLike<number>, at: number) => csvLine(CONNECTION_CSV_COLUMNS.map((c) => c.value(readRow(a, at))));

/** A row's numbers, every field within its kind's range (encapsulation 0: ids exist only once interned). */
const numbersArb = fc
  .record({
    v6: fc.boolean(),
    words: fc.array(fc.nat({ max: 0xffffffff }), { minLength: 8, maxLength: 8 }),
    counts: fc.array(fc.oneof(fc.nat(), fc.maxSafeNat(), fc.constant(-1)), { minLength: ROW_FIELDS, maxLength: ROW_FIELDS }),
    state: fc.nat({ max: STATE_WORDS.length - 1 }),
    secs: fc.array(fc.integer({ min: -2_000_000_000, max: 4_000_000_000 }), { minLength: 2, maxLength: 2 }),
    nsecs: fc.array(fc.nat({ max: 999_999_999 }), { minLength: 2, maxLength: 2 }),
  })
  .map((g) => {
    const a = new Float64Array(ROW_FIELDS + 3);
    const at = 3;
    a.set(g.counts.map((x) => Math.abs(x)), at);
    for (const f of CONNECTION_FIELDS) {
      const i = at + FIELD_OFFSET[f.name];
      if (f.kind === 'version') a[i] = g.v6 ? 6 : 4;
      if (f.kind === 'address') for (let w = 0; w < 4; w++) a[i + w] = g.words[(f.name === 'client' ? 0 : 4) + w]! * (g.v6 || w === 3 ? 1 : 0);
      if (f.kind === 'optional') a[i] = g.counts[FIELD_OFFSET[f.name]]! % 5000;
      if (f.kind === 'state') a[i] = g.state;
      if (f.kind === 'flag') a[i] = g.counts[FIELD_OFFSET[f.name]]! & 1;
      if (f.kind === 'encapsulation') a[i] = 0;
      if (f.kind === 'time') {
        a[i] = g.secs[f.name === 'first' ? 0 : 1]!;
        a[i + 1] = g.nsecs[f.name === 'first' ? 0 : 1]!;
      }
    }
    for (const base of [F_C2S, F_S2C]) ROW_COUNTER_SPECS.forEach((c, k) => c.unit === 'flag' && (a[at + base + k] = a[at + base + k]! % 2));
    return { a, at };
  });

describe('row text written from the numbers is the object path\'s, byte for byte', () => {
  it('JSON and CSV of random rows (optional fields absent and present, IPv4 and IPv6, negative times)', () => {
    fc.assert(
      fc.property(numbersArb, ({ a, at }) => {
        expect(rowJson(a, at)).toBe(objectJson(a, at));
        expect(rowCsv(a, at)).toBe(objectCsv(a, at));
      }),
      { numRuns: 300 },
    );
  });

  it('JSON and CSV of every connection of real captures (VLANs, tunnels, resets, mid-stream)', async () => {
    let rows = 0;
    for (const sample of ['samples/ipv4-loss.vlan.pcap', 'samples/crafted/tunnels.pcap', 'samples/ipv6-loss.pcap', 'samples/crafted/rst-mid-data.pcap', 'samples/multi-link.pcapng']) {
      await streamAnalyze(sample, (r) => {
        rows++;
        expect(rowJson(r.values, r.at)).toBe(objectJson(r.values, r.at));
        expect(rowCsv(r.values, r.at)).toBe(objectCsv(r.values, r.at));
      });
    }
    expect(rows).toBeGreaterThan(40);
  });
});
