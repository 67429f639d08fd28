import { describe, it, expect } from 'vitest';
import { OVERLAP_COLUMNS } from '../report/columns.js';
import { OverlapTally } from '../report/render.js';
import type { OverlapRow } from '../report/rows.js';
import { testSummary } from '../../test/support/rows.js';
import { overlapsReport } from './overlaps-report.js';

/** The whole overlaps report of `events`, as the library writes it (CSV rows as they come). */
function renderOverlaps(events: readonly OverlapRow[], format: 'table' | 'csv' | 'json', absolute = false, width = 200): string {
  const tally = new OverlapTally();
  for (const e of events) tally.add(e);
  let text = '';
  const report = overlapsReport({ format, absolute, width }, (t) => (text += t));
  if (format === 'csv') for (const e of events) report.options.onEvent!(e);
  report.end({ events: [...events], eventsOmitted: 0, byConnection: tally.totals(), summary: testSummary(), pass: undefined as never });
  return text;
}

describe('overlaps report', () => {
  const ev = (connectionId: number, kind: OverlapRow['kind'], bytes: number, tsNsec = 0): OverlapRow => ({
    tsSec: 1_700_000_000,
    tsNsec,
    connectionId,
    direction: 'c2s',
    seqStart: 4_294_967_250,
    seqEnd: (4_294_967_250 + bytes) % 2 ** 32,
    bytes,
    seqBase: 4_294_967_200,
    kind,
    detail: kind === 'conflict' ? 'kept first copy; sha256 a1b2, c3d4' : undefined,
  });
  const events = [ev(2, 'retransmission', 1448), ev(5, 'conflict', 100, 7), ev(2, 'out-of-order', 500), ev(5, 'conflict', 20), ev(2, 'partial-overlap', 30)];

  it('totals by connection, conflicts first', () => {
    const t = new OverlapTally();
    for (const e of events) t.add(e);
    expect(t.events).toBe(5);
    expect(t.totals()).toEqual([
      { connectionId: 5, conflicts: 2, conflictBytes: 120, suspiciousRsts: 0, retransmissions: 0, retransmittedBytes: 0, partialOverlaps: 0, partialOverlapBytes: 0, outOfOrder: 0, outOfOrderBytes: 0 },
      { connectionId: 2, conflicts: 0, conflictBytes: 0, suspiciousRsts: 0, retransmissions: 1, retransmittedBytes: 1448, partialOverlaps: 1, partialOverlapBytes: 30, outOfOrder: 1, outOfOrderBytes: 500 },
    ]);
  });

  it('table: headline about conflicts, one row an event, then totals by connection', () => {
    const text = renderOverlaps(events, 'table');
    expect(text.split('\n')[0]).toBe('CONFLICTS: 2 conflicting overlaps in 1 connection (overlapping copies with different bytes).');
    const line = text.split('\n').find((l) => l.includes('000000007Z'))!;
    expect(line.split('│').slice(1, -1).map((c) => c.trim())).toEqual([
      '2023-11-14T22:13:20.000000007Z', '5', 'c2s', '50', '150', '100', 'conflict', 'kept first copy; sha256 a1b2, c3d4',
    ]);
    // At 100 columns the detail is cut to fit (the full text is in JSON and CSV), the sequence end left out; at 80 the columns that do not
    // fit give way, the last ones first, and are named under the table; no line is wider than the terminal.
    const mid = renderOverlaps(events, 'table', false, 100).split('\n');
    expect(mid.find((l) => l.includes('000000007Z'))!.split('│').at(-2)!.trim()).toMatch(/^kept first …$/);
    const narrow = renderOverlaps(events, 'table', false, 80).split('\n');
    expect(narrow.find((l) => l.includes('000000007Z'))!.split('│').slice(1, -1).map((c) => c.trim())).toEqual(['2023-11-14T22:13:20.000000007Z', '5', 'c2s', '50', 'conflict']);
    expect(narrow.join('\n')).toContain('(not shown at 80 columns: relativeSeqEnd, bytes, detail; --format json or csv\nhas every field)');
    for (const w of [80, 100, 120]) for (const l of renderOverlaps(events, 'table', false, w).split('\n')) expect(l.length).toBeLessThanOrEqual(w);
    // --absolute: the raw sequence numbers, across the wrap.
    const abs = renderOverlaps(events, 'table', true).split('\n').find((l) => l.includes('000000007Z'))!;
    expect(abs.split('│').slice(4, 6).map((c) => c.trim())).toEqual(['4294967250', '54']);
    // sequence numbers are not written with thousands separators (they are not quantities)
    expect(renderOverlaps(events, 'table', true)).not.toContain('4,294');
    expect(text).toContain('By connection:');
    expect(renderOverlaps([ev(1, 'retransmission', 5)], 'table').split('\n')[0]).toMatch(/^No conflicting overlaps/);
  });

  it('suspicious RSTs: counted per connection (listed or not), in the headline, expected and window in JSON', () => {
    const rst: OverlapRow = {
      tsSec: 1_700_000_000, tsNsec: 3, connectionId: 9, direction: 's2c', seqStart: 1_073_746_875, seqEnd: 1_073_746_875,
      bytes: 0, seqBase: null, kind: 'suspicious-rst', detail: 'record 7', expected: 5051, window: 65535,
    };
    const t = new OverlapTally();
    for (const e of [...events, rst]) t.add(e);
    t.count(9, 'suspicious-rst', 2, 0); // past the engine's list bound: counted, not listed
    expect(t.events).toBe(6);
    expect(t.totals().map((x) => [x.connectionId, x.conflicts, x.suspiciousRsts])).toEqual([[5, 2, 0], [9, 0, 3], [2, 0, 0]]);
    const text = renderOverlaps([rst], 'table').split('\n');
    expect(text[0]).toMatch(/^No conflicting overlaps/);
    expect(text[1]).toBe(
      "SUSPICIOUS RSTS: 1 RST that did not end the connection in 1 connection (blind, forged or refused resets: the data after them is reassembled).",
    );
    const doc = JSON.parse(renderOverlaps([rst], 'json'));
    expect(doc.summary.overlaps.suspiciousRsts).toBe(1);
    expect(doc.events[0]).toEqual({
      time: '2023-11-14T22:13:20.000000003Z', epoch: '1700000000.000000003', connectionId: 9, direction: 's2c',
      seqStart: 1073746875, seqEnd: 1073746875, relativeSeqStart: null, relativeSeqEnd: null, bytes: 0, kind: 'suspicious-rst', detail: 'record 7', expected: 5051, window: 65535,
    });
    // Other kinds have no expected/window keys.
    expect(Object.keys(JSON.parse(renderOverlaps(events, 'json')).events[0])).not.toContain('expected');
  });

  it('csv and json carry every event with exact times and sequence numbers', () => {
    const csv = renderOverlaps(events, 'csv').split('\r\n');
    expect(csv[0]).toBe(OVERLAP_COLUMNS.map((c) => c.key).join(','));
    expect(csv[2]).toBe('2023-11-14T22:13:20.000000007Z,1700000000.000000007,5,c2s,4294967250,54,50,150,100,conflict,"kept first copy; sha256 a1b2, c3d4"' + ','.repeat(15)); // no record: the 15 conflict columns empty
    const doc = JSON.parse(renderOverlaps(events, 'json'));
    expect(doc.connections).toHaveLength(2);
    expect(doc.summary.overlaps).toEqual({
      events: 5, eventsListed: 5, eventsOmitted: 0, conflicts: 2, conflictBytes: 120, suspiciousRsts: 0, retransmissions: 1, retransmittedBytes: 1448,
      partialOverlaps: 1, partialOverlapBytes: 30, outOfOrder: 1, outOfOrderBytes: 500,
    });
    expect(doc.events[1]).toEqual({
      time: '2023-11-14T22:13:20.000000007Z', epoch: '1700000000.000000007', connectionId: 5, direction: 'c2s',
      seqStart: 4294967250, seqEnd: 54, relativeSeqStart: 50, relativeSeqEnd: 150, bytes: 100, kind: 'conflict', detail: 'kept first copy; sha256 a1b2, c3d4',
    });
  });
});
