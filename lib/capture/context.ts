import type { Diagnostic, DiagnosticSink, Severity } from './diagnostic.js';
import { DEFAULT_MAX_RECORD_LENGTH, type ParserOptions } from './options.js';
import { CaptureRecord } from './record.js';
import type { InterfaceInfo, ReadSummary } from './summary.js';

/** At most this many interfaces are listed in the summary: a hostile file may describe millions. */
const MAX_LISTED_INTERFACES = 4096;

/**
 * State shared by the push parser and the format readers: the one reused record, the callbacks, the counters
 * that become the ReadSummary, and the flags that stop reading. Internal to lib/capture.
 */
export class ReaderContext {
  readonly record = new CaptureRecord();
  readonly onRecord: (rec: CaptureRecord) => void;
  readonly onDiagnostic: DiagnosticSink | undefined;
  readonly maxRecordLength: number;
  readonly resync: boolean;
  readonly signal: AbortSignal | undefined;
  readonly sourceName: string;

  /** Bytes a reader needs from where it stopped before it can go on; set whenever it stops short. */
  need = 0;
  /** The input has ended: readers must consume everything, reporting what is cut short. */
  eof = false;
  /** Stop reading: damage without recovery, or the AbortSignal. Checked after every record. */
  halted = false;
  aborted = false;
  stoppedOnDamage = false;
  /** False once the input is known to end other than on a record boundary (truncation, unfinished scan, gzip error). */
  cleanTail = true;

  // --- what the summary reports ---
  format: 'pcap' | 'pcapng' | undefined = undefined;
  byteOrder: 'little' | 'big' = 'little';
  nanosecond = false;
  readonly interfaces: InterfaceInfo[] = [];
  interfaceCount = 0;
  sections = 0;
  records = 0;
  recordsSeen = 0;
  truncatedRecords = 0;
  readonly diagnostics: Record<string, number> = {};

  constructor(onRecord: (rec: CaptureRecord) => void, options: ParserOptions) {
    this.onRecord = onRecord;
    this.onDiagnostic = options.onDiagnostic;
    const max = options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH;
    if (!Number.isSafeInteger(max) || max < 64 || max > 0x7fffffff) {
      throw new RangeError(`maxRecordLength must be an integer from 64 to 2^31-1, got ${max}`);
    }
    this.maxRecordLength = max;
    this.resync = options.resync ?? false;
    this.signal = options.signal;
    this.sourceName = options.sourceName ?? '<stream>';
    this.record.readBack = options.readBack ?? null;
  }

  /** Hands the filled record to the consumer. */
  deliver(): void {
    const rec = this.record;
    this.records++;
    if (rec.capturedLength < rec.originalLength) this.truncatedRecords++;
    this.onRecord(rec);
    if (this.signal !== undefined && this.signal.aborted) {
      this.aborted = true;
      this.halted = true;
    }
  }

  /** Reports a finding; the message is prefixed with the source name, offset and record number. */
  diag(severity: Severity, code: string, fileOffset: number, recordNumber: number, what: string, bytesSkipped?: number): void {
    this.diagnostics[code] = (this.diagnostics[code] ?? 0) + 1;
    if (this.onDiagnostic === undefined) return;
    let message = `${this.sourceName}: offset ${fileOffset}, record ${recordNumber}: ${what}`;
    if (bytesSkipped !== undefined) message += `; ${bytesSkipped} bytes skipped`;
    const d: Diagnostic = { severity, code, message, fileOffset, recordNumber };
    if (bytesSkipped !== undefined) d.bytesSkipped = bytesSkipped;
    this.onDiagnostic(d);
  }

  /** Records an interface description for the summary. */
  addInterface(info: InterfaceInfo): void {
    this.interfaceCount++;
    if (this.interfaces.length < MAX_LISTED_INTERFACES) this.interfaces.push(info);
    if (info.unitsPerSecond > 1e6) this.nanosecond = true;
  }

  /** The summary so far. */
  summary(bytes: number, atEnd: boolean): ReadSummary {
    return {
      format: this.format ?? 'pcap',
      compressed: false,
      byteOrder: this.byteOrder,
      nanosecond: this.nanosecond,
      interfaces: this.interfaces.slice(),
      interfaceCount: this.interfaceCount,
      sections: this.sections,
      records: this.records,
      recordsSeen: this.recordsSeen,
      truncatedRecords: this.truncatedRecords,
      bytes,
      sourceBytes: bytes,
      sourceSha256: null,
      diagnostics: { ...this.diagnostics },
      cleanEnd: atEnd && this.cleanTail && !this.halted,
      aborted: this.aborted,
      stoppedOnDamage: this.stoppedOnDamage,
    };
  }
}

/** The contract between the push parser and a format reader. */
export interface FormatReader {
  /**
   * Consumes what it can of `buf[off, end)`, whose first byte is at `at` in the capture stream, delivering
   * records as it goes. Returns the bytes consumed. When it stops before `end` without being halted, it has set
   * `ctx.need` to more than the bytes left (measured from where it stopped). When `ctx.eof` is set it must
   * consume everything, reporting what is cut short.
   */
  parse(buf: Buffer, off: number, end: number, at: number): number;
}
