/**
 * Engine options and their bounded defaults. gopacket's defaults are unbounded (#444), its most reported fault;
 * every default here caps memory whatever the capture holds.
 */
import { DEFAULT_PAGE_SIZE } from './memory.js';

/** Options of an Assembler (memory for out-of-order data, windows, conflict records). */
export interface AssemblerOptions {
  /** Bytes per page. 1900 (gopacket's) holds one full Ethernet segment with little waste. */
  pageSize: number;
  /**
   * Pages of out-of-order and kept data one connection may hold; beyond it the oldest gap is skipped and the
   * buffered data delivered with `skip` set. 4096 x 1900 B = 7.8 MB: more than a 4 MB receive window (Linux
   * default tcp_rmem max is 6 MB), so only real loss or a runaway sender trips it. Must be >= 1.
   */
  maxBufferedPagesPerConnection: number;
  /**
   * Pages of out-of-order and kept data all connections together may hold: 32768 x 1900 B = ~62 MB (with the
   * delivered-data window's pages and the connections, a flood of out-of-order data stays under 256 MB of RSS;
   * 65536 measured 322 MB). When hit, the connection queueing data skips its oldest gap. Must be >= 1.
   */
  maxBufferedPagesTotal: number;
  /**
   * Delivered bytes kept per direction to check retransmissions of delivered data for conflicts (0: no check).
   * 64 KiB covers an unscaled receive window, the usual span of a retransmission.
   */
  deliveredWindowBytes: number;
  /**
   * Release window bytes once the peer acknowledged them (true), keeping only unacknowledged data: most
   * connections then hold no window at all. A retransmission of acknowledged data is then counted in
   * `conflictChecksImpossible` rather than checked.
   */
  releaseWindowOnAck: boolean;
  /**
   * Pages all delivered-data windows together may hold: 16384 x 1900 B = ~31 MB. A direction that cannot get a
   * page reuses its own oldest window page, or keeps no window (its checks then count as impossible).
   */
  maxWindowPagesTotal: number;
  /** Conflict records kept per connection (more are counted in `conflictsDropped`). */
  maxConflictRecordsPerConnection: number;
  /**
   * Hand the observer the whole losing copy of each conflict (`OverlapEvent.losingCopy`): the bytes the stream
   * does not hold. Off by default: gathering them costs a copy per conflicting piece.
   */
  keepLosingCopies: boolean;
  /** Released pages kept in the cache for reuse; the rest go to the garbage collector. */
  maxFreePages: number;
  /**
   * Which RSTs end a connection.
   *
   * - `'evidence'` (default): as `'in-window'`, and an RST the window check accepts ends the connection only once
   *   the capture shows it took effect. An RST can pass the sniffer and never reach the receiver (a low TTL is
   *   the classic evasion trick), or be refused by an RFC 5961 stack; the receiver's acknowledgements tell. Until
   *   then what follows is held: when the receiver acknowledges data sent after the RST, the RST did not end the
   *   connection (the held data flows on; the RST is counted in `rstNotTaken` and listed as suspicious). When the
   *   receiver answers with an RST, a new SYN comes, `rstEvidenceSec` or the flush time passes, a memory bound
   *   is hit, or the capture ends, it did: the held packets count in `packetsAfterClose`, their bytes are not
   *   part of the stream.
   * - `'in-window'`: only an RST the receiver could have accepted, at once. RFC 793 receivers take an RST only
   *   when its sequence number lies in their receive window, RFC 5961 ones only at exactly rcv_nxt (a challenge
   *   ACK otherwise); an RST outside the window is dropped by the endpoint and the connection goes on. Ending the
   *   reassembled connection on it would let one forged (blind) RST hide everything sent after it. The engine
   *   cannot see the receiver's rcv_nxt, so it accepts a range holding every value rcv_nxt could have had: from
   *   the receiver's last acknowledgement (when that lags the data seen) to the end of the sender's data seen
   *   (delivered or queued) or the receiver's last acknowledgement (when that leads: the capture lost data),
   *   plus the receiver's last advertised window, scaled when both SYNs were seen (`rstUnknownWindow`
   *   otherwise). An RST from a direction whose next sequence number is not known (no SYN and no data yet)
   *   always ends the connection, as does one that arrives first or ahead of missing data. Ignored RSTs are
   *   counted (`HalfStats.rstIgnored`) and listed (`Connection.suspiciousRstRecords`).
   * - `'any'`: every RST ends the connection whatever its sequence number (the engine's behaviour before this
   *   option; data after a forged RST is then only counted in `packetsAfterClose`).
   */
  rstPolicy: 'evidence' | 'in-window' | 'any';
  /**
   * rstPolicy 'evidence': capture seconds an RST waits for the receiver's acknowledgements before it is taken as
   * having ended its connection (5: an acknowledgement comes within a round trip and a delayed ACK; the wait
   * bounds how long the connection and what follows the RST are held).
   */
  rstEvidenceSec: number;
  /**
   * Receive window (bytes) assumed for the RST check when the receiver's window is not known in bytes: it sent
   * nothing yet, or a SYN was not captured so its window scale is unknown. 16 MiB: above the windows Linux
   * autotunes to by default (tcp_rmem max 6 MB), so a real RST is not mistaken for a forged one, while a blind
   * RST at a random sequence number still falls outside with odds of 255 in 256.
   */
  rstUnknownWindow: number;
  /** Ignored (suspicious) RSTs listed per connection; more are only counted. */
  maxSuspiciousRstsPerConnection: number;
  /**
   * Segments (data or FIN) outside any plausible receive window are counted in `outOfWindowPackets` /
   * `outOfWindowBytes` and dropped (not delivered, not buffered, not counted as retransmissions or overlaps),
   * as the receiver drops them. Sequence numbers are compared modulo 2^32 from the next expected byte and from
   * the receiver's last acknowledgement: a segment more than this many bytes behind both, or ahead of both by
   * more than the window limit, is outside. The window limit is this distance, or, once the handshake gave the
   * receiver's window scale and while the receiver is heard from (at most 64 packets of this direction since
   * its last one), 64 times the largest window it advertised (at least 1 MiB, at most this distance): lost
   * window updates do not trip it, forged data megabytes ahead of a small window does. 1 GiB (2^30, the largest
   * window RFC 7323 allows); 2^31 or more turns the check off.
   */
  outOfWindowDistance: number;
}

/** Bounded defaults (see each field). */
export const DEFAULT_ASSEMBLER_OPTIONS: Readonly<AssemblerOptions> = Object.freeze({
  pageSize: DEFAULT_PAGE_SIZE,
  maxBufferedPagesPerConnection: 4096,
  maxBufferedPagesTotal: 32768,
  deliveredWindowBytes: 65536,
  releaseWindowOnAck: true,
  maxWindowPagesTotal: 16384,
  maxConflictRecordsPerConnection: 32,
  keepLosingCopies: false,
  maxFreePages: 8192,
  rstPolicy: 'evidence',
  rstEvidenceSec: 5,
  rstUnknownWindow: 1 << 24,
  maxSuspiciousRstsPerConnection: 16,
  outOfWindowDistance: 2 ** 30,
});

/** Options of a StreamPool (the connection table). */
export interface StreamPoolOptions {
  /**
   * Open connections at most. Beyond it the idlest (least recently seen) is closed with reason `evicted`.
   * 32768 by default: at about 2.3 kB of engine state each (more with their streams; 3 to 4 kB of RSS with the
   * garbage collector's room) a SYN flood stays under 256 MB of RSS. Raise it on a bigger machine for captures
   * with more connections open at once (a busy gateway): 262144 takes about 1 GB.
   */
  maxConnections: number;
  /**
   * Closed connections kept as tombstones (to absorb late ACKs and retransmissions without creating phantom
   * connections) at most; the oldest goes first. They also expire with the close timeout.
   */
  maxTombstones: number;
  /**
   * 4-tuples remembered to number port reuse (reuseIndex) after their tombstones expired. When full the memory is
   * cleared (reuse indices restart at 0 for tuples seen again). 262144 by default: 4 MB (a million took 16 MB,
   * which a SYN flood of distinct sources fills).
   */
  maxRememberedTuples: number;
  /**
   * Reuse the objects of ended connections for new connections, as gopacket does: no allocation and no garbage
   * collection per connection, which matters with millions of short connections. Off by default because a
   * ConnectionInfo is then valid only until its `complete()` call returns (copy what you need there), and late
   * packets hitting its tombstone are counted in `PoolStats.packetsToTombstones` only, not in its statistics.
   * Connections whose stream was kept (complete() returned false) are never reused.
   */
  reuseConnections: boolean;
}

/** Bounded defaults (see each field). */
export const DEFAULT_POOL_OPTIONS: Readonly<StreamPoolOptions> = Object.freeze({
  maxConnections: 32768,
  maxTombstones: 65536,
  maxRememberedTuples: 1 << 18,
  reuseConnections: false,
});

/** Merges options with defaults and clamps nonsense (never throws). */
export function assemblerOptions(o: Partial<AssemblerOptions> | undefined): AssemblerOptions {
  const r = { ...DEFAULT_ASSEMBLER_OPTIONS, ...o };
  const d = DEFAULT_ASSEMBLER_OPTIONS;
  r.pageSize = posInt(r.pageSize, d.pageSize, 64);
  r.maxBufferedPagesPerConnection = posInt(r.maxBufferedPagesPerConnection, d.maxBufferedPagesPerConnection, 1);
  r.maxBufferedPagesTotal = posInt(r.maxBufferedPagesTotal, d.maxBufferedPagesTotal, 1);
  r.deliveredWindowBytes = posInt(r.deliveredWindowBytes, d.deliveredWindowBytes, 0);
  r.maxWindowPagesTotal = posInt(r.maxWindowPagesTotal, d.maxWindowPagesTotal, 0);
  r.maxConflictRecordsPerConnection = posInt(r.maxConflictRecordsPerConnection, d.maxConflictRecordsPerConnection, 0);
  r.keepLosingCopies = r.keepLosingCopies === true;
  r.maxFreePages = posInt(r.maxFreePages, d.maxFreePages, 0);
  r.releaseWindowOnAck = r.releaseWindowOnAck !== false;
  r.rstPolicy = r.rstPolicy === 'any' || r.rstPolicy === 'in-window' ? r.rstPolicy : 'evidence';
  r.rstEvidenceSec = typeof r.rstEvidenceSec === 'number' && r.rstEvidenceSec >= 0 ? r.rstEvidenceSec : d.rstEvidenceSec;
  r.rstUnknownWindow = posInt(r.rstUnknownWindow, d.rstUnknownWindow, 0);
  r.maxSuspiciousRstsPerConnection = posInt(r.maxSuspiciousRstsPerConnection, d.maxSuspiciousRstsPerConnection, 0);
  r.outOfWindowDistance = posInt(r.outOfWindowDistance, d.outOfWindowDistance, 0);
  return r;
}

/** Merges pool options with defaults. */
export function poolOptions(o: Partial<StreamPoolOptions> | undefined): StreamPoolOptions {
  const r = { ...DEFAULT_POOL_OPTIONS, ...o };
  r.maxConnections = posInt(r.maxConnections, DEFAULT_POOL_OPTIONS.maxConnections, 1);
  r.maxTombstones = posInt(r.maxTombstones, DEFAULT_POOL_OPTIONS.maxTombstones, 0);
  r.maxRememberedTuples = posInt(r.maxRememberedTuples, DEFAULT_POOL_OPTIONS.maxRememberedTuples, 0);
  r.reuseConnections = r.reuseConnections === true;
  return r;
}

function posInt(v: unknown, dflt: number, min: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return dflt;
  return Math.max(min, Math.floor(v));
}
