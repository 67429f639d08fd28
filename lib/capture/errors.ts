/**
 * Why a capture could not be read at all. Damage found after a valid file header is never a CaptureError: it is
 * a Diagnostic, and the records before it are still delivered.
 *
 * - `ENOENT`, `EACCES`, `EISDIR`, `open-failed`: the source could not be opened (or is a directory).
 * - `empty`: the source holds no bytes at all.
 * - `not-a-capture`: the first bytes are neither a pcap magic, a pcapng Section Header, nor gzip of one.
 * - `truncated-header`: a capture magic, but the input ends inside the file header.
 * - `gzip-not-supported`: gzip bytes handed to the synchronous {@link CaptureParser} (use readCapture).
 */
export type CaptureErrorCode =
  | 'ENOENT'
  | 'EACCES'
  | 'EISDIR'
  | 'open-failed'
  | 'empty'
  | 'not-a-capture'
  | 'truncated-header'
  | 'gzip-not-supported';

/** A source that is not a readable capture. The CLI maps it to exit code 2. */
export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  /** Machine-readable reason. */
  readonly code: CaptureErrorCode;
  /** The file path, `-` for standard input, or `<stream>`. */
  readonly source: string;
  /** Byte offset the problem concerns: always 0, the file header. */
  readonly fileOffset: number;
  /** Always 0: the file header, before any record. */
  readonly recordNumber = 0;

  constructor(code: CaptureErrorCode, source: string, detail: string, fileOffset = 0) {
    super(`${source}: ${detail} (offset ${fileOffset})`);
    this.code = code;
    this.source = source;
    this.fileOffset = fileOffset;
  }
}
