/**
 * tcpreasm's library API: what a user of the package needs, each documented in its module. Internals (row
 * storage, reorder buffers, page caches, flow tables, CSV quoting) stay inside; the CLI imports the modules
 * directly.
 *
 * - Each connection with its bytes: {@link connections} (an async iterator), {@link followStream} (one by id).
 * - HTTP/1.x: {@link httpExchanges} for one connection, {@link httpCapture} for a capture.
 * - Commands without printing: {@link analyzeCapture} / {@link streamAnalyze} (on several threads:
 *   {@link streamAnalyzeInWorkers}), {@link exportCapture} (on several threads: {@link exportInWorkers}),
 *   {@link overlapsCapture}, {@link reportCapture} (and {@link renderReportHtml} for its page); {@link runPass}
 *   to plug in your own per-connection handling.
 * - The engine (gopacket's reassembly design, its faults fixed): {@link Assembler} on a {@link StreamPool} with
 *   your {@link StreamFactory}; what a stream sees ({@link ScatterGather}, {@link ConnectionInfo}, {@link HalfStats}).
 * - Reading and decoding: {@link readCapture} / {@link CaptureParser} (pcap, pcapng, gzip, streams), {@link Decoder}.
 * - The report's one declaration: {@link DIRECTION_COUNTERS}, {@link CONNECTION_FIELDS}, {@link CONNECTION_STATES}.
 */

// The first line: each connection with its bytes, or one by id.
export {
  connections,
  followStream,
  type ConnectionsOptions,
  type DirectionData,
  type ReassembledConnection,
  type StreamPiece,
} from './pipeline/connections.js';

// HTTP/1.x: the exchanges of a connection, or of a whole capture.
export { httpExchanges, type ConnectionHttp } from './http/from-connection.js';
export type { HttpExchange, HttpMessage } from './http/connection.js';
export type { HttpHead, MessageEnd, BodyFraming } from './http/message-parser.js';
export { httpCapture, type HttpOptions, type HttpResult, type HttpProblem } from './pipeline/http.js';
export type { HttpRow } from './report/http-columns.js';

// Commands, without printing.
export {
  analyzeCapture,
  streamAnalyze,
  type AnalyzeResult,
  type AnalyzeStreamOptions,
  type AnalyzeStreamResult,
} from './pipeline/analyze.js';
export { streamAnalyzeInWorkers, type WorkersAnalyzeOptions, type WorkersAnalyzeResult, type ShardSelection } from './parallel/index.js';
export { exportInWorkers, type WorkersExportOptions, type WorkersExportResult } from './parallel/index.js';
export { analyzeReport, type AnalyzeReport, type AnalyzeReportOptions } from './pipeline/analyze-report.js';
export { exportCapture, type ExportResult } from './pipeline/export.js';
export { overlapsCapture, type OverlapsKind, type OverlapsOptions, type OverlapsResult } from './pipeline/overlaps.js';
export { runPass, type ConnectionHandler, type PassConsumer, type PassResult } from './pipeline/pass.js';

// The HTML report: its data in one pass, and the page made from it.
export { reportCapture, type ReportOptions, type ReportResult } from './pipeline/report.js';
export { renderReportHtml } from './graph/html.js';
export type { ReportData, ConnectionDetail, HoleJson, ConflictMarkJson, TopMeasure } from './graph/report-data.js';
export type { SegmentColumns, SegmentKind } from './graph/segment-log.js';
export type { TimelineJson } from './graph/timeline.js';
export type { TimeBinsJson } from './graph/time-bins.js';
export { DEFAULT_CLOSE_AFTER_SEC, DEFAULT_FLUSH_AFTER_SEC, type ConnectionSelector, type PassOptions } from './pipeline/options.js';
export type { ConnectionRowView } from './pipeline/row-view.js';

// What the commands report.
export type { ConnectionRow } from './schema/row.js';
export { CONNECTION_FIELDS, type FieldKind, type FieldSpec } from './schema/row.js';
export { DIRECTION_COUNTERS, type CounterSpec, type CounterUnit, type DirectionReport } from './schema/counters.js';
export { CONNECTION_STATES, type EndReason, type StateSpec } from './schema/states.js';
export type { RunSummary, WarningJson, OverlapRow, OverlapRowKind } from './report/rows.js';
export { parseManifest, type ManifestRow, type ManifestEnd, type DirectionRow, type GapEntry } from './export/manifest.js';
export type { ExportOptions, ExportOutcome, ExportSummary } from './export/exporter.js';
export { connectionFilter, SelectionError, type ConnectionFilter, type Selectable } from './report/select.js';

// The engine.
export { Assembler, type FlushOptions, type FlushResult } from './reassembly/assembler.js';
export { StreamPool } from './reassembly/pool.js';
export {
  CLIENT_TO_SERVER,
  SERVER_TO_CLIENT,
  ConflictRecord,
  Endpoint,
  SuspiciousRst,
  type ConflictWinner,
  type ConnectionInfo,
  type Direction,
} from './reassembly/connection.js';
export { HalfStats, AssemblerStats, PoolStats } from './reassembly/stats.js';
export type { ScatterGather, SgInfo, SgLengths, SgStats } from './reassembly/scatter-gather.js';
export {
  CaptureInfo,
  type AssemblerContext,
  type OverlapEvent,
  type OverlapKind,
  type OverlapObserver,
  type StartFlag,
  type Stream,
  type StreamFactory,
} from './reassembly/stream.js';
export {
  DEFAULT_ASSEMBLER_OPTIONS,
  DEFAULT_POOL_OPTIONS,
  type AssemblerOptions,
  type StreamPoolOptions,
} from './reassembly/options.js';
export { DEFAULT_PAGE_SIZE } from './reassembly/memory.js';
export { Sequence, seqAdd, seqDiff } from './reassembly/sequence.js';
export {
  TcpSimpleFsm,
  TcpOptionCheck,
  TcpState,
  TcpFsmStats,
  TcpOptionCheckStats,
  type TcpSimpleFsmOptions,
  type TcpOptionCheckOptions,
} from './reassembly/tcpcheck.js';

// Reading and decoding.
export { readCapture, type CaptureSource } from './capture/source.js';
export { CaptureParser } from './capture/parser.js';
export { CaptureRecord, LinkType } from './capture/record.js';
export { CaptureError, type CaptureErrorCode } from './capture/errors.js';
export type { ParserOptions, ReadOptions } from './capture/options.js';
export type { InterfaceInfo, ReadSummary } from './capture/summary.js';
export type { Diagnostic, DiagnosticSink, Severity } from './capture/diagnostic.js';
export { Decoder, type DecoderOptions } from './decode/decoder.js';
export { TcpPacket, TcpFlag } from './decode/packet.js';
export { DecodeStats } from './decode/stats.js';

// Output failures and address text.
export { ExportError } from './export/errors.js';
export { formatAddress, parseAddress, type AddressWords, type ParsedAddress } from './net/address.js';
