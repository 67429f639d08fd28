/**
 * A connection and its two half-connections: the per-connection state the assembler keeps.
 */
import { formatAddress, formatEndpoint } from '../net/address.js';
import type { EndReason } from '../schema/states.js';
import type { DoubtfulSegment } from './doubtful.js';
import type { Page } from './memory.js';
import { HalfStats } from './stats.js';
import type { Stream } from './stream.js';

/** 0 = client to server, 1 = server to client. */
export type Direction = 0 | 1;
/** Client to server. */
export const CLIENT_TO_SERVER: Direction = 0;
/** Server to client. */
export const SERVER_TO_CLIENT: Direction = 1;

/** Why a connection ended: one of the states of lib/schema/states.ts (its table says what each means). */
export type { EndReason };

const ZERO_WORDS = [0, 0, 0, 0] as const;
/** The empty list of records every connection starts with. */
const NO_RECORDS: readonly never[] = Object.freeze([]);

/** One end of a connection. */
export class Endpoint {
  // The address as four fields rather than a Uint32Array: a typed array of four costs about 300 bytes of
  // heap, twice a connection, which a SYN flood multiplies by every half-open connection.
  private w0 = 0;
  private w1 = 0;
  private w2 = 0;
  private w3 = 0;
  port = 0;
  /** IP version of the address (the connection's). */
  ipVersion: 4 | 6 = 4;

  /**
   * The address as text, exactly as reports and export names write it (lib/net's `formatAddress`: dotted quad,
   * or RFC 5952 IPv6 with glibc's dotted tail for IPv4-mapped addresses); allocates, not for the hot path.
   */
  get address(): string {
    return formatAddress(this.addr, this.ipVersion);
  }

  /** Address as four 32-bit words (IPv4 in word 3, words 0..2 zero), as in TcpPacket: a fresh copy. */
  get addr(): Uint32Array {
    return Uint32Array.of(this.w0, this.w1, this.w2, this.w3);
  }

  /** Word `i` (0..3) of the address, without a copy. */
  word(i: number): number {
    return i === 0 ? this.w0 : i === 1 ? this.w1 : i === 2 ? this.w2 : this.w3;
  }

  /** Sets the address from four words (a packet's `src` or `dst`). */
  setAddress(words: ArrayLike<number>): void {
    this.w0 = words[0]! >>> 0;
    this.w1 = words[1]! >>> 0;
    this.w2 = words[2]! >>> 0;
    this.w3 = words[3]! >>> 0;
  }

  /** Takes `other`'s address and port. */
  copyFrom(other: Endpoint): void {
    this.w0 = other.w0;
    this.w1 = other.w1;
    this.w2 = other.w2;
    this.w3 = other.w3;
    this.port = other.port;
  }

  /** `10.1.0.2:80` or `[2001:db8::1]:80`, as the analyze table writes an endpoint. */
  toString(): string {
    return formatEndpoint(this.addr, this.ipVersion, this.port);
  }
}

/** Which copy of conflicting bytes the engine kept. */
export type ConflictWinner = 'old' | 'new';

/**
 * A conflicting overlap: the same sequence range seen twice with different bytes. Kept per connection, bounded
 * (see `Connection.conflictsDropped`).
 */
export class ConflictRecord {
  direction: Direction = 0;
  /** Absolute sequence number of the first overlapped byte compared. */
  seq = 0;
  /** Overlapped bytes compared in this record. */
  length = 0;
  /** Absolute sequence number of the first byte that differs. */
  firstDifferenceSeq = 0;
  /** The copy compared against: still buffered (out of order) or already delivered to the stream. */
  against: 'buffered' | 'delivered' = 'buffered';
  oldTsSec = 0;
  oldTsNsec = 0;
  oldRecordNumber = 0;
  /**
   * Payload length (on the wire) of the packet that brought the old copy (for delivered data, from the
   * delivered-data window's note of each packet); 0 if unknown.
   */
  oldSegmentLength = 0;
  newTsSec = 0;
  newTsNsec = 0;
  newRecordNumber = 0;
  newSegmentLength = 0;
  /** Content hash (see hashName) of the old bytes in [seq, seq + length). */
  oldHash = 0;
  /** Content hash of the new bytes in [seq, seq + length). */
  newHash = 0;
  hashName = 'fnv1a32';
  /** Which copy was kept: delivered data always wins ('old'); newer data replaces buffered data ('new'). */
  winner: ConflictWinner = 'old';
  /**
   * A bounded sample of both copies for an analyst to read: up to {@link CONFLICT_SAMPLE_BYTES} bytes from
   * {@link CONFLICT_SAMPLE_LEAD} bytes before the first difference (within the first compared piece), copied
   * when the record is made. `sampleSeq` is the absolute sequence number of their first byte.
   */
  sampleSeq = 0;
  oldSample: Buffer = NO_SAMPLE;
  newSample: Buffer = NO_SAMPLE;
}

/** Most bytes of each copy a conflict record keeps as its sample. */
export const CONFLICT_SAMPLE_BYTES = 64;
/** Bytes of context the sample starts with before the first difference. */
export const CONFLICT_SAMPLE_LEAD = 16;
const NO_SAMPLE = Buffer.alloc(0);

/**
 * An RST the engine ignored (`rstPolicy: 'in-window'`): its sequence number lay outside any receive window the
 * receiver could have had, so the endpoint dropped it and the connection went on. Kept per connection, bounded
 * (see `Connection.suspiciousRsts` for the count of all of them).
 */
export class SuspiciousRst {
  /** Direction the RST was sent in. */
  direction: Direction = 0;
  /** The RST's sequence number. */
  seq = 0;
  /** Next sequence number expected in that direction when it came (the left edge of the check). */
  expected = 0;
  /** Receive window (bytes) the check allowed beyond the data and acknowledgements seen. */
  window = 0;
  tsSec = 0;
  tsNsec = 0;
  recordNumber = 0;
  fileOffset = 0;
  /**
   * Why it is suspicious: `outside-window` (dropped: outside any window the receiver could have had),
   * `not-acknowledging-syn` (dropped: in SYN-SENT an RST must acknowledge the SYN, RFC 9293), or `not-taken`
   * (accepted by its window, but the receiver went on acknowledging data sent after it).
   */
  kind: 'outside-window' | 'not-acknowledging-syn' | 'not-taken' = 'outside-window';
  /**
   * For `not-taken`: the record that showed it (an acknowledgement past the RST, or the sender's data at or past
   * a challenged RST); -1 when it was decided without one (a challenged RST whose sender's later data does not
   * end where the RST stands); 0 otherwise.
   */
  evidenceRecord = 0;
}

/**
 * What a stream may know about its connection. Live object: fields change as the connection goes on. With the
 * pool option `reuseConnections` it is valid only until its `complete()` call returns (the object is then reused).
 */
export interface ConnectionInfo {
  /** Connection number in order of first packet, 0-based (Wireshark's tcp.stream). */
  readonly id: number;
  /** 0 for the first connection on a 4-tuple, 1 for the next after port reuse, ... */
  readonly reuseIndex: number;
  readonly ipVersion: 4 | 6;
  /** Innermost 802.1Q VLAN id, -1 when untagged. */
  readonly vlan: number;
  /** Outer 802.1ad VLAN id, -1 when not double-tagged. */
  readonly outerVlan: number;
  /** The encapsulation it travelled in, 0 when none (TcpPacket.encap; text from `encapsulationText`). */
  readonly encap: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
  /** No SYN was seen before the first packet: picked up mid-stream. */
  readonly midStream: boolean;
  /** Client and server were guessed (server = well-known or lower port), not decided by SYN / SYN-ACK. */
  readonly serverGuessed: boolean;
  readonly firstTsSec: number;
  readonly firstTsNsec: number;
  readonly lastTsSec: number;
  readonly lastTsNsec: number;
  /** Why the connection ended; null while open. */
  readonly endReason: EndReason | null;
  /** Per-direction statistics: [client to server, server to client]. */
  readonly stats: readonly [HalfStats, HalfStats];
  /** Conflict records (bounded). */
  readonly conflicts: readonly ConflictRecord[];
  /** Conflict records not kept because of the bound. */
  readonly conflictsDropped: number;
  /** RSTs ignored as outside the receiver's window, both directions (see `AssemblerOptions.rstPolicy`). */
  readonly suspiciousRsts: number;
  /** The first of those RSTs (bounded by `maxSuspiciousRstsPerConnection`), in capture order. */
  readonly suspiciousRstRecords: readonly SuspiciousRst[];
  /** Initial sequence number of a direction, or -1 when its SYN was not seen. */
  isn(dir: Direction): number;
}

/** One direction of a connection. Internal state of the assembler. */
export class HalfConnection {
  dir: Direction;
  readonly stats = new HalfStats();
  /** nextSeq is known. */
  started = false;
  /** Sequence number of the next byte to deliver. */
  nextSeq = 0;
  /** Bytes before this sequence number (after nextSeq) are known to be missing (snaplen hole): skip without waiting. */
  holeEnd = 0;
  /** holeEnd is meaningful. */
  holeValid = false;
  synSeen = false;
  isn = 0;
  /** Something was delivered already (start flag for the first sg). */
  deliveredAny = false;
  ackValid = false;
  ackSeq = 0;
  /** Last advertised window (raw header field). */
  window = -1;
  /** Window scale option of this direction's SYN (-1: none, or no SYN seen). */
  wscale = -1;
  /** Last advertised window in bytes (scaled), or -1 when the scale is not known (a SYN was not seen). */
  windowBytes = -1;
  /** Largest window advertised, in bytes (the raw field while the scale is not known). */
  maxWindowBytes = 0;
  /** This direction's packets since the other direction's last one (the receiver's acknowledgements not seen). */
  packetsSincePeer = 0;
  /** A segment past the receiver's window held until it decides (doubtful.ts), or null. */
  doubtful: DoubtfulSegment | null = null;
  finPending = false;
  finSeq = 0;
  finTsSec = 0;
  finTsNsec = 0;
  /** The SYN carried data (TCP Fast Open) not yet acknowledged: held, the direction not started. */
  synDataPending = false;
  /** Sequence number after the SYN's data. */
  synDataEnd = 0;
  /** An RST is pending (Connection.rstPending): bytes from holdSeq on are held, not delivered. */
  holdActive = false;
  holdSeq = 0;
  /** Packets and payload bytes that arrived while an RST was pending (after the close, if it took effect). */
  heldPackets = 0;
  heldWire = 0;
  closed = false;
  // Out-of-order queue, sorted by sequence, no overlaps.
  first: Page | null = null;
  last: Page | null = null;
  queuedPages = 0;
  // Bytes the stream kept (keepFrom), in order.
  keptFirst: Page | null = null;
  keptLast: Page | null = null;
  keptPages = 0;
  keptBytes = 0;
  // Window of delivered bytes [deliveredStart, deliveredStart + deliveredBytes) for conflict checks.
  deliveredFirst: Page | null = null;
  deliveredLast: Page | null = null;
  deliveredPages = 0;
  /** Or, for bytes in the capture file, a ring of runs (delivered-runs.ts): runCount of them from runHead. */
  runs: Float64Array | null = null;
  /** Runs the ring holds, less one (rings hold a power of two); -1 without a ring. */
  runMask = -1;
  runHead = 0;
  runCount = 0;
  deliveredStart = 0;
  deliveredBytes = 0;
  /** The connection this direction belongs to. */
  conn: Connection | null = null;

  constructor(dir: Direction) {
    this.dir = dir;
  }

  /** Back to the state of a new direction (its connection object is being reused); pages and runs must be released. */
  reset(dir: Direction): void {
    this.dir = dir;
    this.stats.reset();
    this.started = false;
    this.nextSeq = 0;
    this.holeEnd = 0;
    this.holeValid = false;
    this.synSeen = false;
    this.isn = 0;
    this.deliveredAny = false;
    this.ackValid = false;
    this.ackSeq = 0;
    this.window = -1;
    this.wscale = -1;
    this.windowBytes = -1;
    this.maxWindowBytes = 0;
    this.packetsSincePeer = 0;
    this.doubtful = null;
    this.finPending = false;
    this.finSeq = 0;
    this.finTsSec = 0;
    this.finTsNsec = 0;
    this.synDataPending = false;
    this.synDataEnd = 0;
    this.holdActive = false;
    this.holdSeq = 0;
    this.heldPackets = 0;
    this.heldWire = 0;
    this.closed = false;
    this.first = null;
    this.last = null;
    this.queuedPages = 0;
    this.keptFirst = null;
    this.keptLast = null;
    this.keptPages = 0;
    this.keptBytes = 0;
    this.deliveredFirst = null;
    this.deliveredLast = null;
    this.deliveredPages = 0;
    this.runs = null;
    this.runMask = -1;
    this.runHead = 0;
    this.runCount = 0;
    this.deliveredStart = 0;
    this.deliveredBytes = 0;
  }

  /** Updates the page counters after a change. */
  notePages(): void {
    const s = this.stats;
    s.pagesInUse = this.queuedPages + this.keptPages + this.deliveredPages;
    if (s.pagesInUse > s.pagesPeak) s.pagesPeak = s.pagesInUse;
  }
}

/** A TCP connection. Public fields are documented in ConnectionInfo; the rest is the engine's. */
export class Connection implements ConnectionInfo {
  id = 0;
  reuseIndex = 0;
  ipVersion: 4 | 6 = 4;
  vlan = -1;
  outerVlan = -1;
  encap = 0;
  readonly client = new Endpoint();
  readonly server = new Endpoint();
  midStream = false;
  serverGuessed = false;
  firstTsSec = 0;
  firstTsNsec = 0;
  lastTsSec = 0;
  lastTsNsec = 0;
  endReason: EndReason | null = null;
  halves: [HalfConnection, HalfConnection] = [new HalfConnection(0), new HalfConnection(1)];
  /** halves[0] and halves[1] as fields: the per-packet path reaches a direction without loading the array. */
  half0: HalfConnection = this.halves[0];
  half1: HalfConnection = this.halves[1];
  stats: [HalfStats, HalfStats] = [this.halves[0].stats, this.halves[1].stats];
  /** Conflict records (shared and frozen while there are none: most connections never have one). */
  conflicts: readonly ConflictRecord[] = NO_RECORDS;
  conflictsDropped = 0;
  suspiciousRsts = 0;
  /** Suspicious RSTs listed (shared and frozen while there are none). */
  suspiciousRstRecords: readonly SuspiciousRst[] = NO_RECORDS;

  /** Lists a conflict record (the first one allocates the list). */
  addConflict(rec: ConflictRecord): void {
    if (this.conflicts === NO_RECORDS) this.conflicts = [];
    (this.conflicts as ConflictRecord[]).push(rec);
  }

  /** Lists a suspicious RST (the first one allocates the list). */
  addSuspiciousRst(r: SuspiciousRst): void {
    if (this.suspiciousRstRecords === NO_RECORDS) this.suspiciousRstRecords = [];
    (this.suspiciousRstRecords as SuspiciousRst[]).push(r);
  }
  stream: Stream | null = null;
  /** complete() returned false: the stream still sees accept() for late packets. */
  keepStream = false;

  // --- engine bookkeeping ---
  hash = 0;
  /** Row of the connection table holding its key, -1 when not in the table (closed: a tombstone row or gone). */
  slot = -1;
  /** LRU list of open connections, by last packet. */
  listPrev: Connection | null = null;
  listNext: Connection | null = null;
  closed = false;
  /** Being closed (reset or finish in progress): closing both halves must not complete it again. */
  ending = false;
  /**
   * An RST the receiver could accept came, and the capture may yet show that it did not take effect (the
   * receiver acknowledging data sent after it): until then the connection waits, holding what follows.
   */
  rstPending = false;
  /** Direction, sequence number, capture time, record and file offset of the pending RST. */
  rstDir: Direction = 0;
  rstSeq = 0;
  /**
   * The pending RST's sequence number was not the next one expected (RFC 5961 §3.2: a receiver answers such an
   * RST with a challenge ACK instead of resetting), so the sender's sending more data shows it was not taken.
   */
  rstChallenged = false;
  /** Data or FIN segments from the RST's sender since the RST (below it: sent before it, or not its RST). */
  rstSenderAfter = 0;
  rstTsSec = 0;
  rstTsNsec = 0;
  rstRecord = 0;
  rstFileOffset = 0;
  /** The list of pending RSTs (pending-rsts.ts). */
  rstPrev: Connection | null = null;
  rstNext: Connection | null = null;
  /** Capture time (seconds) of the last packet. */
  lastSeen = 0;
  /** On the assembler's flush list (queued pages or a FIN waiting). */
  inFlushList = false;
  flushPrev: Connection | null = null;
  flushNext: Connection | null = null;

  constructor() {
    this.halves[0].conn = this;
    this.halves[1].conn = this;
  }

  /**
   * Back to the state of a new connection, for a pool that reuses connection objects (`reuseConnections`):
   * a million short connections then cost no million allocations and no garbage collection.
   */
  reset(): void {
    this.id = 0;
    this.reuseIndex = 0;
    this.ipVersion = 4;
    this.vlan = -1;
    this.outerVlan = -1;
    this.encap = 0;
    this.client.setAddress(ZERO_WORDS);
    this.server.setAddress(ZERO_WORDS);
    this.client.port = 0;
    this.server.port = 0;
    this.client.ipVersion = 4;
    this.server.ipVersion = 4;
    this.midStream = false;
    this.serverGuessed = false;
    this.firstTsSec = 0;
    this.firstTsNsec = 0;
    this.lastTsSec = 0;
    this.lastTsNsec = 0;
    this.endReason = null;
    // swapRoles keeps halves[i].dir === i, so the pair is reset in place.
    this.half0 = this.halves[0];
    this.half1 = this.halves[1];
    this.half0.reset(0);
    this.half1.reset(1);
    this.stats[0] = this.half0.stats;
    this.stats[1] = this.half1.stats;
    this.conflicts = NO_RECORDS;
    this.conflictsDropped = 0;
    this.suspiciousRsts = 0;
    this.suspiciousRstRecords = NO_RECORDS;
    this.stream = null;
    this.keepStream = false;
    this.hash = 0;
    this.slot = -1;
    this.listPrev = null;
    this.listNext = null;
    this.closed = false;
    this.ending = false;
    this.rstPending = false;
    this.rstDir = 0;
    this.rstSeq = 0;
    this.rstChallenged = false;
    this.rstSenderAfter = 0;
    this.rstTsSec = 0;
    this.rstTsNsec = 0;
    this.rstRecord = 0;
    this.rstFileOffset = 0;
    this.rstPrev = null;
    this.rstNext = null;
    this.lastSeen = 0;
    this.inFlushList = false;
    this.flushPrev = null;
    this.flushNext = null;
  }

  isn(dir: Direction): number {
    const h = this.halves[dir];
    return h.synSeen ? h.isn : -1;
  }

  /** Swaps client and server: used when a SYN shows the guess was wrong before anything was delivered. */
  swapRoles(): void {
    const a = this.halves[0];
    const b = this.halves[1];
    this.halves = [b, a];
    this.half0 = b;
    this.half1 = a;
    b.dir = 0;
    a.dir = 1;
    this.stats = [b.stats, a.stats];
    const was = SWAP;
    was.copyFrom(this.client);
    this.client.copyFrom(this.server);
    this.server.copyFrom(was);
  }
}

/** Scratch endpoint for swapping roles. */
const SWAP = new Endpoint();
