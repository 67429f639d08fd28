import { formatAddress } from '../net/index.js';
import type { ConnectionInfo, ConflictRecord, Direction, HalfStats } from '../reassembly/index.js';
import { formatCaptureTime, formatEpoch, type ConnectionRow, type DirectionStats } from '../report/index.js';

/**
 * Statistics of one direction as reports and the manifest print them: the report's columns first, then every
 * other engine counter under its own stable camelCase name.
 */
export interface DirectionReport extends DirectionStats {
  /** Payload bytes on the wire (IP length based, so bytes cut by snaplen count). */
  wireBytes: number;
  /** Holes skipped (deliveries after missing bytes). */
  gaps: number;
  /** The start of this direction was never seen (no SYN): bytes before the first one seen are unknown. */
  startMissing: boolean;
  retransmittedPackets: number;
  retransmittedBytes: number;
  /**
   * Segments (data or FIN) outside any plausible window: further than max(1 GiB, 64 x the receiver's largest
   * window) from both the next expected sequence number and the receiver's acknowledgement. Dropped, as the
   * receiver drops them: not delivered, not retransmissions, not overlaps.
   */
  outOfWindowPackets: number;
  /** Payload bytes of those segments. */
  outOfWindowBytes: number;
  keepAlives: number;
  windowProbes: number;
  zeroWindows: number;
  /** Overlapped bytes inside conflicting ranges. */
  conflictBytes: number;
  /** Overlaps with delivered data that could no longer be compared (the window had moved on). */
  conflictChecksImpossible: number;
  conflictUncheckedBytes: number;
  /** Most pages (1900 bytes) this direction held at once: queued, kept and delivered-data window. */
  pagesPeak: number;
  syn: number;
  synRetransmits: number;
  fin: number;
  /** RST packets sent in this direction, the ignored ones included. */
  rst: number;
  /**
   * RSTs ignored because their sequence number lay outside any window the receiver could have had (the
   * receiver drops them; a blind or forged reset): the connection went on. Only with the `in-window` policy.
   */
  rstIgnored: number;
  packetsAfterClose: number;
  /** Packets refused by the optional checks (--check-state, --check-options). */
  rejected: number;
  /** Packets cut by snaplen, and the payload bytes they lost. */
  truncatedPackets: number;
  truncatedBytes: number;
  /** Missing bytes that were skipped because a page limit forced the engine on (a subset of missingBytes). */
  bytesSkippedByLimits: number;
}

/** A connection of the analyze report, with the connection flags the engine knows. */
export interface ConnectionReport extends ConnectionRow {
  /** No SYN was seen before the connection's first packet: it was picked up mid-stream. */
  midStream: boolean;
  /** Client and server were guessed from the ports (no SYN / SYN-ACK seen). */
  serverGuessed: boolean;
  /** Outer VLAN id of double-tagged traffic, null otherwise. */
  outerVlan: number | null;
  /** 0 for the first connection on a 4-tuple, 1 for the next after port reuse, ... */
  reuseIndex: number;
  /** Conflict records not kept because of the per-connection bound. */
  conflictsDropped: number;
  /** RSTs ignored as outside the receiver's window, both directions (the overlaps report lists them). */
  suspiciousRsts: number;
  c2s: DirectionReport;
  s2c: DirectionReport;
}

/** A plain snapshot of an engine direction's counters. */
export function directionReport(s: HalfStats): DirectionReport {
  return {
    packets: s.packets,
    bytes: s.bytesDelivered,
    queuedBytes: s.queuedBytes,
    queuedPackets: s.queuedPackets,
    overlapBytes: s.overlapBytes,
    overlapPackets: s.overlapPackets,
    conflicts: s.conflicts,
    missingBytes: s.bytesMissing,
    wireBytes: s.bytes,
    gaps: s.gaps,
    startMissing: s.startMissing,
    retransmittedPackets: s.retransmittedPackets,
    retransmittedBytes: s.retransmittedBytes,
    outOfWindowPackets: s.outOfWindowPackets,
    outOfWindowBytes: s.outOfWindowBytes,
    keepAlives: s.keepAlives,
    windowProbes: s.windowProbes,
    zeroWindows: s.zeroWindows,
    conflictBytes: s.conflictBytes,
    conflictChecksImpossible: s.conflictChecksImpossible,
    conflictUncheckedBytes: s.conflictUncheckedBytes,
    pagesPeak: s.pagesPeak,
    syn: s.syn,
    synRetransmits: s.synRetransmits,
    fin: s.fin,
    rst: s.rst,
    rstIgnored: s.rstIgnored,
    packetsAfterClose: s.packetsAfterClose,
    rejected: s.rejected,
    truncatedPackets: s.truncatedPackets,
    truncatedBytes: s.truncatedBytes,
    bytesSkippedByLimits: s.bytesSkippedByLimits,
  };
}

/** The report row of a connection that just ended (a snapshot: later packets to its tombstone are not in it). */
export function connectionReport(c: ConnectionInfo, state: string): ConnectionReport {
  const c2s = directionReport(c.stats[0]);
  const s2c = directionReport(c.stats[1]);
  return {
    id: c.id,
    ipVersion: c.ipVersion,
    client: formatAddress(c.client.addr, c.ipVersion),
    clientPort: c.client.port,
    server: formatAddress(c.server.addr, c.ipVersion),
    serverPort: c.server.port,
    vlan: c.vlan >= 0 ? c.vlan : null,
    outerVlan: c.outerVlan >= 0 ? c.outerVlan : null,
    state,
    midStream: c.midStream,
    serverGuessed: c.serverGuessed,
    reuseIndex: c.reuseIndex,
    firstTsSec: c.firstTsSec,
    firstTsNsec: c.firstTsNsec,
    lastTsSec: c.lastTsSec,
    lastTsNsec: c.lastTsNsec,
    // Each direction's own peak; their sum bounds what the connection held at once.
    peakPages: c2s.pagesPeak + s2c.pagesPeak,
    conflictsDropped: c.conflictsDropped,
    suspiciousRsts: c.suspiciousRsts,
    c2s,
    s2c,
  };
}

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
  old: ConflictCopyJson;
  new: ConflictCopyJson;
}

/** One copy of conflicting bytes. */
export interface ConflictCopyJson {
  time: string;
  epoch: string;
  /** Capture record (frame number) that brought this copy. */
  recordNumber: number;
  /** Payload length of that segment on the wire; 0 when unknown. */
  segmentLength: number;
  /** Content hash (hashName, hex) of this copy's bytes in the range. */
  hash: string;
}

const hex32 = (h: number) => (h >>> 0).toString(16).padStart(8, '0');

/** A conflict record as plain JSON. */
export function conflictJson(r: ConflictRecord): ConflictJson {
  return {
    direction: r.direction === 0 ? 'c2s' : 's2c',
    seq: r.seq,
    length: r.length,
    firstDifferenceSeq: r.firstDifferenceSeq,
    against: r.against,
    kept: r.winner,
    hashName: r.hashName,
    old: {
      time: formatCaptureTime(r.oldTsSec, r.oldTsNsec),
      epoch: formatEpoch(r.oldTsSec, r.oldTsNsec),
      recordNumber: r.oldRecordNumber,
      segmentLength: r.oldSegmentLength,
      hash: hex32(r.oldHash),
    },
    new: {
      time: formatCaptureTime(r.newTsSec, r.newTsNsec),
      epoch: formatEpoch(r.newTsSec, r.newTsNsec),
      recordNumber: r.newRecordNumber,
      segmentLength: r.newSegmentLength,
      hash: hex32(r.newHash),
    },
  };
}

/** The conflict records of one direction of a connection, as JSON. */
export function directionConflicts(c: ConnectionInfo, dir: Direction): ConflictJson[] {
  const out: ConflictJson[] = [];
  for (const r of c.conflicts) if (r.direction === dir) out.push(conflictJson(r));
  return out;
}
