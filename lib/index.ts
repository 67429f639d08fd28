/**
 * tcpreasm's library API: every module's public API, with its types.
 *
 * - capture: readCapture / CaptureParser (pcap, pcapng, gzip, stdin), diagnostics, CaptureError
 * - decode: Decoder -> TcpPacket, DecodeStats
 * - reassembly: Assembler, StreamPool, Stream / StreamFactory, ScatterGather, statistics, tcpcheck
 * - net: address text; export: StreamExporter (tcpflow names, manifest.jsonl); report: rows and rendering
 * - pipeline: analyzeCapture, exportCapture, overlapsCapture, runPass (the one-pass driver the CLI uses)
 *
 * Names that two modules share are re-exported with a prefix: `ReportOverlapEvent`, `ReportOverlapKind`
 * (report rows) beside the engine's `OverlapEvent`, `OverlapKind`; `ExportConnectionInfo` (what the exporter
 * needs) beside the engine's `ConnectionInfo`.
 */
export * from './capture/index.js';
export * from './decode/index.js';
export * from './reassembly/index.js';
export {
  TcpSimpleFsm,
  TcpFsmStats,
  TcpOptionCheck,
  TcpOptionCheckStats,
  TcpState,
  type TcpSimpleFsmOptions,
  type TcpOptionCheckOptions,
} from './reassembly/tcpcheck.js';
export * from './net/index.js';
export * from './export/index.js';
export type { ConnectionInfo, OverlapEvent, OverlapKind } from './reassembly/index.js';
export type { ConnectionInfo as ExportConnectionInfo } from './export/index.js';
export * from './report/index.js';
export type { OverlapEvent as ReportOverlapEvent, OverlapKind as ReportOverlapKind } from './report/index.js';
export * from './pipeline/index.js';
