/**
 * A connection's report row as a run of numbers: the form rows take between the engine and the output. A
 * finished connection is written here straight from the engine's ConnectionInfo and HalfStats (no row object,
 * no address text); text and objects are made only when a row is read back ({@link readRow}), at render time.
 * The held-row slots, the row view and the CLI's columnar store all use this one layout.
 */
import type { ConnectionInfo, EndReason, HalfStats } from '../reassembly/index.js';
import { formatAddress } from '../net/address.js';
import type { ConnectionReport, DirectionReport } from './rows.js';

// Top-level fields. Addresses are their four words (IPv4 in word 3), as the engine holds them.
export const F_ID = 0;
export const F_IP_VERSION = 1;
export const F_CLIENT = 2; // 4 words
export const F_SERVER = 6; // 4 words
export const F_CLIENT_PORT = 10;
export const F_SERVER_PORT = 11;
/** VLAN ids, -1 when absent. */
export const F_VLAN = 12;
export const F_OUTER_VLAN = 13;
/** Index into the state words ({@link STATE_WORDS} unless a store has its own). */
export const F_STATE = 14;
/** midStream 1, serverGuessed 2. */
export const F_FLAGS = 15;
export const F_REUSE_INDEX = 16;
export const F_FIRST_SEC = 17;
export const F_FIRST_NSEC = 18;
export const F_LAST_SEC = 19;
export const F_LAST_NSEC = 20;
export const F_CONFLICTS_DROPPED = 21;
/** RSTs the engine ignored as outside the receiver's window (ConnectionInfo.suspiciousRsts). */
export const F_SUSPICIOUS_RSTS = 22;
/** Start of the client-to-server direction's {@link DIRECTION_FIELDS} values, then the server-to-client one's. */
export const F_C2S = 23;
/**
 * The values of one direction, in DirectionReport key order: the report's names, the order writeDirection and
 * readDirection use (and the row store's columns).
 */
export const DIRECTION_KEYS: ReadonlyArray<keyof DirectionReport> = [
  'packets', 'bytes', 'queuedBytes', 'queuedPackets', 'overlapBytes', 'overlapPackets', 'conflicts', 'missingBytes',
  'wireBytes', 'gaps', 'startMissing', 'retransmittedPackets', 'retransmittedBytes', 'outOfWindowPackets',
  'outOfWindowBytes', 'keepAlives', 'windowProbes', 'zeroWindows', 'conflictBytes', 'conflictChecksImpossible',
  'conflictUncheckedBytes', 'pagesPeak', 'syn', 'synRetransmits', 'fin', 'rst', 'rstIgnored', 'packetsAfterClose',
  'rejected', 'truncatedPackets', 'truncatedBytes', 'bytesSkippedByLimits',
];
/** Values of one direction (see {@link DIRECTION_KEYS}). */
export const DIRECTION_FIELDS = 32;
export const F_S2C = F_C2S + DIRECTION_FIELDS;
/** Numbers a row takes. */
export const ROW_FIELDS = F_S2C + DIRECTION_FIELDS;

const MID_STREAM = 1;
const SERVER_GUESSED = 2;

/**
 * The state words, indexed by state code: the report words of the engine's end reasons (see stateText), then
 * `interrupted`. Stable values of the `state` field in JSON, CSV and the manifest.
 */
export const STATE_WORDS: readonly string[] = ['open', 'complete', 'reset', 'timed out', 'open at end', 'evicted', 'superseded', 'interrupted'];
const INTERRUPTED_CODE = 7;

/** Code of the state word for how a connection ended (an index into {@link STATE_WORDS}); no lookup by text. */
export function stateCode(reason: EndReason | null, interrupted: boolean): number {
  switch (reason) {
    case null:
      return 0;
    case 'complete':
      return 1;
    case 'reset':
      return 2;
    case 'timed-out':
      return 3;
    case 'open-at-end':
      return interrupted ? INTERRUPTED_CODE : 4;
    case 'evicted':
      return 5;
    case 'superseded':
      return 6;
  }
  return 0;
}

/** Writes one direction's counters at `at`, in DirectionReport key order (directionReport in rows.ts). */
export function writeDirection(a: Float64Array, at: number, s: HalfStats): void {
  a[at] = s.packets;
  a[at + 1] = s.bytesDelivered;
  a[at + 2] = s.queuedBytes;
  a[at + 3] = s.queuedPackets;
  a[at + 4] = s.overlapBytes;
  a[at + 5] = s.overlapPackets;
  a[at + 6] = s.conflicts;
  a[at + 7] = s.bytesMissing;
  a[at + 8] = s.bytes;
  a[at + 9] = s.gaps;
  a[at + 10] = s.startMissing ? 1 : 0;
  a[at + 11] = s.retransmittedPackets;
  a[at + 12] = s.retransmittedBytes;
  a[at + 13] = s.outOfWindowPackets;
  a[at + 14] = s.outOfWindowBytes;
  a[at + 15] = s.keepAlives;
  a[at + 16] = s.windowProbes;
  a[at + 17] = s.zeroWindows;
  a[at + 18] = s.conflictBytes;
  a[at + 19] = s.conflictChecksImpossible;
  a[at + 20] = s.conflictUncheckedBytes;
  a[at + 21] = s.pagesPeak;
  a[at + 22] = s.syn;
  a[at + 23] = s.synRetransmits;
  a[at + 24] = s.fin;
  a[at + 25] = s.rst;
  a[at + 26] = s.rstIgnored;
  a[at + 27] = s.packetsAfterClose;
  a[at + 28] = s.rejected;
  a[at + 29] = s.truncatedPackets;
  a[at + 30] = s.truncatedBytes;
  a[at + 31] = s.bytesSkippedByLimits;
}

/** The direction written at `at`, as the plain object directionReport gives (same keys, same order). */
export function readDirection(a: ArrayLike<number>, at: number): DirectionReport {
  return {
    packets: a[at]!,
    bytes: a[at + 1]!,
    queuedBytes: a[at + 2]!,
    queuedPackets: a[at + 3]!,
    overlapBytes: a[at + 4]!,
    overlapPackets: a[at + 5]!,
    conflicts: a[at + 6]!,
    missingBytes: a[at + 7]!,
    wireBytes: a[at + 8]!,
    gaps: a[at + 9]!,
    startMissing: a[at + 10] !== 0,
    retransmittedPackets: a[at + 11]!,
    retransmittedBytes: a[at + 12]!,
    outOfWindowPackets: a[at + 13]!,
    outOfWindowBytes: a[at + 14]!,
    keepAlives: a[at + 15]!,
    windowProbes: a[at + 16]!,
    zeroWindows: a[at + 17]!,
    conflictBytes: a[at + 18]!,
    conflictChecksImpossible: a[at + 19]!,
    conflictUncheckedBytes: a[at + 20]!,
    pagesPeak: a[at + 21]!,
    syn: a[at + 22]!,
    synRetransmits: a[at + 23]!,
    fin: a[at + 24]!,
    rst: a[at + 25]!,
    rstIgnored: a[at + 26]!,
    packetsAfterClose: a[at + 27]!,
    rejected: a[at + 28]!,
    truncatedPackets: a[at + 29]!,
    truncatedBytes: a[at + 30]!,
    bytesSkippedByLimits: a[at + 31]!,
  };
}

/** Writes the row of a connection that just ended at `at` (a snapshot: later packets to its tombstone are not in it). */
export function writeRow(a: Float64Array, at: number, c: ConnectionInfo, state: number): void {
  a[at + F_ID] = c.id;
  a[at + F_IP_VERSION] = c.ipVersion;
  const cw = c.client.addr;
  const sw = c.server.addr;
  a[at + F_CLIENT] = cw[0]!;
  a[at + F_CLIENT + 1] = cw[1]!;
  a[at + F_CLIENT + 2] = cw[2]!;
  a[at + F_CLIENT + 3] = cw[3]!;
  a[at + F_SERVER] = sw[0]!;
  a[at + F_SERVER + 1] = sw[1]!;
  a[at + F_SERVER + 2] = sw[2]!;
  a[at + F_SERVER + 3] = sw[3]!;
  a[at + F_CLIENT_PORT] = c.client.port;
  a[at + F_SERVER_PORT] = c.server.port;
  a[at + F_VLAN] = c.vlan;
  a[at + F_OUTER_VLAN] = c.outerVlan;
  a[at + F_STATE] = state;
  a[at + F_FLAGS] = (c.midStream ? MID_STREAM : 0) | (c.serverGuessed ? SERVER_GUESSED : 0);
  a[at + F_REUSE_INDEX] = c.reuseIndex;
  a[at + F_FIRST_SEC] = c.firstTsSec;
  a[at + F_FIRST_NSEC] = c.firstTsNsec;
  a[at + F_LAST_SEC] = c.lastTsSec;
  a[at + F_LAST_NSEC] = c.lastTsNsec;
  a[at + F_CONFLICTS_DROPPED] = c.conflictsDropped;
  a[at + F_SUSPICIOUS_RSTS] = c.suspiciousRsts;
  writeDirection(a, at + F_C2S, c.stats[0]);
  writeDirection(a, at + F_S2C, c.stats[1]);
}

/** The connection id of the row at `at`. */
export function rowId(a: ArrayLike<number>, at: number): number {
  return a[at + F_ID]!;
}

/** The address text of the four words at `at` (`client` or `server`). */
export function rowAddress(a: ArrayLike<number>, at: number, ipVersion: 4 | 6): string {
  return formatAddress([a[at]!, a[at + 1]!, a[at + 2]!, a[at + 3]!], ipVersion);
}

/**
 * The row at `at` as the report object (the one connectionReport builds from the engine: same keys, same
 * order, so JSON output is identical). `states` maps state codes to words.
 */
export function readRow(a: ArrayLike<number>, at: number, states: readonly string[] = STATE_WORDS): ConnectionReport {
  const v = a[at + F_IP_VERSION] as 4 | 6;
  const vlan = a[at + F_VLAN]!;
  const outer = a[at + F_OUTER_VLAN]!;
  const flags = a[at + F_FLAGS]!;
  const c2s = readDirection(a, at + F_C2S);
  const s2c = readDirection(a, at + F_S2C);
  return {
    id: a[at + F_ID]!,
    ipVersion: v,
    client: rowAddress(a, at + F_CLIENT, v),
    clientPort: a[at + F_CLIENT_PORT]!,
    server: rowAddress(a, at + F_SERVER, v),
    serverPort: a[at + F_SERVER_PORT]!,
    vlan: vlan >= 0 ? vlan : null,
    outerVlan: outer >= 0 ? outer : null,
    state: states[a[at + F_STATE]!]!,
    midStream: (flags & MID_STREAM) !== 0,
    serverGuessed: (flags & SERVER_GUESSED) !== 0,
    reuseIndex: a[at + F_REUSE_INDEX]!,
    firstTsSec: a[at + F_FIRST_SEC]!,
    firstTsNsec: a[at + F_FIRST_NSEC]!,
    lastTsSec: a[at + F_LAST_SEC]!,
    lastTsNsec: a[at + F_LAST_NSEC]!,
    // Each direction's own peak; their sum bounds what the connection held at once.
    peakPages: c2s.pagesPeak + s2c.pagesPeak,
    conflictsDropped: a[at + F_CONFLICTS_DROPPED]!,
    suspiciousRsts: a[at + F_SUSPICIOUS_RSTS]!,
    c2s,
    s2c,
  };
}
