import { formatCount } from './format.js';
import { relativeSeq, type ConflictJson, type OverlapRow } from './rows.js';
import { formatCaptureTime, formatEpoch } from './time.js';

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

/** Exact sort text of a capture time (seconds * 1e9 + ns would pass 2^53 and lose the nanoseconds). */
export function timeKey(sec: number, nsec: number): string {
  return `${String(sec + 1e11).padStart(12, '0')}${String(nsec).padStart(9, '0')}`;
}

/** A numeric column. */
export function num<T>(key: string, header: string, value: (row: T) => number): Column<T> {
  return { key, header, numeric: true, value };
}

/** Every column of the overlaps report. */
export const OVERLAP_COLUMNS: ReadonlyArray<Column<OverlapRow>> = [
  { key: 'time', header: 'time', numeric: false, value: (e) => formatCaptureTime(e.tsSec, e.tsNsec), sortKey: (e) => timeKey(e.tsSec, e.tsNsec) },
  { key: 'epoch', header: 'epoch', numeric: false, value: (e) => formatEpoch(e.tsSec, e.tsNsec), sortKey: (e) => timeKey(e.tsSec, e.tsNsec) },
  num('connectionId', 'conn', (e) => e.connectionId),
  { key: 'direction', header: 'dir', numeric: false, value: (e) => e.direction },
  { key: 'seqStart', header: 'seq start', numeric: true, value: (e) => e.seqStart, text: (e) => String(e.seqStart) },
  { key: 'seqEnd', header: 'seq end', numeric: true, value: (e) => e.seqEnd, text: (e) => String(e.seqEnd) },
  { key: 'relativeSeqStart', header: 'seq start', numeric: true, value: (e) => relativeSeq(e.seqStart, e.seqBase), text: relText((e) => e.seqStart) },
  { key: 'relativeSeqEnd', header: 'seq end', numeric: true, value: (e) => relativeSeq(e.seqEnd, e.seqBase), text: relText((e) => e.seqEnd) },
  num('bytes', 'bytes', (e) => e.bytes),
  { key: 'kind', header: 'kind', numeric: false, value: (e) => e.kind },
  { key: 'detail', header: 'detail', numeric: false, value: (e) => e.detail ?? '' },
  // Conflicts only (empty for the other kinds): both copies, structured.
  ...conflictColumns([
    ['kept', (c) => c.kept],
    ['against', (c) => c.against],
    ['firstDifferenceOffset', (c) => (c.firstDifferenceSeq - c.seq) >>> 0],
    ['oldRecord', (c) => c.old.recordNumber],
    ['oldInput', (c) => c.old.input ?? null],
    ['oldSegmentLength', (c) => c.old.segmentLength],
    ['oldHash', (c) => c.old.hash],
    ['newRecord', (c) => c.new.recordNumber],
    ['newInput', (c) => c.new.input ?? null],
    ['newSegmentLength', (c) => c.new.segmentLength],
    ['newHash', (c) => c.new.hash],
    ['hashName', (c) => c.hashName],
    ['sampleOffset', (c) => c.sampleOffset],
    ['oldSample', (c) => c.old.sample],
    ['newSample', (c) => c.new.sample],
  ]),
];

/** Columns read from an event's conflict record; null (an empty CSV cell) for events without one. */
function conflictColumns(fields: ReadonlyArray<[string, (c: ConflictJson) => number | string | null]>): Array<Column<OverlapRow>> {
  return fields.map(([key, get]) => ({ key, header: key, numeric: false, value: (e: OverlapRow) => (e.conflict === undefined ? null : get(e.conflict)) }));
}

/** Relative sequence text; the absolute number, marked, for a connection without a seen SYN. */
function relText(seq: (e: OverlapRow) => number): (e: OverlapRow) => string {
  return (e) => {
    const r = relativeSeq(seq(e), e.seqBase);
    return r === null ? `${seq(e)} (abs)` : String(r);
  };
}

const overlapColumn = (key: string): Column<OverlapRow> => OVERLAP_COLUMNS.find((c) => c.key === key)!;

/**
 * The columns of the overlaps table: sequence numbers relative to the ISN as Wireshark shows them (absolute
 * with `absolute`); the full detail, epoch and both numberings stay in CSV and JSON.
 */
export function overlapTableColumns(absolute: boolean): ReadonlyArray<Column<OverlapRow>> {
  const seq = absolute ? ['seqStart', 'seqEnd'] : ['relativeSeqStart', 'relativeSeqEnd'];
  return ['time', 'connectionId', 'direction', ...seq, 'bytes', 'kind', 'detail'].map(overlapColumn);
}

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
