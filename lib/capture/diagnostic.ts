/** How bad a reader or decoder finding is. */
export type Severity = 'warning' | 'error';

/**
 * A finding about the capture file itself: damage, truncation, an unknown format.
 * Always says where: the byte offset in the (decompressed) stream and the record number it concerns.
 */
export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. `truncated-record`, `bad-block-length`, `not-a-capture`. */
  code: string;
  /** Human-readable sentence, including the offset and record number. */
  message: string;
  /** Byte offset in the (decompressed) capture stream where the problem was found. */
  fileOffset: number;
  /** Number of the packet record concerned (the one being read when it happened), 1-based; 0 for the file header. */
  recordNumber: number;
  /** Bytes of the file skipped or lost because of this problem, when known. */
  bytesSkipped?: number;
  /** The input it concerns, set when reading a capture set ({@link readCaptureSet}). */
  source?: string;
}

/** Receives diagnostics as they are found. */
export type DiagnosticSink = (d: Diagnostic) => void;
