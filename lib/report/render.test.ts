import { describe, it, expect } from 'vitest';
import { cellText } from './columns.js';
import { CONNECTION_COLUMNS, CONNECTION_CSV_COLUMNS, CONNECTION_TABLE_COLUMNS } from './connection-columns.js';
import { ROW_COUNTER_SPECS } from '../schema/counters.js';
import { csvField, csvLine } from './csv.js';
import type { ConnectionRow, RunSummary } from './rows.js';
import { checkTop, connectionFilter, findColumn, SelectionError, sortedOrder, type Selectable } from './select.js';
import { renderSummary } from './summary.js';
import { ConnectionsCsvWriter, ConnectionsJsonWriter } from './stream.js';
import { writeTable } from './table.js';
import { parseAddress } from '../net/address.js';
import { testDirection, testRow, testSummary } from '../../test/support/rows.js';

/** Rows in the order of a `--sort` (the indexed sort the report uses). */
const sortRows = (rows: readonly ConnectionRow[], col: (typeof CONNECTION_COLUMNS)[number], desc?: boolean) =>
  Array.from(sortedOrder(rows.length, (i) => rows[i]!, col, desc ?? col.numeric), (i) => rows[i]!);

const stats = (seed: number) => testDirection(seed);
const row = testRow;
const summary = testSummary();

/** A whole analyze report of `rows`, as the library's writers write it. */
function renderConnections(rows: readonly ConnectionRow[], s: RunSummary, format: 'table' | 'csv' | 'json'): string {
  let text = '';
  const out = (t: string) => (text += t);
  if (format === 'table') {
    writeTable(rows.length, (i) => rows[i]!, CONNECTION_TABLE_COLUMNS, out);
    return `${text}\n\n${renderSummary(s)}\n`;
  }
  const w = format === 'json' ? new ConnectionsJsonWriter(out) : new ConnectionsCsvWriter(out);
  for (const r of rows) w.row(r);
  w.end(s);
  return text;
}

/** What a selection sees of a row: its addresses as words. */
const selectable = (r: ConnectionRow): Selectable => ({
  id: r.id,
  ipVersion: r.ipVersion,
  client: { addr: parseAddress(r.client)!.words, port: r.clientPort },
  server: { addr: parseAddress(r.server)!.words, port: r.serverPort },
});

describe('CSV quoting (RFC 4180)', () => {
  it('quotes commas, quotes, CR and LF; doubles quotes; leaves plain text and numbers alone', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('fd99:1::1')).toBe('fd99:1::1');
    expect(csvField(-5)).toBe('-5');
    expect(csvField(0)).toBe('0');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
  });

  it('defuses spreadsheet formulas in text', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-cmd')).toBe("'-cmd");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('lines end in CRLF', () => {
    expect(csvLine(['a', 1, null, 'x,y'])).toBe('a,1,,"x,y"\r\n');
  });
});

describe('sort, top and filters', () => {
  const rows = [row(0), row(1), row(2), row(3, { client: 'fd00::1', ipVersion: 6 }), row(4, { client: '9.0.0.1' })];

  it('sorts numbers largest first, text A to Z, stable, by any column', () => {
    expect(sortRows(rows, findColumn(CONNECTION_COLUMNS, 'peakPages')).map((r) => r.id)).toEqual([4, 3, 2, 1, 0]);
    expect(sortRows(rows, findColumn(CONNECTION_COLUMNS, 'id')).map((r) => r.id)).toEqual([4, 3, 2, 1, 0]);
    expect(sortRows(rows, findColumn(CONNECTION_COLUMNS, 'id'), false).map((r) => r.id)).toEqual([0, 1, 2, 3, 4]);
    // equal server: stable, input order
    expect(sortRows(rows, findColumn(CONNECTION_COLUMNS, 'server')).map((r) => r.id)).toEqual([0, 1, 2, 3, 4]);
    // addresses in numeric order (9.0.0.1 before 10.0.0.1), IPv4 before IPv6
    expect(sortRows(rows, findColumn(CONNECTION_COLUMNS, 'CLIENT')).map((r) => r.client)).toEqual([
      '9.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.3', 'fd00::1',
    ]);
    // totals are the sum of both directions
    const total = (r: ConnectionRow) => r.c2s.missingBytes + r.s2c.missingBytes;
    const byMissing = sortRows(rows, findColumn(CONNECTION_COLUMNS, 'missingBytes'));
    expect(byMissing.map(total)).toEqual([...rows.map(total)].sort((a, b) => b - a));
    expect(sortRows(rows, findColumn(CONNECTION_COLUMNS, 's2cConflicts')).map((r) => r.s2c.conflicts)).toEqual([...rows.map((r) => r.s2c.conflicts)].sort((a, b) => b - a));
  });

  it('sorts capture times exactly, to the nanosecond', () => {
    const a = row(0, { firstTsSec: 1_700_000_000, firstTsNsec: 2 });
    const b = row(1, { firstTsSec: 1_700_000_000, firstTsNsec: 1 });
    expect(sortRows([a, b], findColumn(CONNECTION_COLUMNS, 'firstTime'), false).map((r) => r.id)).toEqual([1, 0]);
  });

  it('rejects an unknown sort column, naming the valid ones', () => {
    expect(() => findColumn(CONNECTION_COLUMNS, 'bogus')).toThrow(SelectionError);
    expect(() => findColumn(CONNECTION_COLUMNS, 'bogus')).toThrow(/one of: id, ipVersion, client, clientPort/);
  });

  it('--top wants a whole number of rows', () => {
    expect(() => checkTop(2)).not.toThrow();
    expect(() => checkTop(0)).not.toThrow();
    expect(() => checkTop(undefined)).not.toThrow();
    expect(() => checkTop(-1)).toThrow(SelectionError);
    expect(() => checkTop(1.5)).toThrow(SelectionError);
  });

  it('filters by host (any spelling), port, connection id; all conditions together', () => {
    // Engine rows are consistent: an IPv6 connection has two IPv6 ends.
    const v6 = rows.map((r) => (r.ipVersion === 6 ? { ...r, server: 'fd00::2' } : r));
    const ids = (f: Parameters<typeof connectionFilter>[0]) => {
      const test = connectionFilter(f);
      return v6.filter((r) => test === null || test(selectable(r))).map((r) => r.id);
    };
    expect(ids({ hosts: ['10.0.0.2'] })).toEqual([1]);
    expect(ids({ hosts: ['10.99.2.2'] })).toEqual([0, 1, 2, 4]);
    expect(ids({ hosts: ['fd00::2'] })).toEqual([3]);
    expect(ids({ hosts: ['FD00:0:0::0001'] })).toEqual([3]);
    expect(ids({ hosts: ['10.0.0.2', '9.0.0.1'] })).toEqual([1, 4]);
    expect(ids({ ports: [40002] })).toEqual([2]);
    expect(ids({ ports: [9000] })).toEqual([0, 1, 2, 3, 4]);
    expect(ids({ ids: [4, 0] })).toEqual([0, 4]);
    expect(ids({ hosts: ['10.99.2.2'], ports: [40001], ids: [1, 2] })).toEqual([1]);
    expect(connectionFilter({})).toBeNull();
    expect(() => connectionFilter({ hosts: ['example.com'] })).toThrow(/--host wants an IPv4 or IPv6 address/);
    expect(() => connectionFilter({ ports: [70000] })).toThrow(SelectionError);
    expect(() => connectionFilter({ ids: [-1] })).toThrow(SelectionError);
  });
});

describe('analyze report', () => {
  const rows = [row(0), row(1, { ipVersion: 6, client: 'fd99:1::1', server: 'fd99:2::2', vlan: 7, state: 'reset, "odd"', peakPages: 387 })];

  it('table: one line a connection with endpoints, human duration, exact counts; no colour codes', () => {
    const text = renderConnections(rows, summary, 'table');
    // eslint-disable-next-line no-control-regex -- no ANSI colour escapes in the table
    expect(text).not.toMatch(/\u001b\[/);
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/│ id │ client\s+│ server\s+│ state\s+│ first\s+│ duration │ pkts c>s │ pkts s>c │ bytes c>s │ bytes s>c │ ooo bytes │ ooo pkts │ overlap bytes │ overlap pkts │ conflicts │ missing │ peak pages │/);
    const r1 = lines.find((l) => l.includes('[fd99:1::1]:40001'))!;
    const cells = r1.split('│').slice(1, -1).map((c) => c.trim());
    expect(cells).toEqual([
      // testDirection(seed): counter i is seed * (2i + 1); c2s seed 2, s2c seed 7 (each 'sum' column: 9 * (2i + 1))
      '1', '[fd99:1::1]:40001', '[fd99:2::2]:9000', 'reset, "odd"', '2023-11-14T22:13:20.000000001Z', '1.00 s', '2', '7', '6', '21',
      '45', '63', '81', '99', '117', '135', '387',
    ]);
    // numbers align right: the id cell is padded on the left
    expect(r1.startsWith('│  1 │')).toBe(true);
    expect(text).toContain('Conflicts           2');
  });

  it('table: suspicious RSTs qualify the state cell (after mid-stream), and only when there are some', () => {
    const state = CONNECTION_COLUMNS.find((c) => c.key === 'state')!;
    expect(cellText(state, row(0, { suspiciousRsts: 0 }))).toBe('closed');
    expect(cellText(state, row(0, { suspiciousRsts: 1 }))).toBe('closed, 1 suspicious RST');
    expect(cellText(state, row(0, { midStream: true, suspiciousRsts: 1234 }))).toBe('closed, mid-stream, 1,234 suspicious RSTs');
    // The CSV and JSON state stays the bare word; the count has its own field.
    expect(state.value(row(0, { suspiciousRsts: 2 }))).toBe('closed');
    const sus = CONNECTION_COLUMNS.find((c) => c.key === 'suspiciousRsts')!;
    expect(sus.value(row(0, { suspiciousRsts: 2 }))).toBe(2);
    expect(sus.value(row(0))).toBe(0);
  });

  it('csv: header of stable names, per-direction columns, quoting applied', () => {
    const text = renderConnections(rows, summary, 'csv');
    const lines = text.split('\r\n');
    const header = lines[0].split(',');
    expect(header).toEqual([
      'id', 'ipVersion', 'client', 'clientPort', 'server', 'serverPort', 'vlan', 'outerVlan', 'encapsulation', 'state', 'midStream', 'serverGuessed',
      'reuseIndex', 'firstTime', 'firstEpoch', 'lastTime', 'lastEpoch', 'conflictsDropped', 'suspiciousRsts', 'durationNs', 'peakPages',
      ...['c2s', 's2c'].flatMap((d) => ROW_COUNTER_SPECS.map((c) => d + c.name[0]!.toUpperCase() + c.name.slice(1))),
    ]);
    expect(header).toEqual(CONNECTION_CSV_COLUMNS.map((c) => c.key));
    expect(lines[2]).toMatch(/^1,6,fd99:1::1,40001,fd99:2::2,9000,7,,,"reset, ""odd""",false,false,0,2023-11-14T22:13:20\.000000001Z,1700000000\.000000001,2023-11-14T22:13:21\.000000000Z,1700000001\.000000000,0,0,999999999,387,2,6,10,/);
    const cell = (k: string) => lines[2].replace('"reset, ""odd"""', 'STATE').split(',')[header.indexOf(k)];
    expect([cell('c2sBytes'), cell('s2cMissingBytes'), cell('c2sStartMissing'), cell('s2cStartMissing')]).toEqual(['6', '105', 'false', 'true']);
    expect(lines.length).toBe(4); // header, two rows, and the empty string after the last CRLF
  });

  it('json: { connections, summary } with c2s and s2c objects under camelCase names', () => {
    const doc = JSON.parse(renderConnections(rows, summary, 'json'));
    expect(Object.keys(doc)).toEqual(['connections', 'summary']);
    expect(doc.summary).toMatchObject({ ...summary, bytesPerSecond: 82_304_526 });
    const c = doc.connections[1];
    expect(c).toEqual({
      id: 1,
      ipVersion: 6,
      client: 'fd99:1::1',
      clientPort: 40001,
      server: 'fd99:2::2',
      serverPort: 9000,
      vlan: 7,
      outerVlan: null,
      encapsulation: null,
      state: 'reset, "odd"',
      midStream: false,
      serverGuessed: false,
      reuseIndex: 0,
      firstTime: '2023-11-14T22:13:20.000000001Z',
      firstEpoch: '1700000000.000000001',
      lastTime: '2023-11-14T22:13:21.000000000Z',
      lastEpoch: '1700000001.000000000',
      conflictsDropped: 0,
      suspiciousRsts: 0,
      durationNs: 999_999_999,
      peakPages: 387,
      c2s: stats(2),
      s2c: stats(7),
    });
    expect(Object.keys(c.c2s)).toEqual(ROW_COUNTER_SPECS.map((x) => x.name));
  });

  it('summary block: aligned labels, exact byte counts beside the human ones, kinds listed', () => {
    expect(renderSummary(summary)).toBe(
      [
        'Input               capture.pcap, 123 MB (123,456,789 B)',
        'Packets read        1,000,000',
        'TCP segments        999,000',
        'Connections         3',
        'Bytes reassembled   812 MB (812,345,678 B)',
        'Bytes missing       1.45 kB (1,448 B)',
        'Overlaps            1 packet, 10 B',
        'Conflicts           2',
        "RSTs ignored        1 (outside the receiver's window: the connection went on)",
        "RSTs not taken      0",
        'Out-of-window       3 packets, 300 B',
        'Malformed packets   3 (bad-tcp-header 2, truncated-ip 1)',
        'Reader diagnostics  1 (truncated-record 1)',
        'Elapsed             1.50 s, 82.3 MB/s',
        'Connections ended   closed 2, reset 1',
        'Peak memory         10 pages (19.0 kB), 2 connections open at once',
        'Skipped by limits   0 B, 0 connections evicted',
      ].join('\n'),
    );
  });
});
