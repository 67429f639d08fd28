/**
 * The columns of the analyze report, derived from the row's one declaration (lib/schema): every connection
 * field, then every row counter of each direction, then the two directions added for each summed counter. The
 * CSV columns, the `--sort` keys, the table columns and the JSON object all come from here.
 */
import { parseAddress } from '../net/address.js';
import { DIRECTION_COUNTERS, ROW_COUNTER_SPECS, type CounterSpec } from '../schema/counters.js';
import { CONNECTION_FIELDS, type ConnectionRow, type FieldSpec } from '../schema/row.js';
import { num, timeKey, type Column } from './columns.js';
import { formatCount, formatDuration } from './format.js';
import { durationNs, formatCaptureTime, formatEpoch } from './time.js';

type Row = ConnectionRow;
type Dir = 'c2s' | 's2c';
const DIRS: readonly Dir[] = ['c2s', 's2c'];
const ARROW: Readonly<Record<Dir, string>> = { c2s: 'c>s', s2c: 's>c' };

/** `missingBytes` -> `missing bytes`. */
const words = (name: string): string => name.replace(/([A-Z])/g, ' $1').toLowerCase();
const capital = (name: string): string => name[0]!.toUpperCase() + name.slice(1);
/**
 * A reader of one property path of a row, compiled once per column: `r.c2s.bytes` as a named load is what the
 * engine optimises, where `r[d][name]` with names varying by column is a slow generic lookup on every cell
 * of a million-row table.
 */
function reader<V>(...path: string[]): (r: Row) => V {
  return new Function('r', `return r${path.map((p) => `[${JSON.stringify(p)}]`).join('')};`) as (r: Row) => V;
}
const field = (r: Row, name: string): unknown => (r as unknown as Record<string, unknown>)[name];

/** Text that sorts like the address: IPv4 before IPv6, each in numeric order. */
export function addressSortKey(text: string): string {
  const a = parseAddress(text);
  if (a === null) return `z${text}`;
  return `${a.ipVersion}${Array.from(a.words, (w) => w.toString(16).padStart(8, '0')).join('')}`;
}

const rowDuration = (r: Row) => durationNs(r.firstTsSec, r.firstTsNsec, r.lastTsSec, r.lastTsNsec);
const endpoint = (addr: string, port: number, v: 4 | 6) => (v === 4 ? `${addr}:${port}` : `[${addr}]:${port}`);

/**
 * The state cell of the table: the state word, then what qualifies it (`closed, mid-stream, 1 suspicious
 * RST`). Suspicious RSTs go here rather than in a column of their own: almost every row has none, and next to
 * the state they say why a connection that was attacked is not `reset`.
 */
function stateCellText(r: Row): string {
  let t = r.midStream ? `${r.state}, mid-stream` : r.state;
  const n = r.suspiciousRsts;
  if (n > 0) t += `, ${formatCount(n)} suspicious RST${n === 1 ? '' : 's'}`;
  return t;
}

/** The column (or, for a time, columns) of one connection field. */
function fieldColumns(f: FieldSpec): Array<Column<Row>> {
  const name = f.name;
  const get = reader<unknown>(name);
  switch (f.kind) {
    case 'address': {
      const getPort = reader<number>(`${name}Port`);
      return [{
        key: name, header: name, numeric: false,
        value: (r) => get(r) as string,
        text: (r) => endpoint(get(r) as string, getPort(r) as number, r.ipVersion),
        sortKey: (r) => addressSortKey(get(r) as string),
      }];
    }
    case 'optional':
      return [{ key: name, header: words(name), numeric: true, value: (r) => get(r) as number | null, sortKey: (r) => (get(r) as number | null) ?? -1 }];
    case 'state':
      return [{ key: name, header: name, numeric: false, value: (r) => r.state, text: stateCellText }];
    case 'flag':
      return [{ key: name, header: words(name), numeric: false, value: (r) => String(get(r)) }];
    case 'encapsulation':
      return [{ key: name, header: name, numeric: false, value: (r) => (get(r) as string | null) ?? '' }];
    case 'time': {
      const s = reader<number>(`${name}TsSec`);
      const ns = reader<number>(`${name}TsNsec`);
      // As in JSON: `<name>Time` ISO 8601, `<name>Epoch` the exact epoch (Wireshark's frame.time_epoch).
      const sortKey = (r: Row): string => timeKey(s(r), ns(r));
      return [
        { key: `${name}Time`, header: name, numeric: false, value: (r) => formatCaptureTime(s(r), ns(r)), sortKey },
        { key: `${name}Epoch`, header: `${name} epoch`, numeric: false, value: (r) => formatEpoch(s(r), ns(r)), sortKey },
      ];
    }
    default:
      return [num(name, words(name), (r) => get(r) as number)];
  }
}

/** The column of one direction's counter. */
function directionColumn(c: CounterSpec, d: Dir): Column<Row> {
  const key = `${d}${capital(c.name)}`;
  const header = `${c.table?.header ?? words(c.name)} ${ARROW[d]}`;
  const get = reader<number | boolean>(d, c.name);
  if (c.unit === 'flag') return { key, header, numeric: false, value: (r) => String(get(r)) };
  return num(key, header, get as (r: Row) => number);
}

/** The two directions of a counter added. */
function sumColumn(c: CounterSpec): Column<Row> {
  const a = reader<number>('c2s', c.name);
  const b = reader<number>('s2c', c.name);
  return num<Row>(c.name, c.table?.header ?? words(c.name), (r) => a(r) + b(r));
}

/** `22:13:20.000001`: the UTC time of day to the microsecond (the full time is `firstTime`). */
function timeOfDay(sec: number, nsec: number): string {
  return formatCaptureTime(sec, nsec).slice(11, 26);
}

/** The table's start column: the time of day of the first packet; sorts by the exact time. */
const START_COLUMN: Column<Row> = {
  key: 'start', header: 'start', numeric: false,
  value: (r) => formatCaptureTime(r.firstTsSec, r.firstTsNsec),
  text: (r) => timeOfDay(r.firstTsSec, r.firstTsNsec),
  sortKey: (r) => timeKey(r.firstTsSec, r.firstTsNsec),
};

/** The columns of every connection field, the duration and the peak of pages. */
const CONNECTION_LEVEL: ReadonlyArray<Column<Row>> = [
  ...CONNECTION_FIELDS.flatMap((f) => fieldColumns(f)),
  { key: 'durationNs', header: 'duration', numeric: true, value: rowDuration, text: (r) => formatDuration(rowDuration(r)) },
  num('peakPages', 'peak pages', (r) => r.peakPages),
];

/** The CSV columns: every connection-level column, then every row counter of each direction. */
export const CONNECTION_CSV_COLUMNS: ReadonlyArray<Column<Row>> = [
  ...CONNECTION_LEVEL,
  ...DIRS.flatMap((d) => ROW_COUNTER_SPECS.map((c) => directionColumn(c, d))),
];

/** The two directions added, for each summed counter of the row (`missingBytes`, `bytes`, ...). */
const SUM_COLUMNS: ReadonlyArray<Column<Row>> = ROW_COUNTER_SPECS.filter((c) => c.total && c.unit !== 'flag').map(sumColumn);

/** Every column of the analyze report: the CSV columns and the sums; every `--sort` key. */
export const CONNECTION_COLUMNS: ReadonlyArray<Column<Row>> = [...CONNECTION_CSV_COLUMNS, ...SUM_COLUMNS, START_COLUMN];

const byKey = (key: string): Column<Row> => CONNECTION_COLUMNS.find((c) => c.key === key)!;

/**
 * The default table: what an analyst reads first, in this order. Fitted to the terminal, columns give way
 * from the end of {@link CONNECTION_TABLE_PRIORITY}; `--wide` shows {@link CONNECTION_TABLE_COLUMNS}.
 */
export const CONNECTION_DEFAULT_COLUMNS: ReadonlyArray<Column<Row>> = [
  'id', 'client', 'server', 'state', 'start', 'durationNs', 'c2sBytes', 's2cBytes', 'missingBytes', 'overlapBytes', 'conflicts',
].map(byKey);

/** The default columns by how long they stay as the width shrinks; the first four always stay. */
export const CONNECTION_TABLE_PRIORITY: readonly string[] = [
  'id', 'client', 'server', 'state', 'c2sBytes', 's2cBytes', 'missingBytes', 'conflicts', 'durationNs', 'overlapBytes', 'start',
];

/**
 * The columns of the wide table (`--wide`): who and how it ended, then the counters the declaration puts in the table
 * (`each`: one column a direction, `sum`: both added), then the peak of pages.
 */
export const CONNECTION_TABLE_COLUMNS: ReadonlyArray<Column<Row>> = [
  ...['id', 'client', 'server', 'state', 'firstTime', 'durationNs'].map(byKey),
  ...DIRECTION_COUNTERS.flatMap((c: CounterSpec) => {
    if (c.table === undefined) return [];
    if (c.table.shape === 'sum') return [byKey(c.name)];
    return DIRS.map((d) => byKey(`${d}${capital(c.name)}`));
  }),
  byKey('peakPages'),
];

/**
 * The JSON object of one connection: every field under its declared name (a time as `<name>Time`, ISO 8601
 * with nanoseconds, and `<name>Epoch`, exact), the duration and peak of pages, then each direction's counters.
 */
export function connectionJson(r: Row): object {
  const o: Record<string, unknown> = {};
  for (const f of CONNECTION_FIELDS) {
    if (f.kind === 'time') {
      const s = field(r, `${f.name}TsSec`) as number;
      const ns = field(r, `${f.name}TsNsec`) as number;
      o[`${f.name}Time`] = formatCaptureTime(s, ns);
      o[`${f.name}Epoch`] = formatEpoch(s, ns);
    } else {
      o[f.name] = field(r, f.name);
    }
  }
  o.durationNs = rowDuration(r);
  o.peakPages = r.peakPages;
  o.c2s = { ...r.c2s };
  o.s2c = { ...r.s2c };
  return o;
}
