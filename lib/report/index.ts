export type { ConnectionRow, DirectionStats, ReportSummary, OverlapEvent, OverlapKind } from './rows.js';
export {
  CONNECTION_COLUMNS,
  CONNECTION_CSV_KEYS,
  CONNECTION_TABLE_KEYS,
  CONNECTION_TABLE_HEADERS,
  OVERLAP_COLUMNS,
  OVERLAP_TOTAL_COLUMNS,
  addressSortKey,
  cellText,
  type Column,
  sumOverlapTotals,
  type OverlapTotals,
} from './columns.js';
export { SelectionError, findColumn, sortRows, topRows, sortedOrder, TopRows, connectionFilter, type ConnectionFilter } from './select.js';
export { ConnectionsJsonWriter, ConnectionsCsvWriter, writeTable, CONNECTION_TABLE_COLUMNS, type TextSink } from './stream.js';
export { csvField, csvLine } from './csv.js';
export { renderTable } from './table.js';
export { renderSummary } from './summary.js';
export {
  renderConnections,
  connectionJson,
  summaryJson,
  renderOverlaps,
  overlapEventJson,
  overlapCsvHeader,
  overlapCsvLine,
  overlapHeadline,
  OverlapTally,
  type ReportFormat,
} from './render.js';
export { formatBytes, formatCount, formatDuration, formatRate } from './format.js';
export { formatCaptureTime, formatEpoch, durationNs } from './time.js';
