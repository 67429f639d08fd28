import { OVERLAP_COLUMNS, type OverlapTotals } from './columns.js';
import { csvLine } from './csv.js';
import { formatCount } from './format.js';
import { relativeSeq, type OverlapRow, type OverlapRowKind, type RunSummary } from './rows.js';
import { formatCaptureTime, formatEpoch } from './time.js';

/** Output formats of every report. */
export type ReportFormat = 'table' | 'csv' | 'json';

/** The JSON object of the summary (the same names, plus the throughput). */
export function summaryJson(s: RunSummary): object {
  return { ...s, bytesPerSecond: s.elapsedNs > 0 ? Math.round((s.inputBytes * 1e9) / s.elapsedNs) : null };
}

/**
 * A summary as CSV: one `field,value` line a number, text or flag, nested fields named by their JSON path
 * (`engine.ended.closed`, `inputs.0.name`), so a spreadsheet gets the same names as the JSON.
 */
export function summaryCsv(summary: object): string {
  let text = csvLine(['field', 'value']);
  const walk = (v: unknown, path: string): void => {
    if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, path === '' ? k : `${path}.${k}`);
    } else {
      text += csvLine([path, v === null || v === undefined ? '' : typeof v === 'boolean' ? String(v) : (v as string | number)]);
    }
  };
  walk(summary, '');
  return text;
}

/** The JSON object of one overlap event. */
export function overlapEventJson(e: OverlapRow): object {
  return {
    time: formatCaptureTime(e.tsSec, e.tsNsec),
    epoch: formatEpoch(e.tsSec, e.tsNsec),
    connectionId: e.connectionId,
    direction: e.direction,
    seqStart: e.seqStart,
    seqEnd: e.seqEnd,
    relativeSeqStart: relativeSeq(e.seqStart, e.seqBase),
    relativeSeqEnd: relativeSeq(e.seqEnd, e.seqBase),
    bytes: e.bytes,
    kind: e.kind,
    detail: e.detail ?? '',
    ...(e.expected !== undefined ? { expected: e.expected } : {}),
    ...(e.window !== undefined ? { window: e.window } : {}),
    ...(e.conflict !== undefined ? { conflict: e.conflict } : {}),
  };
}

/** CSV header of the overlap events, for writing events as they come. */
export function overlapCsvHeader(): string {
  return csvLine(OVERLAP_COLUMNS.map((c) => c.key));
}

/** One CSV line of an overlap event. */
export function overlapCsvLine(e: OverlapRow): string {
  return csvLine(OVERLAP_COLUMNS.map((c) => c.value(e)));
}

const KIND_FIELDS: Record<OverlapRowKind, [keyof OverlapTotals, keyof OverlapTotals | null]> = {
  conflict: ['conflicts', 'conflictBytes'],
  'suspicious-rst': ['suspiciousRsts', null],
  retransmission: ['retransmissions', 'retransmittedBytes'],
  'partial-overlap': ['partialOverlaps', 'partialOverlapBytes'],
  'out-of-order': ['outOfOrder', 'outOfOrderBytes'],
};

/** Counts overlap events per connection as they come (memory: one small object per connection with events). */
export class OverlapTally {
  private readonly byConnection = new Map<number, OverlapTotals>();
  events = 0;

  add(e: OverlapRow): void {
    this.count(e.connectionId, e.kind, 1, e.bytes);
    this.events++;
  }

  /**
   * Counts `n` events of a kind without an event object: findings the engine counted but did not list (the
   * suspicious RSTs past its per-connection bound). Not added to `events`.
   */
  count(connectionId: number, kind: OverlapRowKind, n: number, bytes: number): void {
    let t = this.byConnection.get(connectionId);
    if (t === undefined) {
      t = {
        connectionId,
        conflicts: 0,
        conflictBytes: 0,
        suspiciousRsts: 0,
        retransmissions: 0,
        retransmittedBytes: 0,
        partialOverlaps: 0,
        partialOverlapBytes: 0,
        outOfOrder: 0,
        outOfOrderBytes: 0,
      };
      this.byConnection.set(connectionId, t);
    }
    const [countKey, bytesKey] = KIND_FIELDS[kind];
    t[countKey] += n;
    if (bytesKey !== null) t[bytesKey] += bytes;
  }

  /** Totals per connection: connections with conflicts first (most first), then suspicious RSTs, then by id. */
  totals(): OverlapTotals[] {
    return [...this.byConnection.values()].sort(
      (a, b) => b.conflicts - a.conflicts || b.suspiciousRsts - a.suspiciousRsts || a.connectionId - b.connectionId,
    );
  }
}

/** The headline of the overlaps report: conflicts first, because they are the finding; then suspicious RSTs, if any. */
export function overlapHeadline(totals: readonly OverlapTotals[]): string {
  const conflicts = totals.reduce((s, t) => s + t.conflicts, 0);
  const conns = totals.filter((t) => t.conflicts > 0).length;
  const head =
    conflicts === 0
      ? 'No conflicting overlaps: every overlapping copy matched the data already seen.'
      : `CONFLICTS: ${formatCount(conflicts)} conflicting overlap${conflicts === 1 ? '' : 's'} in ${formatCount(conns)} connection${conns === 1 ? '' : 's'} (overlapping copies with different bytes).`;
  const rsts = totals.reduce((s, t) => s + t.suspiciousRsts, 0);
  if (rsts === 0) return head;
  const rstConns = totals.filter((t) => t.suspiciousRsts > 0).length;
  return (
    `${head}\nSUSPICIOUS RSTS: ${formatCount(rsts)} RST${rsts === 1 ? '' : 's'} that did not end the connection in ` +
    `${formatCount(rstConns)} connection${rstConns === 1 ? '' : 's'} (blind, forged or refused resets: the data after them is reassembled).`
  );
}
