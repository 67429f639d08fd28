import { parseAddress } from '../net/address.js';
import { formatCount, formatDuration } from './format.js';
import type { ConnectionRow, DirectionStats, OverlapEvent } from './rows.js';
import { durationNs, formatCaptureTime, formatEpoch } from './time.js';

/** One column of a report: its key (for `--sort` and CSV/JSON), table header, value and text. */
export interface Column<T> {
  /** Stable camelCase key: the CSV header and the `--sort` name. */
  key: string;
  /** Header in the human table. */
  header: string;
  /** Numbers sort descending by default and align right. */
  numeric: boolean;
  /** The exact value (CSV, sorting). */
  value(row: T): number | string | null;
  /** Human text for the table; defaults to the value with thousands separators for numbers. */
  text?(row: T): string;
  /** Sort key when it differs from the value (addresses sort by number, not by text). */
  sortKey?(row: T): number | string;
}

/** The counters every direction row has (the table's and the per-connection totals' columns). */
type StatKey = Exclude<keyof DirectionStats, 'rstIgnored' | 'outOfWindowPackets'>;

const STAT_KEYS: Array<[StatKey, string]> = [
  ['packets', 'Packets'],
  ['bytes', 'Bytes'],
  ['queuedBytes', 'QueuedBytes'],
  ['queuedPackets', 'QueuedPackets'],
  ['overlapBytes', 'OverlapBytes'],
  ['overlapPackets', 'OverlapPackets'],
  ['conflicts', 'Conflicts'],
  ['missingBytes', 'MissingBytes'],
];

/** Text that sorts like the address: IPv4 before IPv6, each in numeric order. */
export function addressSortKey(text: string): string {
  const a = parseAddress(text);
  if (a === null) return `z${text}`;
  return `${a.ipVersion}${Array.from(a.words, (w) => w.toString(16).padStart(8, '0')).join('')}`;
}

/** Exact sort text of a capture time (seconds * 1e9 + ns would pass 2^53 and lose the nanoseconds). */
function timeKey(sec: number, nsec: number): string {
  return `${String(sec + 1e11).padStart(12, '0')}${String(nsec).padStart(9, '0')}`;
}

const rowDuration = (r: ConnectionRow) => durationNs(r.firstTsSec, r.firstTsNsec, r.lastTsSec, r.lastTsNsec);
const endpoint = (addr: string, port: number, v: 4 | 6) => (v === 4 ? `${addr}:${port}` : `[${addr}]:${port}`);

/**
 * The state cell of the table: the state word, then what qualifies it (`complete, mid-stream, 1 suspicious
 * RST`). Suspicious RSTs go here rather than in a column of their own: almost every row has none, and next to
 * the state they say why a connection that was attacked is not `reset`.
 */
function stateCellText(r: ConnectionRow): string {
  let t = r.midStream === true ? `${r.state}, mid-stream` : r.state;
  const n = r.suspiciousRsts ?? 0;
  if (n > 0) t += `, ${formatCount(n)} suspicious RST${n === 1 ? '' : 's'}`;
  return t;
}

function num<T>(key: string, header: string, value: (row: T) => number): Column<T> {
  return { key, header, numeric: true, value };
}

/** Every column of the analyze report: the CSV columns, and every `--sort` key. */
export const CONNECTION_COLUMNS: ReadonlyArray<Column<ConnectionRow>> = [
  num('id', 'id', (r) => r.id),
  { key: 'client', header: 'client', numeric: false, value: (r) => r.client, text: (r) => endpoint(r.client, r.clientPort, r.ipVersion), sortKey: (r) => addressSortKey(r.client) },
  num('clientPort', 'client port', (r) => r.clientPort),
  { key: 'server', header: 'server', numeric: false, value: (r) => r.server, text: (r) => endpoint(r.server, r.serverPort, r.ipVersion), sortKey: (r) => addressSortKey(r.server) },
  num('serverPort', 'server port', (r) => r.serverPort),
  { key: 'vlan', header: 'vlan', numeric: true, value: (r) => r.vlan, sortKey: (r) => r.vlan ?? -1 },
  { key: 'state', header: 'state', numeric: false, value: (r) => r.state, text: stateCellText },
  { key: 'firstTime', header: 'first', numeric: false, value: (r) => formatEpoch(r.firstTsSec, r.firstTsNsec), text: (r) => formatCaptureTime(r.firstTsSec, r.firstTsNsec), sortKey: (r) => timeKey(r.firstTsSec, r.firstTsNsec) },
  { key: 'lastTime', header: 'last', numeric: false, value: (r) => formatEpoch(r.lastTsSec, r.lastTsNsec), text: (r) => formatCaptureTime(r.lastTsSec, r.lastTsNsec), sortKey: (r) => timeKey(r.lastTsSec, r.lastTsNsec) },
  { key: 'durationNs', header: 'duration', numeric: true, value: rowDuration, text: (r) => formatDuration(rowDuration(r)) },
  ...(['c2s', 's2c'] as const).flatMap((d) =>
    STAT_KEYS.map(([k, name]) => num<ConnectionRow>(`${d}${name}`, `${name.replace(/([A-Z])/g, ' $1').trim().toLowerCase()} ${d === 'c2s' ? 'c>s' : 's>c'}`, (r) => r[d][k])),
  ),
  ...STAT_KEYS.map(([k, name]) => num<ConnectionRow>(`${k}`, name.replace(/([A-Z])/g, ' $1').trim().toLowerCase(), (r) => r.c2s[k] + r.s2c[k])),
  num('peakPages', 'peak pages', (r) => r.peakPages),
  num('suspiciousRsts', 'suspicious rsts', (r) => r.suspiciousRsts ?? 0),
  ...(['c2s', 's2c'] as const).flatMap((d) => [
    num<ConnectionRow>(`${d}RstIgnored`, `rst ignored ${d === 'c2s' ? 'c>s' : 's>c'}`, (r) => r[d].rstIgnored ?? 0),
    num<ConnectionRow>(`${d}OutOfWindowPackets`, `out of window pkts ${d === 'c2s' ? 'c>s' : 's>c'}`, (r) => r[d].outOfWindowPackets ?? 0),
  ]),
];

/** The columns of the human analyze table, by key, in order. */
export const CONNECTION_TABLE_KEYS: readonly string[] = [
  'id', 'client', 'server', 'state', 'durationNs', 'c2sPackets', 's2cPackets', 'c2sBytes', 's2cBytes',
  'queuedBytes', 'queuedPackets', 'overlapBytes', 'overlapPackets', 'conflicts', 'missingBytes', 'peakPages',
];

/** Short table headers where the generated ones are too wide. */
export const CONNECTION_TABLE_HEADERS: Readonly<Record<string, string>> = {
  c2sPackets: 'pkts c>s',
  s2cPackets: 'pkts s>c',
  c2sBytes: 'bytes c>s',
  s2cBytes: 'bytes s>c',
  queuedBytes: 'ooo bytes',
  queuedPackets: 'ooo pkts',
  overlapBytes: 'overlap bytes',
  overlapPackets: 'overlap pkts',
  missingBytes: 'missing',
};

/** The CSV columns of the analyze report (every column except the per-connection totals, which are sums). */
export const CONNECTION_CSV_KEYS: readonly string[] = CONNECTION_COLUMNS.map((c) => c.key).filter(
  (k) => !STAT_KEYS.some(([s]) => s === k),
);

/** Every column of the overlaps report. */
export const OVERLAP_COLUMNS: ReadonlyArray<Column<OverlapEvent>> = [
  { key: 'time', header: 'time', numeric: false, value: (e) => formatEpoch(e.tsSec, e.tsNsec), text: (e) => formatCaptureTime(e.tsSec, e.tsNsec), sortKey: (e) => timeKey(e.tsSec, e.tsNsec) },
  num('connectionId', 'conn', (e) => e.connectionId),
  { key: 'direction', header: 'dir', numeric: false, value: (e) => e.direction },
  { key: 'seqStart', header: 'seq start', numeric: true, value: (e) => e.seqStart, text: (e) => String(e.seqStart) },
  { key: 'seqEnd', header: 'seq end', numeric: true, value: (e) => e.seqEnd, text: (e) => String(e.seqEnd) },
  num('bytes', 'bytes', (e) => e.bytes),
  { key: 'kind', header: 'kind', numeric: false, value: (e) => e.kind },
  { key: 'detail', header: 'detail', numeric: false, value: (e) => e.detail ?? '' },
];

/** Per-connection totals of the overlaps report. */
export interface OverlapTotals {
  connectionId: number;
  conflicts: number;
  conflictBytes: number;
  /** RSTs ignored as outside the receiver's window (all of them, also those beyond the engine's list bound). */
  suspiciousRsts: number;
  retransmissions: number;
  retransmittedBytes: number;
  partialOverlaps: number;
  partialOverlapBytes: number;
  outOfOrder: number;
  outOfOrderBytes: number;
}

/** The totals of every connection added up (everything but the id). */
export function sumOverlapTotals(t: readonly OverlapTotals[]): Omit<OverlapTotals, 'connectionId'> {
  const sum = (k: keyof OverlapTotals): number => t.reduce((s, x) => s + x[k], 0);
  return {
    conflicts: sum('conflicts'),
    conflictBytes: sum('conflictBytes'),
    suspiciousRsts: sum('suspiciousRsts'),
    retransmissions: sum('retransmissions'),
    retransmittedBytes: sum('retransmittedBytes'),
    partialOverlaps: sum('partialOverlaps'),
    partialOverlapBytes: sum('partialOverlapBytes'),
    outOfOrder: sum('outOfOrder'),
    outOfOrderBytes: sum('outOfOrderBytes'),
  };
}

/** Columns of the overlaps summary by connection (conflicts and suspicious RSTs first: they are the headline). */
export const OVERLAP_TOTAL_COLUMNS: ReadonlyArray<Column<OverlapTotals>> = [
  num('connectionId', 'conn', (t) => t.connectionId),
  num('conflicts', 'conflicts', (t) => t.conflicts),
  num('conflictBytes', 'conflict bytes', (t) => t.conflictBytes),
  num('suspiciousRsts', 'suspicious rsts', (t) => t.suspiciousRsts),
  num('retransmissions', 'retransmissions', (t) => t.retransmissions),
  num('retransmittedBytes', 'retransmitted bytes', (t) => t.retransmittedBytes),
  num('partialOverlaps', 'partial overlaps', (t) => t.partialOverlaps),
  num('partialOverlapBytes', 'partial overlap bytes', (t) => t.partialOverlapBytes),
  num('outOfOrder', 'out of order', (t) => t.outOfOrder),
  num('outOfOrderBytes', 'out of order bytes', (t) => t.outOfOrderBytes),
];

/** The table text of a cell. */
export function cellText<T>(col: Column<T>, row: T): string {
  if (col.text !== undefined) return col.text(row);
  const v = col.value(row);
  if (v === null) return '-';
  return typeof v === 'number' ? formatCount(v) : v;
}
