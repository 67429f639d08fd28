/**
 * A connection's report row, declared once: its connection-level fields here, its per-direction counters in
 * counters.ts. From the two come the row's type, its numeric layout (the snapshot a connection leaves at its
 * end: a run of numbers, no text, no object), the read-back into the plain object reports print, and (in
 * lib/report) the JSON keys and the CSV, table and `--sort` columns.
 */
import { encapsulationText } from '../decode/encapsulation.js';
import { formatAddress } from '../net/address.js';
import { readDirection, ROW_COUNTERS, type DirectionReport } from './counters.js';
import { STATE_WORDS } from './states.js';

/**
 * How a field is held as numbers and read back: `count` a number; `version` 4 or 6; `address` four 32-bit
 * words (IPv4 in word 3), text when read; `optional` a number or -1 for none (null when read); `state` a state
 * code (states.ts), its word when read; `flag` 0/1, a boolean when read; `time` seconds and nanoseconds,
 * read as `<name>TsSec` and `<name>TsNsec`; `encapsulation` an id of lib/decode/encapsulation.ts, its text
 * when read (null for none).
 */
export type FieldKind = 'count' | 'version' | 'address' | 'optional' | 'state' | 'flag' | 'time' | 'encapsulation';

/** One connection-level field of the row. */
export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly doc: string;
}

/** The connection-level fields, in row order (the per-direction counters follow them). */
export const CONNECTION_FIELDS = [
  { name: 'id', kind: 'count', doc: "Connection id: Wireshark's tcp.stream (0-based, in order of first packet)." },
  { name: 'ipVersion', kind: 'version', doc: '4 or 6.' },
  { name: 'client', kind: 'address', doc: 'Client address (the SYN sender; guessed from the ports when no SYN was seen).' },
  { name: 'clientPort', kind: 'count', doc: 'Client port.' },
  { name: 'server', kind: 'address', doc: 'Server address.' },
  { name: 'serverPort', kind: 'count', doc: 'Server port.' },
  { name: 'vlan', kind: 'optional', doc: 'Innermost VLAN id, null when untagged.' },
  { name: 'outerVlan', kind: 'optional', doc: 'Outer VLAN id of double-tagged traffic, null otherwise.' },
  {
    name: 'encapsulation',
    kind: 'encapsulation',
    doc: 'The tunnel layers around the connection, outermost first (`gre 10.0.0.1-10.0.0.2 key 7 / vlan 20`); null when none.',
  },
  { name: 'state', kind: 'state', doc: 'How the connection ended (lib/schema/states.ts).' },
  { name: 'midStream', kind: 'flag', doc: 'No SYN was seen before the first packet: picked up mid-stream.' },
  { name: 'serverGuessed', kind: 'flag', doc: 'Client and server were guessed from the ports (no SYN / SYN-ACK seen).' },
  { name: 'reuseIndex', kind: 'count', doc: '0 for the first connection on a 4-tuple, 1 for the next after port reuse, ...' },
  { name: 'first', kind: 'time', doc: 'Capture time of the first packet.' },
  { name: 'last', kind: 'time', doc: 'Capture time of the last packet.' },
  { name: 'conflictsDropped', kind: 'count', doc: 'Conflict records not kept because of the per-connection bound.' },
  { name: 'suspiciousRsts', kind: 'count', doc: "RSTs ignored as outside the receiver's window, both directions." },
] as const satisfies readonly FieldSpec[];

type Field = (typeof CONNECTION_FIELDS)[number];
interface KindValue {
  count: number;
  version: 4 | 6;
  address: string;
  optional: number | null;
  state: string;
  flag: boolean;
  encapsulation: string | null;
}
type PlainFields = { [F in Exclude<Field, { kind: 'time' }> as F['name']]: KindValue[F['kind']] };
type TimeFields = { [F in Extract<Field, { kind: 'time' }> as `${F['name']}TsSec` | `${F['name']}TsNsec`]: number };

/** One connection of a report: the connection fields, `peakPages`, and each direction's counters. */
export type ConnectionRow = PlainFields &
  TimeFields & {
    /** Each direction's own peak of pages added: a bound on what the connection held at once. */
    peakPages: number;
    c2s: DirectionReport;
    s2c: DirectionReport;
  };

/** Name of a connection-level field. */
export type FieldName = Field['name'];

const WIDTH: Readonly<Record<FieldKind, number>> = { count: 1, version: 1, address: 4, optional: 1, state: 1, flag: 1, time: 2, encapsulation: 1 };

/** Where each connection-level field starts in a row's numbers. */
export const FIELD_OFFSET: Readonly<Record<FieldName, number>> = (() => {
  const o: Record<string, number> = {};
  let at = 0;
  for (const f of CONNECTION_FIELDS) {
    o[f.name] = at;
    at += WIDTH[f.kind];
  }
  return o as Record<FieldName, number>;
})();

/** Numbers of the connection-level fields; the client-to-server counters start here. */
export const F_C2S = CONNECTION_FIELDS.reduce((n, f) => n + WIDTH[f.kind], 0);
/** Start of the server-to-client counters. */
export const F_S2C = F_C2S + ROW_COUNTERS;
/** Numbers a row takes. */
export const ROW_FIELDS = F_S2C + ROW_COUNTERS;

const PAGES_PEAK = 'pagesPeak';

/** The expression that reads one connection field's value(s) back, as `key: value` source text. */
function fieldSource(f: Field): string {
  const i = `a[at + ${FIELD_OFFSET[f.name]}]`;
  const at = FIELD_OFFSET[f.name];
  const key = JSON.stringify(f.name);
  switch (f.kind) {
    case 'address':
      return `${key}: address([a[at + ${at}], a[at + ${at + 1}], a[at + ${at + 2}], a[at + ${at + 3}]], v)`;
    case 'optional':
      return `${key}: ${i} >= 0 ? ${i} : null`;
    case 'state':
      return `${key}: states[${i}]`;
    case 'flag':
      return `${key}: ${i} !== 0`;
    case 'encapsulation':
      return `${key}: ${i} > 0 ? encapsulation(${i}) : null`;
    case 'time':
      return `${JSON.stringify(`${f.name}TsSec`)}: ${i}, ${JSON.stringify(`${f.name}TsNsec`)}: a[at + ${at + 1}]`;
    default:
      return `${key}: ${i}`;
  }
}

/**
 * The row stored at `a[at, at + ROW_FIELDS)` as the plain object reports print (text made here). Compiled once
 * from the field list into one object literal (as pg and ajv compile their row readers): a table reads every
 * row back twice, and an object built key by key costs several times as much.
 */
export const readRow: (a: ArrayLike<number>, at: number) => ConnectionRow = new Function(
  'address',
  'states',
  'encapsulation',
  'direction',
  `return function readRow(a, at) {
    const v = a[at + ${FIELD_OFFSET.ipVersion}];
    const c2s = direction(a, at + ${F_C2S});
    const s2c = direction(a, at + ${F_S2C});
    return { ${CONNECTION_FIELDS.map(fieldSource).join(', ')}, peakPages: c2s.${PAGES_PEAK} + s2c.${PAGES_PEAK}, c2s, s2c };
  };`,
)(formatAddress, STATE_WORDS, encapsulationText, readDirection) as (a: ArrayLike<number>, at: number) => ConnectionRow;

/** The connection id of the row at `at` (no read-back). */
export function rowId(a: ArrayLike<number>, at: number): number {
  return a[at + FIELD_OFFSET.id]!;
}
