import type { CaptureSource } from '../capture/index.js';
import type { ConnectionInfo, OverlapEvent as EngineEvent, OverlapKind as EngineKind, OverlapObserver } from '../reassembly/index.js';
import { OverlapTally, type OverlapEvent, type OverlapKind, type OverlapTotals } from '../report/index.js';
import { keepingWarnings } from './collect.js';
import type { PassOptions } from './options.js';
import { runPass, type ConnectionHandler, type PassConsumer, type PassResult } from './pass.js';
import { conflictJson } from './rows.js';
import { runSummary, type RunSummary } from './summary.js';
import type { ConnectionSelector } from './export.js';

/** Report words of the engine's event kinds. */
const KIND: Readonly<Record<EngineKind, OverlapKind>> = {
  retransmission: 'retransmission',
  'partial-overlap': 'partial overlap',
  'out-of-order': 'out of order',
  conflict: 'conflict',
};

/** Options of {@link overlapsCapture}. */
export interface OverlapsOptions {
  /** Only these kinds of event (engine names: `retransmission`, `partial-overlap`, `out-of-order`, `conflict`). */
  kinds?: readonly EngineKind[];
  /** Which connections to report. */
  select?: ConnectionSelector;
  /**
   * Events kept for the result (conflicts are kept first); the tally still counts every event. Default 100 000:
   * the report of a capture with millions of retransmissions stays a bounded amount of memory.
   */
  limit?: number;
  /** Called for every event as it happens (e.g. to stream CSV), whatever the limit. */
  onEvent?: (e: OverlapEvent) => void;
}

/** Result of {@link overlapsCapture}. */
export interface OverlapsResult {
  /** Kept events: conflicts first, then the others, each in capture order. */
  events: OverlapEvent[];
  /** Events not kept because of the limit. */
  eventsOmitted: number;
  /** Totals by connection of every event (kept or not): conflicts first. */
  byConnection: OverlapTotals[];
  summary: RunSummary;
  pass: PassResult;
}

export const DEFAULT_EVENT_LIMIT = 100_000;

class OverlapsConsumer implements PassConsumer, OverlapObserver {
  readonly observer: OverlapObserver = this;
  readonly tally = new OverlapTally();
  readonly conflicts: OverlapEvent[] = [];
  readonly others: OverlapEvent[] = [];
  omitted = 0;
  private readonly kinds: ReadonlySet<EngineKind> | null;
  private readonly limit: number;
  /** Selection verdict per connection id while the connection is open (ids are dense and increasing). */
  private readonly selected = new Map<number, boolean>();

  constructor(private readonly o: OverlapsOptions) {
    this.kinds = o.kinds === undefined || o.kinds.length === 0 ? null : new Set(o.kinds);
    this.limit = o.limit ?? DEFAULT_EVENT_LIMIT;
  }

  open(conn: ConnectionInfo): ConnectionHandler | null {
    if (this.o.select !== undefined) this.selected.set(conn.id, this.o.select(conn));
    return this.o.select === undefined ? null : this.forget;
  }

  private readonly forget: ConnectionHandler = {
    reassembled: () => {},
    complete: (conn) => {
      this.selected.delete(conn.id);
    },
  };

  onOverlap(ev: EngineEvent): void {
    if (this.kinds !== null && !this.kinds.has(ev.kind)) return;
    const conn = ev.connection;
    if (this.o.select !== undefined && this.selected.get(conn.id) !== true) return;
    // An event is a finding of the report, not per-packet work on the normal path: one object each.
    const e: OverlapEvent = {
      tsSec: ev.tsSec,
      tsNsec: ev.tsNsec,
      connectionId: conn.id,
      direction: ev.direction === 0 ? 'c2s' : 's2c',
      seqStart: ev.seq,
      seqEnd: (ev.seq + ev.length) >>> 0,
      bytes: ev.kind === 'out-of-order' ? ev.length : ev.overlapBytes,
      kind: KIND[ev.kind],
      detail: ev.kind === 'conflict' ? conflictDetail(conn, ev) : `record ${ev.recordNumber}`,
    };
    this.tally.add(e);
    this.o.onEvent?.(e);
    const list = ev.kind === 'conflict' ? this.conflicts : this.others;
    if (list.length < this.limit) list.push(e);
    else this.omitted++;
  }
}

/** Both versions of a conflict in words: which copy was kept, each copy's record, segment length and hash. */
function conflictDetail(conn: ConnectionInfo, ev: EngineEvent): string {
  const list = conn.conflicts;
  // The event follows its record: the newest record of this direction and range.
  for (let i = list.length - 1; i >= 0; i--) {
    const r = list[i]!;
    if (r.direction !== ev.direction || r.seq !== ev.seq) continue;
    const j = conflictJson(r);
    const first = (j.firstDifferenceSeq - j.seq) >>> 0;
    const seg = (n: number) => (n > 0 ? `${n} B segment` : 'segment length not kept');
    return (
      `kept ${j.kept} copy (vs ${j.against}); first difference at +${first}; ` +
      `old: record ${j.old.recordNumber}, ${seg(j.old.segmentLength)}, ${j.hashName} ${j.old.hash}; ` +
      `new: record ${j.new.recordNumber}, ${seg(j.new.segmentLength)}, ${j.hashName} ${j.new.hash}`
    );
  }
  return `record ${ev.recordNumber}; details not kept (more conflicts than the per-connection bound)`;
}

/**
 * The overlaps command without printing: every overlap event (retransmission, partial overlap, out of order,
 * conflict) with its capture time, connection, direction and sequence range, and totals by connection.
 */
export async function overlapsCapture(source: CaptureSource, o: OverlapsOptions = {}, options: PassOptions = {}): Promise<OverlapsResult> {
  const consumer = new OverlapsConsumer(o);
  const { options: opts, warnings } = keepingWarnings(options);
  const pass = await runPass(source, consumer, opts);
  const limit = o.limit ?? DEFAULT_EVENT_LIMIT;
  const events = consumer.conflicts.concat(consumer.others);
  const omitted = consumer.omitted + Math.max(0, events.length - limit);
  if (events.length > limit) events.length = limit;
  const input = options.sourceName ?? (typeof source === 'string' ? source : '<stream>');
  return { events, eventsOmitted: omitted, byConnection: consumer.tally.totals(), summary: runSummary(input, pass, warnings), pass };
}
