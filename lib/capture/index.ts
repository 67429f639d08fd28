export { CaptureParser } from './parser.js';
export { readCapture, type CaptureSource } from './source.js';
export { CaptureError, type CaptureErrorCode } from './errors.js';
export { DEFAULT_MAX_RECORD_LENGTH, type ParserOptions, type ReadOptions } from './options.js';
export type { InterfaceInfo, ReadSummary } from './summary.js';
export { CaptureRecord, LinkType } from './record.js';
export type { Diagnostic, DiagnosticSink, Severity } from './diagnostic.js';
export { captureSize, expandInputs, readCaptureSet, type CaptureSetOptions, type CaptureTime, type CaptureSetSummary, type InputSummary, type SkippedInput } from './capture-set.js';
export { inputOfRef, recordOfRef, recordRef } from './record-ref.js';
