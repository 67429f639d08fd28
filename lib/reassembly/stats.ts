/**
 * Counters. Field names are stable camelCase: the JSON report prints them as they are.
 */

/** Statistics of one direction of a connection. All byte counts are payload bytes. */
export class HalfStats {
  /** Packets seen in this direction (all of them, also rejected or after close). */
  packets = 0;
  /** Payload bytes on the wire (IP length based, so including bytes cut by snaplen). */
  bytes = 0;
  /** Bytes handed to the stream (each byte once). */
  bytesDelivered = 0;
  /** Bytes of sequence space skipped over (gaps flushed or forced by limits, snaplen holes), where known. */
  bytesMissing = 0;
  /** Number of gaps skipped (deliveries with skip > 0). */
  gaps = 0;
  /** True when the start of this direction was never seen (no SYN, start unknown): skip -1 was reported. */
  startMissing = false;
  /** Out-of-order bytes copied into pages. */
  queuedBytes = 0;
  /** Out-of-order packets queued. */
  queuedPackets = 0;
  /** Bytes that overlapped data already delivered or buffered (the real overlapped length). */
  overlapBytes = 0;
  /** Packets that overlapped data already delivered or buffered. */
  overlapPackets = 0;
  /** Packets whose data had been entirely seen before (delivered or buffered). */
  retransmittedPackets = 0;
  /** Payload bytes of those packets. */
  retransmittedBytes = 0;
  /** Keep-alive probes (0 or 1 byte at nextSeq - 1). */
  keepAlives = 0;
  /** Zero-window probes (1 byte at nextSeq while the peer advertised a zero window). */
  windowProbes = 0;
  /** Packets advertising a zero receive window. */
  zeroWindows = 0;
  /** Conflicts: overlapping bytes that differ from the copy kept or delivered. */
  conflicts = 0;
  /** Overlapped bytes in the ranges recorded as conflicts. */
  conflictBytes = 0;
  /** Overlaps with delivered data that could not be checked: the window had moved on (or was never kept). */
  conflictChecksImpossible = 0;
  /** Overlapped bytes that could not be checked. */
  conflictUncheckedBytes = 0;
  /** Pages held for this direction now (queued, kept and window). */
  pagesInUse = 0;
  /** Highest pagesInUse. */
  pagesPeak = 0;
  /** SYN packets (including retransmitted SYNs). */
  syn = 0;
  /** SYNs repeating the ISN already seen. */
  synRetransmits = 0;
  fin = 0;
  /** RST packets sent in this direction (those ignored included). */
  rst = 0;
  /**
   * RSTs ignored by the `'in-window'` policy: their sequence number lay outside any window the receiver could
   * have had, so the receiver dropped them (a blind or forged reset, or a damaged capture).
   */
  rstIgnored = 0;
  /**
   * Segments (data or FIN) whose sequence number lay outside any plausible window (see
   * `AssemblerOptions.outOfWindowDistance`): dropped, not counted as retransmissions or overlaps.
   */
  outOfWindowPackets = 0;
  /** Payload bytes of those segments. */
  outOfWindowBytes = 0;
  /** Packets arriving after this direction (or the connection) was closed. */
  packetsAfterClose = 0;
  /** Packets the stream's accept() refused. */
  rejected = 0;
  /** Packets cut by snaplen (captured payload shorter than on the wire). */
  truncatedPackets = 0;
  /** Payload bytes lost to snaplen. */
  truncatedBytes = 0;
  /** Bytes skipped because a page limit forced the oldest gap out. */
  bytesSkippedByLimits = 0;
  /** Bytes a stream asked to keep (keepFrom) beyond the per-connection bound, dropped. */
  keptBytesDropped = 0;

  /** Back to zero (the connection object is being reused). */
  reset(): void {
    this.packets = 0;
    this.bytes = 0;
    this.bytesDelivered = 0;
    this.bytesMissing = 0;
    this.gaps = 0;
    this.startMissing = false;
    this.queuedBytes = 0;
    this.queuedPackets = 0;
    this.overlapBytes = 0;
    this.overlapPackets = 0;
    this.retransmittedPackets = 0;
    this.retransmittedBytes = 0;
    this.keepAlives = 0;
    this.windowProbes = 0;
    this.zeroWindows = 0;
    this.conflicts = 0;
    this.conflictBytes = 0;
    this.conflictChecksImpossible = 0;
    this.conflictUncheckedBytes = 0;
    this.pagesInUse = 0;
    this.pagesPeak = 0;
    this.syn = 0;
    this.synRetransmits = 0;
    this.fin = 0;
    this.rst = 0;
    this.rstIgnored = 0;
    this.outOfWindowPackets = 0;
    this.outOfWindowBytes = 0;
    this.packetsAfterClose = 0;
    this.rejected = 0;
    this.truncatedPackets = 0;
    this.truncatedBytes = 0;
    this.bytesSkippedByLimits = 0;
    this.keptBytesDropped = 0;
  }
}

/** Connections closed, by reason. */
export class ClosedByReason {
  complete = 0;
  reset = 0;
  timedOut = 0;
  openAtEnd = 0;
  evicted = 0;
  superseded = 0;
}

/** Statistics of a StreamPool: the connection table. */
export class PoolStats {
  connectionsCreated = 0;
  connectionsOpen = 0;
  connectionsPeakOpen = 0;
  /** Connections created without a SYN seen first (picked up mid-stream). */
  midStreamPickups = 0;
  /** New connections on a 4-tuple whose previous connection was still remembered (new SYN, new ISN). */
  portReuses = 0;
  /** Closed connections kept to absorb late packets, now. */
  tombstones = 0;
  /** Tombstones dropped by the close timeout or their bound. */
  tombstonesExpired = 0;
  /** Packets that hit a tombstone (late ACKs, retransmissions after close). */
  packetsToTombstones = 0;
  readonly closed = new ClosedByReason();
}

/** Statistics of an Assembler: packets and memory. */
export class AssemblerStats {
  packets = 0;
  /** Pages in use: buffered (queued + kept) plus window. */
  pagesInUse = 0;
  pagesPeak = 0;
  /** Pages holding out-of-order or kept data. */
  bufferedPages = 0;
  bufferedPagesPeak = 0;
  /** Pages holding the delivered-data windows. */
  windowPages = 0;
  windowPagesPeak = 0;
  /** Times a page limit forced a gap to be skipped. */
  limitHitsPerConnection = 0;
  limitHitsTotal = 0;
  /** Bytes of sequence space skipped because of page limits. */
  bytesSkippedByLimits = 0;
  /** Times a window could not grow because of the window page bound. */
  windowPageLimitHits = 0;
}
