import type {
  ConflictRecord,
  ConnectionInfo,
  OverlapEvent as EngineEvent,
  OverlapObserver,
  SuspiciousRst,
} from '../reassembly/index.js';
import { OverlapTally, type OverlapRow, type OverlapRowKind, type OverlapTotals } from '../report/index.js';
import { fillingNames, keepingWarnings } from './collect.js';
import { inputName, type PassInput, type PassOptions } from './options.js';
import { runPass, type ConnectionHandler, type PassConsumer, type PassResult } from './pass.js';
import { conflictJson } from './engine-json.js';
import { RecordNames } from '../report/record-names.js';
import { seqBase } from './seq-base.js';
import { runSummary, type RunSummary } from './summary.js';

/**
 * Kinds of event the overlaps report can select: the engine's overlap kinds, and `suspicious-rst` (an RST the
 * engine ignored as outside the receiver's window; from the connection's list when it ends).
 */
export type OverlapsKind = OverlapRowKind;

/** Options of {@link overlapsCapture}. */
export interface OverlapsOptions {
  /**
   * Only these kinds of event (`retransmission`, `partial-overlap`, `out-of-order`, `conflict`,
   * `suspicious-rst`).
   */
  kinds?: readonly OverlapsKind[];
  /**
   * Events kept for the result (conflicts are kept first); the tally still counts every event. Default 100 000:
   * the report of a capture with millions of retransmissions stays a bounded amount of memory.
   */
  limit?: number;
  /**
   * Called for every event as it happens (e.g. to stream CSV), whatever the limit. Suspicious RSTs come when
   * their connection ends (the engine lists them on the connection), the other kinds as the segment arrives.
   */
  onEvent?: (e: OverlapRow) => void;
}

/** Result of {@link overlapsCapture}. */
export interface OverlapsResult {
  /** Kept events: conflicts first, then suspicious RSTs, then the others, each in capture order. */
  events: OverlapRow[];
  /** Events not kept because of the limit. */
  eventsOmitted: number;
  /**
   * Totals by connection of every event (kept or not): conflicts first. `suspiciousRsts` counts every RST the
   * engine ignored, also those past its per-connection list bound (which have no event).
   */
  byConnection: OverlapTotals[];
  summary: RunSummary;
  pass: PassResult;
}

export const DEFAULT_EVENT_LIMIT = 100_000;

class OverlapsConsumer implements PassConsumer, OverlapObserver {
  readonly observer: OverlapObserver = this;
  readonly tally = new OverlapTally();
  readonly conflicts: OverlapRow[] = [];
  /** Suspicious RSTs, and the capture record of each (they are collected per connection, sorted at the end). */
  readonly rsts: OverlapRow[] = [];
  readonly rstRecords: number[] = [];
  readonly others: OverlapRow[] = [];
  omitted = 0;
  private readonly kinds: ReadonlySet<OverlapsKind> | null;
  private readonly wantRsts: boolean;
  private readonly limit: number;
  /** With a selection (PassOptions.select): ids of the chosen connections while they are open. */
  private readonly selected = new Set<number>();

  constructor(
    private readonly o: OverlapsOptions,
    private readonly selective: boolean,
    private readonly names: RecordNames,
  ) {
    this.kinds = o.kinds === undefined || o.kinds.length === 0 ? null : new Set(o.kinds);
    this.wantRsts = this.kinds === null || this.kinds.has('suspicious-rst');
    this.limit = o.limit ?? DEFAULT_EVENT_LIMIT;
  }

  open(conn: ConnectionInfo): ConnectionHandler | null {
    if (this.selective) this.selected.add(conn.id);
    return !this.selective && !this.wantRsts ? null : this.ending;
  }

  /** At the end of a connection: its suspicious RSTs become events; its selection verdict is dropped. */
  private readonly ending: ConnectionHandler = {
    reassembled: () => {},
    complete: (conn) => {
      this.selected.delete(conn.id);
      if (!this.wantRsts || conn.suspiciousRsts === 0) return;
      const list = conn.suspiciousRstRecords;
      for (let i = 0; i < list.length; i++) this.rst(conn, list[i]!);
      // Past the engine's list bound: counted in the totals, no event to show.
      const unlisted = conn.suspiciousRsts - list.length;
      if (unlisted > 0) this.tally.count(conn.id, 'suspicious-rst', unlisted, 0);
    },
  };

  private rst(conn: ConnectionInfo, r: SuspiciousRst): void {
    const e: OverlapRow = {
      tsSec: r.tsSec,
      tsNsec: r.tsNsec,
      connectionId: conn.id,
      direction: r.direction === 0 ? 'c2s' : 's2c',
      seqStart: r.seq,
      seqEnd: r.seq,
      bytes: 0,
      seqBase: seqBase(conn, r.direction),
      kind: 'suspicious-rst',
      detail: rstDetail(r, this.names),
      expected: r.expected,
      window: r.window,
    };
    this.tally.add(e);
    this.o.onEvent?.(e);
    if (this.rsts.length < this.limit) {
      this.rsts.push(e);
      this.rstRecords.push(r.recordNumber);
    } else this.omitted++;
  }

  onOverlap(ev: EngineEvent): void {
    if (this.kinds !== null && !this.kinds.has(ev.kind)) return;
    const conn = ev.connection;
    if (this.selective && !this.selected.has(conn.id)) return;
    // An event is a finding of the report, not per-packet work on the normal path: one object each.
    const record = ev.kind === 'conflict' ? (ev.conflict ?? findConflict(conn, ev)) : null;
    const e: OverlapRow = {
      tsSec: ev.tsSec,
      tsNsec: ev.tsNsec,
      connectionId: conn.id,
      direction: ev.direction === 0 ? 'c2s' : 's2c',
      seqStart: ev.seq,
      seqEnd: (ev.seq + ev.length) >>> 0,
      bytes: ev.kind === 'out-of-order' ? ev.length : ev.overlapBytes,
      seqBase: seqBase(conn, ev.direction),
      kind: ev.kind,
      detail: ev.kind === 'conflict' ? conflictDetail(record, ev, this.names) : this.names.text(ev.recordNumber),
      ...(record !== null ? { conflict: conflictJson(record, this.names) } : {}),
    };
    this.tally.add(e);
    this.o.onEvent?.(e);
    const list = ev.kind === 'conflict' ? this.conflicts : this.others;
    if (list.length < this.limit) list.push(e);
    else this.omitted++;
  }

  /** The suspicious RSTs kept, in capture order (record number; connections end in another order). */
  rstsInCaptureOrder(): OverlapRow[] {
    const order = this.rsts.map((_, i) => i);
    order.sort((a, b) => this.rstRecords[a]! - this.rstRecords[b]! || a - b);
    return order.map((i) => this.rsts[i]!);
  }
}

/** Where the RST was and what the receiver expected: the evidence that it could not have been accepted. */
function rstDetail(r: SuspiciousRst, names: RecordNames): string {
  const at = `${names.text(r.recordNumber)} (offset ${r.fileOffset})`;
  if (r.kind === 'not-taken') {
    return `${at}: in its window, but ${names.text(r.evidenceRecord)} acknowledged data sent after it: not taken, the connection went on`;
  }
  if (r.kind === 'not-acknowledging-syn') {
    return `${at}: does not acknowledge the SYN (ack ${r.expected} needed in SYN-SENT, RFC 9293): ignored, the connection went on`;
  }
  const off = (r.seq - r.expected) | 0;
  return (
    `${at}; seq ${off >= 0 ? '+' : ''}${off} from expected ${r.expected}, ` +
    `window ${r.window} B: ignored, the connection went on`
  );
}

/**
 * Both versions of a conflict in words: which copy was kept, each copy's record, segment length and hash. The
 * event carries its record; the lookup in the connection's list (findConflict) is the fallback for an engine
 * event without one.
 */
function conflictDetail(r: ConflictRecord | null, ev: EngineEvent, names: RecordNames): string {
  if (r === null) return `${names.text(ev.recordNumber)}; details not kept (more conflicts than the per-connection bound)`;
  const j = conflictJson(r);
  const first = (j.firstDifferenceSeq - j.seq) >>> 0;
  const seg = (n: number) => (n > 0 ? `${n} B segment` : 'segment length not known');
  return (
    `kept ${j.kept} copy (vs ${j.against}); first difference at +${first}; ` +
    `old: ${names.text(j.old.recordNumber)}, ${seg(j.old.segmentLength)}, ${j.hashName} ${j.old.hash}; ` +
    `new: ${names.text(j.new.recordNumber)}, ${seg(j.new.segmentLength)}, ${j.hashName} ${j.new.hash}`
  );
}

/** The event's record in the connection's list: the newest of this direction and range. */
function findConflict(conn: ConnectionInfo, ev: EngineEvent): ConflictRecord | null {
  const list = conn.conflicts;
  for (let i = list.length - 1; i >= 0; i--) {
    const r = list[i]!;
    if (r.direction === ev.direction && r.seq === ev.seq) return r;
  }
  return null;
}

/**
 * The overlaps command without printing: every overlap event (retransmission, partial overlap, out of order,
 * conflict) and every RST the engine ignored as outside the receiver's window (suspicious rst), with its capture
 * time, connection, direction and sequence range, and totals by connection.
 */
export async function overlapsCapture(source: PassInput, o: OverlapsOptions = {}, options: PassOptions = {}): Promise<OverlapsResult> {
  const names = new RecordNames();
  const consumer = new OverlapsConsumer(o, options.select !== undefined, names);
  const { options: opts, warnings } = keepingWarnings(fillingNames(options, names));
  const pass = await runPass(source, consumer, opts);
  const limit = o.limit ?? DEFAULT_EVENT_LIMIT;
  const events = consumer.conflicts.concat(consumer.rstsInCaptureOrder(), consumer.others);
  const omitted = consumer.omitted + Math.max(0, events.length - limit);
  if (events.length > limit) events.length = limit;
  const input = options.sourceName ?? inputName(source);
  return { events, eventsOmitted: omitted, byConnection: consumer.tally.totals(), summary: runSummary(input, pass, warnings), pass };
}
