import type { CaptureReadBack } from './read-back.js';
import type { DiagnosticSink } from './diagnostic.js';

/**
 * Default cap on one record's captured length (classic pcap) or one block's total length (pcapng).
 *
 * Why 1 MiB: the largest packets real capture tools write are 262 144 bytes (tcpdump's and Wireshark's maximum
 * snaplen, enough for GRO/TSO super-frames); 1 MiB leaves four times that for odd writers. The cap is what keeps
 * memory bounded on damaged input: a garbage length field must not make the reader buffer gigabytes waiting
 * for a record that will never come, so anything longer is treated as damage.
 */
export const DEFAULT_MAX_RECORD_LENGTH = 1024 * 1024;

/** Options of the push parser ({@link CaptureParser}). */
export interface ParserOptions {
  /** Receives damage reports (file offset, record number). Without it they are only counted in the summary. */
  onDiagnostic?: DiagnosticSink;
  /** Cap for a record's captured length / a pcapng block's length, in bytes. Default {@link DEFAULT_MAX_RECORD_LENGTH}. */
  maxRecordLength?: number;
  /**
   * Classic pcap only: on an impossible record header, scan forward for the next plausible record and resume
   * (reporting the bytes skipped) instead of stopping. pcapng always resyncs, its blocks are self-delimiting.
   */
  resync?: boolean;
  /** Stops delivery early: checked after every record; once aborted the parser ignores further input. */
  signal?: AbortSignal;
  /** Name of the source in messages (path, `-`, `<stream>`). */
  sourceName?: string;
  /** Set on every record ({@link CaptureRecord.readBack}): how the pushed bytes can be read again by offset. */
  readBack?: CaptureReadBack;
}

/** Options of {@link readCapture}. */
export interface ReadOptions extends Omit<ParserOptions, 'readBack'> {
  /**
   * Called once per chunk with the bytes of the source consumed so far: compressed bytes for gzip, so the
   * figure compares with the file size for a progress bar.
   */
  onProgress?: (bytesOfSourceConsumed: number) => void;
  /** Awaited between chunks: lets a consumer apply back-pressure (e.g. wait for an output drain). */
  afterChunk?: () => void | Promise<void>;
  /** Size of the reusable read buffer for plain files, in bytes. Default 2 MiB. */
  chunkSize?: number;
  /**
   * Hash the source: `ReadSummary.sourceSha256`, always of the whole source (a capture that stops on damage
   * included). A file is hashed by a worker thread reading it a second time; a pipe as it is read.
   */
  hashSource?: boolean;
}
