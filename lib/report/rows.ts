/**
 * The plain rows and totals reports are rendered from. The pipeline fills them from the engine's statistics;
 * nothing here depends on the engine. Field names are the stable camelCase names of the JSON output.
 */

/** One connection of a report and one direction's counters: declared in lib/schema (row.ts, counters.ts). */
export type { ConnectionRow } from '../schema/row.js';
export type { DirectionReport } from '../schema/counters.js';
import type { EndedCounts } from '../schema/states.js';

/** Totals of a whole run: what every report ends with. */
interface RunTotals {
  /** Capture file name as given (`-` for stdin). */
  input: string;
  /** Bytes read from the capture (decompressed bytes for gzip). */
  inputBytes: number;
  packetsRead: number;
  tcpSegments: number;
  connections: number;
  bytesReassembled: number;
  bytesMissing: number;
  overlapBytes: number;
  overlapPackets: number;
  conflicts: number;
  /** RSTs ignored as outside the receiver's window (the connection went on; see `--rst-policy`). */
  rstIgnored: number;
  /** RSTs the window accepted but the receiver went on after (rstPolicy 'evidence'). */
  rstNotTaken: number;
  /** Segments dropped as outside any plausible window (sequence numbers far from the stream), and their bytes. */
  outOfWindowPackets: number;
  outOfWindowBytes: number;
  /** Packets the decoder could not use, by kind (`truncated-ip`, `bad-tcp-header`, ...). */
  malformed: Record<string, number>;
  /** Reader diagnostics by code (`truncated-record`, `bad-block-length`, ...). */
  diagnostics: Record<string, number>;
  /** Wall-clock time of the run. */
  elapsedNs: number;
}

/** One input of the run, as the summary lists it. */
export interface InputJson {
  /** The path as given or found in a folder, `-` for standard input. */
  name: string;
  /** File size in bytes; null for a pipe. */
  size: number | null;
  format: 'pcap' | 'pcapng';
  compressed: boolean;
  records: number;
  /** Capture time of its first and last record, ISO 8601 UTC with nanoseconds; null when it had none. */
  firstTime: string | null;
  lastTime: string | null;
  cleanEnd: boolean;
}

/** A reader diagnostic as the JSON summary lists it. */
export interface WarningJson {
  severity: 'warning' | 'error';
  code: string;
  message: string;
  fileOffset: number;
  recordNumber: number;
  bytesSkipped: number | null;
  /** The input it concerns (the one input of a single-capture run). */
  input: string;
}

/** The whole-run summary of every report: the report's totals, plus reader, decoder, engine and check figures. */
export interface RunSummary extends RunTotals {
  /** Packets read per second of wall-clock time. */
  packetsPerSecond: number | null;
  /** Every input, in the order of the merged timeline (first record first). */
  inputs: InputJson[];
  /** Records left out by --since / --until. */
  recordsOutsideTime: number;
  /**
   * Worker threads the connections were shared out over (`--workers`); absent for one. The engine's peaks are
   * then the workers' peaks added up.
   */
  workers?: number;
  /** The run was stopped (Ctrl-C, or an output failure) before the end of the capture. */
  interrupted: boolean;
  reader: {
    format: 'pcap' | 'pcapng';
    compressed: boolean;
    byteOrder: 'little' | 'big';
    nanosecond: boolean;
    interfaces: Array<{ id: number; section: number; linkType: number; snaplen: number; name: string | null }>;
    /** Records delivered; records met including skipped damaged ones. */
    records: number;
    recordsSeen: number;
    /** Records cut by snaplen (captured length below the original length). */
    truncatedRecords: number;
    /** Bytes of the source read (compressed bytes for gzip). */
    sourceBytes: number;
    cleanEnd: boolean;
    stoppedOnDamage: boolean;
  };
  decode: {
    packets: number;
    tcp: number;
    nonTcp: number;
    nonTcpByKind: Record<string, number>;
    malformed: number;
    checksumFailed: number;
    snaplenCut: number;
    badTcpOptions: number;
    fragments: number;
    fragmentsReassembled: number;
    fragmentOverlapConflicts: number;
    fragmentsUnfinished: number;
    /** TCP segments that came out of a tunnel or other encapsulation. */
    encapsulated: number;
    /** Encapsulated segments whose tunnel was not told apart (beyond the bound of distinct encapsulations). */
    encapsulationsUnkept: number;
    /** IPv4 packets with an option of a length its RFC forbids but Linux and BSD accept (delivered, warned). */
    ipv4OptionOddities: number;
  };
  engine: {
    packets: number;
    connectionsCreated: number;
    connectionsPeakOpen: number;
    midStreamPickups: number;
    portReuses: number;
    /** Connections ended, by state (lib/schema/states.ts): `closed`, `reset`, `timedOut`, `openAtEnd`, ... */
    ended: EndedCounts;
    /** Connections closed to respect --max-connections (the idlest first). */
    connectionsEvicted: number;
    packetsToTombstones: number;
    /** Bytes of one page of the engine's memory. */
    pageSize: number;
    /** Highest number of pages in use at once: buffered plus delivered-data windows. */
    pagesPeak: number;
    bufferedPagesPeak: number;
    /** Window pages of copied bytes (input that cannot be read back: a pipe, gzip, reassembled datagrams). */
    windowPagesPeak: number;
    /** Run descriptors (64 bytes each) of the windows of bytes read back from the capture file, at most at once. */
    windowRunsPeak: number;
    /** Missing bytes caused by the page limits rather than by the capture (subset of bytesMissing). */
    bytesSkippedByLimits: number;
    limitHitsPerConnection: number;
    limitHitsTotal: number;
    retransmittedPackets: number;
    retransmittedBytes: number;
    conflictBytes: number;
    conflictChecksImpossible: number;
    /** Packets the optional checks refused. */
    rejected: number;
  };
  checks: {
    state: { accepted: number; rejected: number; noHandshake: number; badHandshake: number; unexpectedSyn: number; afterClose: number } | null;
    options: { accepted: number; rejected: number; exceedsMss: number; outsideWindow: number; retransmission: number } | null;
  };
  /** The first reader diagnostics in full (at most {@link MAX_LISTED_WARNINGS}); `diagnostics` counts them all. */
  warnings: WarningJson[];
}

/**
 * What an event of the overlaps report was: the same words `--kind` takes. `suspicious-rst`: an RST the engine ignored because its sequence
 * number lay outside any window the receiver could have had (a blind or forged reset); the connection went on.
 */
export type OverlapRowKind = 'retransmission' | 'partial-overlap' | 'out-of-order' | 'conflict' | 'suspicious-rst';

/** One conflicting overlap as JSON: where, both copies (time, record, segment length, hash), which was kept. */
export interface ConflictJson {
  direction: 'c2s' | 's2c';
  /** Sequence range [seq, seq + length) compared, and the first byte that differs. */
  seq: number;
  length: number;
  firstDifferenceSeq: number;
  /** The copy compared against was still buffered (out of order) or already delivered. */
  against: 'buffered' | 'delivered';
  /** Which copy the exported stream holds: `old` (first seen) or `new` (the later one). */
  kept: 'old' | 'new';
  hashName: string;
  /** Where the samples start: bytes after `seq` (at most 16 before the first difference). */
  sampleOffset: number;
  old: ConflictCopyJson;
  new: ConflictCopyJson;
  /** Export with keepConflicts: the file beside the streams holding the copy not kept, its size and sha256. */
  losingCopy?: { file: string; bytes: number; sha256: string };
}

/** One copy of conflicting bytes. */
export interface ConflictCopyJson {
  time: string;
  epoch: string;
  /** Capture record (frame number) that brought this copy, in its input. */
  recordNumber: number;
  /** The input of that record, in a capture set (absent for one capture). */
  input?: string;
  /** Payload length of that segment on the wire; 0 when unknown. */
  segmentLength: number;
  /** Content hash (hashName, hex) of this copy's bytes in the range. */
  hash: string;
  /** Up to 64 bytes of this copy from `sampleOffset`, hex: the bytes an analyst reads beside the hashes. */
  sample: string;
}

/** One event of the overlaps report. */
export interface OverlapRow {
  /** Capture time of the segment that caused the event. */
  tsSec: number;
  tsNsec: number;
  connectionId: number;
  direction: 'c2s' | 's2c';
  /** Sequence range [seqStart, seqEnd) of the bytes concerned, unsigned 32-bit (seqEnd may wrap). */
  seqStart: number;
  seqEnd: number;
  bytes: number;
  /**
   * ISN of that direction when its SYN was seen (what Wireshark's relative sequence numbers count from: the first data byte is 1);
   * null for a connection picked up mid-stream.
   */
  seqBase: number | null;
  kind: OverlapRowKind;
  /** Free text for conflicts: which copy was kept, hashes of both versions. Empty when none. */
  detail?: string;
  /** `conflict` only, when the engine kept its record: both copies, structured, with their byte samples. */
  conflict?: ConflictJson;
  /**
   * `suspicious rst` only: the next sequence number expected in that direction when the RST came, and the
   * receive window (bytes) the check allowed beyond the data and acknowledgements seen. The RST's own sequence
   * number is `seqStart` (= `seqEnd`: an RST carries no bytes).
   */
  expected?: number;
  window?: number;
}

/** A sequence number relative to `base` (modulo 2^32), or null without a base. */
export function relativeSeq(seq: number, base: number | null): number | null {
  return base === null ? null : (seq - base + 0x1_0000_0000) % 0x1_0000_0000;
}
