/**
 * The one-pass pipeline: capture reader -> decoder -> assembler -> command (analyze, export, overlaps), driven
 * by capture time. The CLI is a thin layer over these functions; the library API uses them directly.
 */
export { runPass, type ConnectionHandler, type PassConsumer, type PassResult } from './pass.js';
export { DEFAULT_CLOSE_AFTER_SEC, DEFAULT_FLUSH_AFTER_SEC, PIPELINE_POOL_DEFAULTS, type ConnectionSelector, type PassInput, type PassOptions } from './options.js';
export { TimeRange, type TimeBound } from './time-range.js';
export { analyzeCapture, streamAnalyze, type AnalyzeResult, type AnalyzeStreamOptions, type AnalyzeStreamResult } from './analyze.js';
export { IdReorder, DEFAULT_MAX_HELD_ROWS } from './reorder.js';
export { ConnectionRowStore } from './row-store.js';
export { ConnectionRowView } from './row-view.js';
export { exportCapture, type ExportResult } from './export.js';
export { overlapsCapture, DEFAULT_EVENT_LIMIT, type OverlapsKind, type OverlapsOptions, type OverlapsResult } from './overlaps.js';
export { conflictJson, directionConflicts, directionReport, type ConflictCopyJson, type ConflictJson } from './engine-json.js';
export { runSummary, hadWarnings, MAX_LISTED_WARNINGS, type RunSummary, type WarningJson } from './summary.js';
export { ConnectionChecks, checkTotals, type CheckTotals } from './checks.js';
export { analyzeReport, type AnalyzeReport, type AnalyzeReportOptions } from './analyze-report.js';
export { overlapsReport, type OverlapsReport, type OverlapsReportOptions } from './overlaps-report.js';
export { exportReport } from './export-report.js';
export { followCapture, type FollowedConnection, type FollowEvent, type FollowResult } from './follow.js';
