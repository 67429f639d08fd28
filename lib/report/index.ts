export type { ConnectionRow, DirectionReport, RunSummary, WarningJson, OverlapRow, OverlapRowKind } from './rows.js';
export {
  OVERLAP_COLUMNS,
  overlapTableColumns,
  OVERLAP_TOTAL_COLUMNS,
  cellText,
  type Column,
  sumOverlapTotals,
  type OverlapTotals,
} from './columns.js';
export { CONNECTION_COLUMNS, CONNECTION_CSV_COLUMNS, CONNECTION_DEFAULT_COLUMNS, CONNECTION_TABLE_COLUMNS, CONNECTION_TABLE_PRIORITY, addressSortKey, connectionJson } from './connection-columns.js';
export { SelectionError, checkTop, findColumn, sortedOrder, TopRows, connectionFilter, type ConnectionFilter, type Selectable } from './select.js';
export { ConnectionsJsonWriter, ConnectionsCsvWriter, type TextSink } from './stream.js';
export { csvField, csvLine } from './csv.js';
export { fittedTableText, tableText, writeTable, type TableFit, type TableLayout } from './table.js';
export { renderSummary } from './summary.js';
export {
  summaryCsv,
  summaryJson,
  overlapEventJson,
  overlapCsvHeader,
  overlapCsvLine,
  overlapHeadline,
  OverlapTally,
  type ReportFormat,
} from './render.js';
export { counted, formatBytes, formatCount, formatDuration, formatRate, wrapText } from './format.js';
export { formatCaptureTime, formatEpoch, durationNs } from './time.js';
export { followWriter, type FollowEvent, type FollowFormat, type FollowWriterOptions } from './follow-text.js';
export { RecordNames } from './record-names.js';
