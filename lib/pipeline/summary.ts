import type { Diagnostic } from '../capture/index.js';
import type { ReportSummary } from '../report/index.js';
import type { PassResult } from './pass.js';

/** A reader diagnostic as the JSON summary lists it. */
export interface WarningJson {
  severity: 'warning' | 'error';
  code: string;
  message: string;
  fileOffset: number;
  recordNumber: number;
  bytesSkipped: number | null;
}

/** The whole-run summary of every report: the report's totals, plus reader, decoder, engine and check figures. */
export interface RunSummary extends ReportSummary {
  /** Packets read per second of wall-clock time. */
  packetsPerSecond: number | null;
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
  };
  engine: {
    packets: number;
    connectionsCreated: number;
    connectionsPeakOpen: number;
    midStreamPickups: number;
    portReuses: number;
    closed: { complete: number; reset: number; timedOut: number; openAtEnd: number; evicted: number; superseded: number };
    /** Connections closed to respect --max-connections (the idlest first). */
    connectionsEvicted: number;
    packetsToTombstones: number;
    /** Highest number of pages (1900 bytes each) in use at once: buffered plus delivered-data windows. */
    pagesPeak: number;
    bufferedPagesPeak: number;
    windowPagesPeak: number;
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

/** Diagnostics listed one by one in the summary; more are only counted. */
export const MAX_LISTED_WARNINGS = 100;

/** Builds the run summary from a pass. `input` is the name as the user gave it. */
export function runSummary(input: string, r: PassResult, warnings: readonly Diagnostic[]): RunSummary {
  const t = r.totals;
  const d = r.decode;
  const a = r.assembler;
  const p = r.pool;
  const packetsPerSecond = r.elapsedNs > 0 ? Math.round((r.read.records * 1e9) / r.elapsedNs) : null;
  return {
    input,
    inputBytes: r.read.bytes,
    packetsRead: r.read.records,
    tcpSegments: d.tcp,
    connections: p.connectionsCreated,
    bytesReassembled: t.bytesDelivered,
    bytesMissing: t.bytesMissing,
    overlapBytes: t.overlapBytes,
    overlapPackets: t.overlapPackets,
    conflicts: t.conflicts,
    rstIgnored: t.rstIgnored,
    outOfWindowPackets: t.outOfWindowPackets,
    outOfWindowBytes: t.outOfWindowBytes,
    malformed: d.malformedByKind(),
    diagnostics: { ...r.read.diagnostics },
    elapsedNs: r.elapsedNs,
    packetsPerSecond,
    interrupted: r.interrupted,
    reader: {
      format: r.read.format,
      compressed: r.read.compressed,
      byteOrder: r.read.byteOrder,
      nanosecond: r.read.nanosecond,
      interfaces: r.read.interfaces.map((i) => ({ id: i.id, section: i.section, linkType: i.linkType, snaplen: i.snaplen, name: i.name ?? null })),
      records: r.read.records,
      recordsSeen: r.read.recordsSeen,
      truncatedRecords: r.read.truncatedRecords,
      sourceBytes: r.read.sourceBytes,
      cleanEnd: r.read.cleanEnd,
      stoppedOnDamage: r.read.stoppedOnDamage,
    },
    decode: {
      packets: d.packets,
      tcp: d.tcp,
      nonTcp: d.nonTcp,
      nonTcpByKind: d.nonTcpByKind(),
      malformed: d.malformed,
      checksumFailed: d.checksumFailed,
      snaplenCut: d.snaplenCut,
      badTcpOptions: d.badTcpOptions,
      fragments: d.fragments,
      fragmentsReassembled: d.reassembled,
      fragmentOverlapConflicts: d.fragmentOverlapConflicts,
      fragmentsUnfinished: d.fragmentsUnfinished,
    },
    engine: {
      packets: a.packets,
      connectionsCreated: p.connectionsCreated,
      connectionsPeakOpen: p.connectionsPeakOpen,
      midStreamPickups: p.midStreamPickups,
      portReuses: p.portReuses,
      closed: { ...p.closed },
      connectionsEvicted: p.closed.evicted,
      packetsToTombstones: p.packetsToTombstones,
      pagesPeak: a.pagesPeak,
      bufferedPagesPeak: a.bufferedPagesPeak,
      windowPagesPeak: a.windowPagesPeak,
      bytesSkippedByLimits: a.bytesSkippedByLimits,
      limitHitsPerConnection: a.limitHitsPerConnection,
      limitHitsTotal: a.limitHitsTotal,
      retransmittedPackets: t.retransmittedPackets,
      retransmittedBytes: t.retransmittedBytes,
      conflictBytes: t.conflictBytes,
      conflictChecksImpossible: t.conflictChecksImpossible,
      rejected: t.rejected,
    },
    checks: {
      state: r.checks.state === null ? null : { ...r.checks.state },
      options: r.checks.options === null ? null : { ...r.checks.options },
    },
    warnings: warnings.map((w) => ({
      severity: w.severity,
      code: w.code,
      message: w.message,
      fileOffset: w.fileOffset,
      recordNumber: w.recordNumber,
      bytesSkipped: w.bytesSkipped ?? null,
    })),
  };
}

/** True when the capture had damage or the decoder met malformed packets (what `--strict` turns into exit 3). */
export function hadWarnings(s: RunSummary): boolean {
  const diag = Object.values(s.diagnostics).some((n) => n > 0);
  return diag || s.decode.malformed > 0;
}
