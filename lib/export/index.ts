export { DEFAULT_MAX_OPEN_FILES, StreamExporter, ConnectionExport, type ExportOptions, type ExportOutcome, type ExportSummary } from './exporter.js';
export { DirectionFile } from './direction-file.js';
export type { StreamSink, DirectionEnd, ExportConnection, ConnectionEnd } from './sink.js';
export { parseManifest, type ManifestRow, type ManifestEnd, type DirectionRow, type GapEntry } from './manifest.js';
export { RESERVE_FILE } from './reserve.js';
export { ExportError } from './errors.js';
export { realFs, type ExportFs } from './fs.js';
export { prepareOutputFolder } from './folder.js';
export { flowBaseName, withConnectionCount, tcpflowVlan, isSafeFileName, type FlowNameParts } from './naming.js';
