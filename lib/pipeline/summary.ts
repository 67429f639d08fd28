export type { RunSummary, WarningJson } from '../report/index.js';
import type { CaptureTime, Diagnostic } from '../capture/index.js';
import { formatCaptureTime, type RunSummary } from '../report/index.js';
import type { PassResult } from './pass.js';

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
    bytesReassembled: t.bytes,
    bytesMissing: t.missingBytes,
    overlapBytes: t.overlapBytes,
    overlapPackets: t.overlapPackets,
    conflicts: t.conflicts,
    rstIgnored: t.rstIgnored,
    rstNotTaken: t.rstNotTaken,
    outOfWindowPackets: t.outOfWindowPackets,
    outOfWindowBytes: t.outOfWindowBytes,
    malformed: d.malformedByKind(),
    diagnostics: { ...r.read.diagnostics },
    elapsedNs: r.elapsedNs,
    packetsPerSecond,
    inputs: r.inputs.map((i) => ({
      name: i.name,
      size: i.size,
      format: i.format,
      compressed: i.compressed,
      records: i.records,
      firstTime: isoTime(i.firstTime),
      lastTime: isoTime(i.lastTime),
      cleanEnd: i.cleanEnd,
    })),
    recordsOutsideTime: r.outsideTime,
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
      encapsulated: d.encapsulated,
      encapsulationsUnkept: d.encapsulationsUnkept,
      ipv4OptionOddities: d.ipv4OptionOddities,
    },
    engine: {
      packets: a.packets,
      connectionsCreated: p.connectionsCreated,
      connectionsPeakOpen: p.connectionsPeakOpen,
      midStreamPickups: p.midStreamPickups,
      portReuses: p.portReuses,
      ended: { ...p.ended },
      connectionsEvicted: p.ended.evicted,
      packetsToTombstones: p.packetsToTombstones,
      pageSize: r.pageSize,
      pagesPeak: a.pagesPeak,
      bufferedPagesPeak: a.bufferedPagesPeak,
      windowPagesPeak: a.windowPagesPeak,
      windowRunsPeak: a.windowRunsPeak,
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
      input: w.source ?? input,
    })),
  };
}

/** A capture time as the JSON writes times (ISO 8601, nanoseconds), null for none. */
function isoTime(t: CaptureTime | null): string | null {
  return t === null ? null : formatCaptureTime(t.sec, t.nsec);
}

/** True when the capture had damage or the decoder met malformed packets (what `--strict` turns into exit 3). */
export function hadWarnings(s: RunSummary): boolean {
  const diag = Object.values(s.diagnostics).some((n) => n > 0);
  return diag || s.decode.malformed > 0;
}
