import type { AssemblerOptions, ConnectionInfo, StreamPoolOptions } from '../reassembly/index.js';

/** Which connections a command handles (see `PassOptions.select`). */
export type ConnectionSelector = (conn: ConnectionInfo) => boolean;
import type { CaptureSource, Diagnostic, SkippedInput } from '../capture/index.js';
import type { TimeBound } from './time-range.js';

/**
 * What a pass reads: a capture (path, `-`, or a Readable), or several paths read as one timeline merged by
 * capture time (see readCaptureSet).
 */
export type PassInput = CaptureSource | readonly string[];

/**
 * Settings of one pass over a capture. Every field is optional; the defaults are bounded (see
 * {@link DEFAULT_FLUSH_AFTER_SEC}, {@link DEFAULT_CLOSE_AFTER_SEC} and the engine's DEFAULT_ASSEMBLER_OPTIONS).
 */
export interface PassOptions {
  /** Name of the source in messages and in the summary (default: the path, or `-`). */
  sourceName?: string;
  /** Engine memory and window settings (pages of 1900 bytes). */
  assembler?: Partial<AssemblerOptions>;
  /** Connection table bounds. Defaults: the engine's, except {@link PIPELINE_POOL_DEFAULTS}. */
  pool?: Partial<StreamPoolOptions>;
  /**
   * Seconds of capture time out-of-order data may wait for the bytes before it; after that the hole is skipped
   * and the data delivered (reported as missing bytes). Default {@link DEFAULT_FLUSH_AFTER_SEC}.
   */
  flushAfterSec?: number;
  /** Seconds of capture time a connection may stay idle before it is closed (`timed out`). Default {@link DEFAULT_CLOSE_AFTER_SEC}. */
  closeAfterSec?: number;
  /**
   * Start a direction at its first captured segment when its SYN was not captured (mid-stream pickup), and let
   * the state machine accept such connections. Default true: captures often start in the middle of connections.
   */
  allowMissingInit?: boolean;
  /** Reject segments the simple TCP state machine (gopacket's TCPSimpleFSM, corrected) finds invalid. Default false. */
  checkState?: boolean;
  /** Reject segments exceeding the receiver's announced MSS or advertised window. Default false. */
  checkOptions?: boolean;
  /** Verify IPv4 header and TCP checksums; bad ones are counted and dropped. Default false (offload breaks them). */
  verifyChecksums?: boolean;
  /** Classic pcap: search past a damaged record header instead of stopping there. Default false. */
  resync?: boolean;
  /** SHA-256 of every input as it is read (`PassResult.inputs[i].sha256`): the export's provenance record. */
  hashInputs?: boolean;
  /**
   * Which connections the command handles (analyze rows, exported files, overlap events); all by default.
   * Called once per connection, at its first packet. The run totals count every connection.
   */
  select?: ConnectionSelector;
  /**
   * Only records captured at or after `since` and before `until` are reassembled (like editcap -A / -B); the
   * others are counted (`outsideTime`). A bound relative to the start is measured from the first record read.
   */
  since?: TimeBound;
  until?: TimeBound;
  /** Inputs that came from expanding a folder: one that is not a capture is skipped (see `onSkipped`). */
  fromFolder?: ReadonlySet<string>;
  /** Called once, before the first record, with the inputs' names in timeline order (what recordRef indexes). */
  onInputs?: (names: string[]) => void;
  /** An input of a folder skipped because it is not a capture. */
  onSkipped?: (s: SkippedInput) => void;
  /** Receives reader diagnostics (damage, truncation) as they are found; `source` names the input. */
  onDiagnostic?: (d: Diagnostic) => void;
  /**
   * Called often during the pass (every 256 packets, and after every chunk of input) with the source bytes
   * consumed, packets read and connections seen so far.
   */
  onProgress?: (bytesRead: number, packets: number, connections: number) => void;
  /** Stops reading (Ctrl-C): what was read is flushed, open connections are finished as cut short. */
  signal?: AbortSignal;
  /**
   * Back-pressure from a slow output (a pipe, a terminal): awaited after every chunk of input, so a slow
   * reader of the output slows the reading instead of growing the memory. Default: nothing to wait for.
   */
  drain?: () => Promise<void> | void;
  /**
   * Reassemble only the connections whose 4-tuple hash (tupleHash) falls in shard `index` of `count` (both directions alike);
   * every record is still read and decoded, so capture time, and with it every flush, is a single run's.
   * The worker side of lib/parallel; default: every connection.
   */
  shard?: { index: number; count: number };
}

/**
 * Default flush age: 120 s of capture time. A retransmission that fills a hole comes within a few RTOs (Linux
 * caps the RTO at 120 s), so data older than that will not be completed by anything still to come.
 */
export const DEFAULT_FLUSH_AFTER_SEC = 120;
/**
 * Default close age: 300 s of capture time without a packet. Long enough for idle interactive sessions between
 * keep-alives to stay one connection in most captures, short enough that a capture of hours does not keep every
 * dead connection's state.
 */
export const DEFAULT_CLOSE_AFTER_SEC = 300;

/** Resolved timing: how often capture time triggers a flush. */
export function flushInterval(flushAfterSec: number, closeAfterSec: number): number {
  // Half the shorter age: data waits at most 1.5x its age before it is pushed out, and flushes (which walk every
  // open connection) stay rare in capture time.
  const m = Math.min(flushAfterSec, closeAfterSec) / 2;
  return m > 0.001 ? m : 0.001;
}

/**
 * Where the pipeline's connection table differs from the engine's defaults: `reuseConnections`, so the objects
 * of connections whose tombstone was dropped are reused for new ones (no allocation and no garbage per
 * connection; with a million connections the analyze pass's peak RSS went from about 900 MB to under 500 MB).
 * Safe here because no command keeps an engine ConnectionInfo past `complete()`: analyze snapshots its row
 * there, export copies what it needs at open and at complete, overlaps keeps only ids. Library users who keep
 * ConnectionInfo objects in their own consumers can turn it off through {@link PassOptions.pool}.
 *
 * The tombstone bound stays the engine's (65 536): a tombstone is a row of the connection table (64 bytes and
 * its last-seen time), about 5 MB for all of them, while 16 384 already let one late ACK in a million miss its
 * tombstone and start a phantom connection on the bench's many-connections capture. (A heap snapshot of analyze
 * on that capture, 600,000 connections in: 33 MB live, of it 8,600 open connections at 2.6 kB each.)
 */
export const PIPELINE_POOL_DEFAULTS: Readonly<Partial<StreamPoolOptions>> = Object.freeze({
  reuseConnections: true,
});

/** The name of an input in messages and the summary: the path, `-`, `<stream>`, or `N captures`. */
export function inputName(source: PassInput): string {
  if (typeof source === 'string') return source;
  if (Array.isArray(source)) return source.length === 1 ? (source[0] as string) : `${source.length} captures`;
  return '<stream>';
}
