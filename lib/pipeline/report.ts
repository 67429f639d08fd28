/**
 * The report command's pass: what the HTML report draws, gathered in one reading of the capture. Every
 * connection logs its segments while it is open (lib/graph/segment-log.ts, bounded); when it ends, it goes on
 * the timeline and is offered to the top lists, and only a connection that gets into one (or was asked for) has
 * its log turned into a detail; the others' logs are reused. Memory: the open connections' logs, the bounded
 * timeline and the details of at most 4 x top connections.
 */
import type { TcpPacket } from '../decode/index.js';
import { TcpFlag } from '../decode/packet.js';
import type { AssemblerContext, ConnectionInfo, Direction, OverlapEvent, OverlapObserver, ScatterGather } from '../reassembly/index.js';
import { kindCode, MIN_SEGMENTS, SegmentLog } from '../graph/segment-log.js';
import { TimeBins } from '../graph/time-bins.js';
import { DEFAULT_TIMELINE_LIMIT, timelineClass, TimelineSample } from '../graph/timeline.js';
import { TopList } from '../graph/top-list.js';
import { REPORT_DATA_VERSION, TOP_MEASURE_COUNTER, TOP_MEASURES, type ConflictMarkJson, type ConnectionDetail, type HoleJson, type ReportData, type TopMeasure } from '../graph/report-data.js';
import { connectionJson } from '../report/connection-columns.js';
import { RecordNames } from '../report/record-names.js';
import { summaryJson } from '../report/render.js';
import { summaryLines } from '../report/summary.js';
import { formatCaptureTime, formatEpoch } from '../report/time.js';
import { readRow, ROW_FIELDS } from '../schema/row.js';
import { STATE_WORDS, stateCode } from '../schema/states.js';
import { packageVersion } from '../version.js';
import { fillingNames, keepingWarnings } from './collect.js';
import { holeStart, holeTime } from './hole.js';
import { inputName, type PassInput, type PassOptions } from './options.js';
import { runPass, type ConnectionHandler, type PassConsumer, type PassResult } from './pass.js';
import { writeRow } from './snapshot.js';
import { runSummary, type RunSummary } from './summary.js';

/** Options of {@link reportCapture}. */
export interface ReportOptions {
  /** Connections in each top list (by bytes, missing bytes, overlaps, conflicts). Default 10. */
  top?: number;
  /** Connections drawn in detail whatever their rank. */
  ids?: readonly number[];
  /** Most segments drawn for one connection; a longer one is thinned evenly. Default {@link DEFAULT_MAX_SEGMENTS}. */
  maxSegments?: number;
  /** Most connections on the timeline; past it a uniform sample. Default {@link DEFAULT_TIMELINE_LIMIT}. */
  timelineLimit?: number;
}

export const DEFAULT_TOP = 10;
export const DEFAULT_MAX_SEGMENTS = 4000;
/** Holes listed for one connection; the rest are counted. */
const MAX_HOLES = 1000;

/** Result of {@link reportCapture}. */
export interface ReportResult {
  data: ReportData;
  summary: RunSummary;
  pass: PassResult;
}

/** One open connection's part: its segment log and holes. Reused for the next connection when not kept. */
class ReportConnection implements ConnectionHandler {
  readonly log: SegmentLog;
  /** Holes as runs of five numbers: dir, absolute seq, length, tsSec, tsNsec. */
  readonly holes: number[] = [];
  holesOmitted = 0;
  /** First sequence number seen in each direction (-1: none), the base when no SYN was seen. */
  readonly firstSeq = [-1, -1];
  id = -1;

  constructor(
    private readonly report: ReportConsumer,
    maxSegments: number,
  ) {
    this.log = new SegmentLog(maxSegments);
  }

  start(id: number): void {
    this.id = id;
    this.log.reset();
    this.holes.length = 0;
    this.holesOmitted = 0;
    this.firstSeq[0] = this.firstSeq[1] = -1;
  }

  segment(pkt: TcpPacket, dir: Direction): void {
    if (this.firstSeq[dir] === -1) this.firstSeq[dir] = pkt.seq >>> 0;
    if ((pkt.flags & TcpFlag.SYN) !== 0 && pkt.windowScale >= 0) this.log.synScale(dir, pkt.windowScale);
    this.log.add(pkt.tsSec, pkt.tsNsec, pkt.recordNumber, dir, pkt.seq, pkt.ack, pkt.wireLength, pkt.window, pkt.flags);
    this.report.current = this;
    this.report.bins.segment(pkt.tsSec + pkt.tsNsec * 1e-9, pkt.wireLength);
  }

  reassembled(sg: ScatterGather, ctx: AssemblerContext): void {
    const info = sg.info();
    if (info.skip <= 0) return;
    if (this.holes.length >= MAX_HOLES * 5) {
      this.holesOmitted++;
      return;
    }
    const at = holeTime(sg, ctx);
    this.holes.push(info.direction, holeStart(info), info.skip, at.tsSec, at.tsNsec);
  }

  complete(conn: ConnectionInfo): void {
    this.report.ended(this, conn);
  }
}

class ReportConsumer implements PassConsumer, OverlapObserver {
  readonly observer: OverlapObserver = this;
  readonly bins = new TimeBins();
  readonly timeline: TimelineSample;
  readonly tops: Record<TopMeasure, TopList>;
  /** The connection whose packet the engine is looking at: the one its overlap events are about. */
  current: ReportConnection | null = null;
  /** Connections drawn in detail, and their timeline line (a sampled timeline may have left them out). */
  readonly details = new Map<number, { detail: ConnectionDetail; line: TimelineLine }>();
  /** How many top lists hold each detailed connection (asked-for ones are never dropped). */
  private readonly refs = new Map<number, number>();
  private readonly asked: ReadonlySet<number>;
  readonly found = new Set<number>();
  private readonly spare: ReportConnection[] = [];
  private readonly row = new Float64Array(ROW_FIELDS);

  constructor(
    private readonly o: Required<Pick<ReportOptions, 'top' | 'maxSegments'>> & { timelineLimit: number; ids: readonly number[] },
    private readonly names: RecordNames,
  ) {
    this.timeline = new TimelineSample(o.timelineLimit);
    this.tops = { bytes: new TopList(o.top), missing: new TopList(o.top), overlaps: new TopList(o.top), conflicts: new TopList(o.top) };
    this.asked = new Set(o.ids);
  }

  open(conn: ConnectionInfo): ConnectionHandler {
    const h = this.spare.pop() ?? new ReportConnection(this, this.o.maxSegments);
    h.start(conn.id);
    return h;
  }

  onOverlap(ev: OverlapEvent): void {
    // Conflicts are drawn from the connection's own list when it ends; the others mark the segment just logged.
    const h = this.current;
    if (ev.kind === 'conflict' || h === null || h.id !== ev.connection.id) return;
    h.log.mark(kindCode(ev.kind));
  }

  ended(h: ReportConnection, conn: ConnectionInfo): void {
    if (this.current === h) this.current = null;
    const [a, b] = conn.stats;
    const start = conn.firstTsSec + conn.firstTsNsec * 1e-9;
    const end = conn.lastTsSec + conn.lastTsNsec * 1e-9;
    const missing = a.missingBytes + b.missingBytes;
    const conflicts = a.conflicts + b.conflicts;
    const cls = timelineClass(STATE_WORDS[stateCode(conn.endReason)]!, missing, conflicts);
    this.timeline.add(conn.id, start, end, cls, a.bytes + b.bytes);
    this.bins.connection(start);
    let held = 0;
    for (const m of TOP_MEASURES) {
      const c = TOP_MEASURE_COUNTER[m];
      const out = this.tops[m].offer(conn.id, a[c] + b[c]);
      if (out === conn.id) continue;
      held++;
      if (out >= 0) this.release(out);
    }
    const asked = this.asked.has(conn.id);
    if (asked) this.found.add(conn.id);
    if (held > 0 || asked) {
      this.refs.set(conn.id, held);
      this.details.set(conn.id, { detail: this.detail(h, conn), line: { id: conn.id, start, end, cls, bytes: a.bytes + b.bytes } });
    }
    this.spare.push(h);
  }

  /** A connection pushed out of a top list: its detail goes when no list (and no --id) holds it. */
  private release(id: number): void {
    const n = (this.refs.get(id) ?? 1) - 1;
    if (n > 0 || this.asked.has(id)) {
      this.refs.set(id, n);
      return;
    }
    this.refs.delete(id);
    this.details.delete(id);
  }

  private detail(h: ReportConnection, conn: ConnectionInfo): ConnectionDetail {
    writeRow(this.row, 0, conn);
    const row = connectionJson(readRow(this.row, 0)) as Record<string, unknown>;
    const isn = [conn.isn(0), conn.isn(1)];
    const base: [number, number] = [0, 1].map((d) => (isn[d]! >= 0 ? isn[d]! >>> 0 : Math.max(0, h.firstSeq[d]!))) as [number, number];
    const rel = (dir: number, seq: number): number => (seq - base[dir]!) >>> 0;
    const [sec, nsec] = h.log.start;
    const since = (s: number, ns: number): number => Math.round((s - sec) * 1e9 + (ns - nsec)) / 1e9;
    const holes: HoleJson[] = [];
    for (let i = 0; i < h.holes.length; i += 5) {
      const dir = h.holes[i] as 0 | 1;
      holes.push({ dir, seq: rel(dir, h.holes[i + 1]!), length: h.holes[i + 2]!, t: since(h.holes[i + 3]!, h.holes[i + 4]!) });
    }
    const conflicts: ConflictMarkJson[] = conn.conflicts.map((r) => ({
      dir: r.direction,
      seq: rel(r.direction, r.seq),
      length: r.length,
      t: since(r.newTsSec, r.newTsNsec),
      oldRecord: this.names.number(r.oldRecordNumber),
      newRecord: this.names.number(r.newRecordNumber),
      kept: r.winner,
      firstDifference: rel(r.direction, r.firstDifferenceSeq),
    }));
    const segments = h.log.columns(base);
    for (let i = 0; i < segments.record.length; i++) segments.record[i] = this.names.number(segments.record[i]!);
    const ws = h.log.wscale;
    return {
      id: conn.id,
      label: `${endpoint(row.client as string, conn.client.port)} -> ${endpoint(row.server as string, conn.server.port)}`,
      row,
      startEpoch: formatEpoch(sec, nsec),
      startTime: formatCaptureTime(sec, nsec),
      base: [isn[0]! >= 0 ? 'isn' : 'first seen', isn[1]! >= 0 ? 'isn' : 'first seen'],
      wscale: ws[0]! >= 0 && ws[1]! >= 0 ? [ws[0]!, ws[1]!] : null,
      segments,
      segmentsTotal: h.log.total,
      strides: h.log.strides,
      holes,
      holesOmitted: h.holesOmitted,
      conflicts,
      reasons: [],
    };
  }
}

/** A connection's line on the timeline. */
interface TimelineLine {
  id: number;
  start: number;
  end: number;
  cls: number;
  bytes: number;
}

function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * The report command without writing: reads the capture once and returns what the HTML report draws (see
 * {@link ReportData}): the summary, the timeline, counts over time, the top connections by bytes, missing bytes,
 * overlap bytes and conflicts, and for each of those (and every id asked for) its segments, holes and
 * conflicts. Memory is bounded by the options whatever the capture holds. Throws CaptureError for unreadable
 * input.
 */
export async function reportCapture(source: PassInput, o: ReportOptions = {}, options: PassOptions = {}): Promise<ReportResult> {
  const maxSegments = o.maxSegments ?? DEFAULT_MAX_SEGMENTS;
  if (!(maxSegments >= MIN_SEGMENTS)) throw new RangeError(`maxSegments: at least ${MIN_SEGMENTS}, not ${maxSegments}`);
  const names = new RecordNames();
  const consumer = new ReportConsumer(
    { top: o.top ?? DEFAULT_TOP, maxSegments, timelineLimit: o.timelineLimit ?? DEFAULT_TIMELINE_LIMIT, ids: o.ids ?? [] },
    names,
  );
  const { options: opts, warnings } = keepingWarnings(fillingNames(options, names));
  const pass = await runPass(source, consumer, opts);
  const summary = runSummary(options.sourceName ?? inputName(source), pass, warnings);
  const kept = [...consumer.details.values()].sort((a, b) => a.detail.id - b.detail.id);
  const top = Object.fromEntries(TOP_MEASURES.map((m) => [m, consumer.tops[m].ranked()])) as Record<TopMeasure, number[]>;
  const asked = new Set(o.ids ?? []);
  for (const { detail } of kept) {
    detail.reasons = TOP_MEASURES.filter((m) => top[m].includes(detail.id));
    if (asked.has(detail.id)) detail.reasons.push('asked');
  }
  const data: ReportData = {
    version: REPORT_DATA_VERSION,
    tool: `tcpreasm ${packageVersion()}`,
    summary: summaryJson(summary) as Record<string, unknown>,
    summaryLines: summaryLines(summary),
    timeline: consumer.timeline.json(kept.map((k) => k.line)),
    bins: consumer.bins.json(),
    top,
    topN: o.top ?? DEFAULT_TOP,
    maxSegments,
    connections: kept.map((k) => k.detail),
    missingIds: (o.ids ?? []).filter((id) => !consumer.found.has(id)),
  };
  return { data, summary, pass };
}
