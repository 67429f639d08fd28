/**
 * What the HTML report holds: one JSON document, built by the report pass (lib/pipeline/report.ts) and drawn by
 * the page's script (viewer-script.ts). Everything a drawing needs is here; the page fetches nothing.
 */
import type { SegmentColumns } from './segment-log.js';
import type { TimeBinsJson } from './time-bins.js';
import type { TimelineJson } from './timeline.js';

/** The format of {@link ReportData}; raised when a field changes meaning. */
export const REPORT_DATA_VERSION = 1;

/** The measures the overview ranks connections by. */
export const TOP_MEASURES = ['bytes', 'missing', 'overlaps', 'conflicts'] as const;
export type TopMeasure = (typeof TOP_MEASURES)[number];

/** The direction counter each measure adds up over both directions (the engine's and the row's name). */
export const TOP_MEASURE_COUNTER = { bytes: 'bytes', missing: 'missingBytes', overlaps: 'overlapBytes', conflicts: 'conflicts' } as const satisfies Record<TopMeasure, string>;

/** A hole: sequence space one direction never showed, skipped when the engine went on. */
export interface HoleJson {
  dir: 0 | 1;
  /** Relative sequence number of its first byte, and its length. */
  seq: number;
  length: number;
  /** Seconds since the connection's first packet: when the first byte after it arrived (or it was passed). */
  t: number;
}

/** A conflict as the graph marks it: where, and when the disagreeing copy came. */
export interface ConflictMarkJson {
  dir: 0 | 1;
  seq: number;
  length: number;
  t: number;
  /** Record numbers of the copy kept first and the later one, and which was kept. */
  oldRecord: number;
  newRecord: number;
  kept: string;
  /** Relative sequence number of the first byte that differs. */
  firstDifference: number;
}

/** One connection drawn in detail. */
export interface ConnectionDetail {
  id: number;
  /** `client:port -> server:port` (addresses in brackets for IPv6). */
  label: string;
  /** The connection as `analyze --format json` prints it. */
  row: Record<string, unknown>;
  /** Capture time of its first packet, epoch seconds (exact text) and ISO 8601. */
  startEpoch: string;
  startTime: string;
  /** What relative sequence numbers count from in each direction: the ISN, or the first seen without a SYN. */
  base: [BaseKind, BaseKind];
  /** Window scale applied to each direction's windows (both SYNs announced one), or null: raw field shown. */
  wscale: [number, number] | null;
  segments: SegmentColumns;
  /** Segments the connection had, and those kept: fewer when the log was thinned (`strides`: 1 in N kept). */
  segmentsTotal: number;
  strides: readonly [number, number];
  holes: HoleJson[];
  holesOmitted: number;
  conflicts: ConflictMarkJson[];
  /** Why it is drawn: the top lists it is in, `asked` for --id. */
  reasons: Array<TopMeasure | 'asked'>;
}

export type BaseKind = 'isn' | 'first seen';

export interface ReportData {
  version: number;
  /** `tcpreasm 0.1.0`. */
  tool: string;
  /** The run summary as `analyze --format json` prints it, and the lines of its table form. */
  summary: Record<string, unknown>;
  summaryLines: Array<[string, string]>;
  timeline: TimelineJson;
  bins: TimeBinsJson;
  /** Connection ids largest first, for each measure. */
  top: Record<TopMeasure, number[]>;
  /** The bound of each top list (--top). */
  topN: number;
  /** Most segments drawn for one connection (--max-segments). */
  maxSegments: number;
  /** Connections drawn in detail, by id. */
  connections: ConnectionDetail[];
  /** Ids asked for with --id that no connection had. */
  missingIds: number[];
}
