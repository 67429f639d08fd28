/**
 * The contracts between the assembler and user code: stream factory, stream, context, overlap observer.
 */
import type { TcpPacket } from '../decode/packet.js';
import type { ConflictRecord, ConnectionInfo, Direction } from './connection.js';
import type { ScatterGather } from './scatter-gather.js';

/**
 * Context passed through to the stream with every call. A TcpPacket satisfies it (the default when
 * `assemble` gets no context); callers may pass their own object with more fields. For calls made by a flush,
 * the assembler passes its own context (recordNumber 0, fileOffset -1) carrying the capture time given as
 * `FlushOptions.now`, else the flush threshold (the later of `t` and `tc`); `flushAll` and evictions carry the
 * connection's last packet time.
 */
export interface AssemblerContext {
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly recordNumber: number;
  readonly fileOffset: number;
}

/** The `start` argument of `Stream.accept`: a stream may set `value` to start a direction without a SYN. */
export interface StartFlag {
  value: boolean;
}

/** Receives the reassembled data of one connection (both directions). */
export interface Stream {
  /**
   * Called for every packet of the connection before the engine looks at it.
   * @param pkt the packet (reused by the caller: valid only during the call)
   * @param dir direction of the packet
   * @param nextSeq next sequence number expected in this direction, or -1 when not known yet
   * @param start `value` is true when this packet is a SYN starting the direction; set it to true to force a
   *   start at this packet's sequence number when none is known (mid-stream pickup)
   * @returns false to make the engine ignore the packet (counted as `rejected`)
   */
  accept(pkt: TcpPacket, dir: Direction, nextSeq: number, start: StartFlag, ctx: AssemblerContext): boolean;
  /** In-order data (possibly after a gap, see `sg.info().skip`). The sg is reused: valid only during the call. */
  reassembled(sg: ScatterGather, ctx: AssemblerContext): void;
  /**
   * Called exactly once when the connection ends (its `endReason` is set). Return true to let the engine drop
   * the stream; false keeps calling `accept` for packets that still arrive until the close timeout (the
   * connection is then a tombstone and no data is delivered).
   */
  complete(ctx: AssemblerContext): boolean;
}

/** Creates a stream for each new connection. */
export interface StreamFactory {
  /**
   * @param pkt the first packet of the connection (valid only during the call)
   * @param ctx the context given to `assemble`
   * @param conn the connection: endpoints, id, mid-stream flag, statistics (a live object)
   */
  'new'(pkt: TcpPacket, ctx: AssemblerContext, conn: ConnectionInfo): Stream;
}

/** Kinds of overlap events. */
export type OverlapKind = 'out-of-order' | 'retransmission' | 'partial-overlap' | 'conflict';

/**
 * One overlap event. The assembler reuses a single instance: valid only during the observer call.
 * - `out-of-order`: a segment ahead of nextSeq was queued (no overlap);
 * - `retransmission`: all of the segment's data had been seen already (delivered or buffered);
 * - `partial-overlap`: some of the segment overlapped earlier data, some was new;
 * - `conflict`: overlapping bytes differ (one event per conflict record; see `Connection.conflicts`).
 */
export interface OverlapEvent {
  readonly kind: OverlapKind;
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly recordNumber: number;
  readonly connection: ConnectionInfo;
  readonly direction: Direction;
  /** Absolute sequence number of the segment's first payload byte (for conflicts: of the conflicting range). */
  readonly seq: number;
  /** Payload length of the segment on the wire (for conflicts: of the conflicting range). */
  readonly length: number;
  /** Bytes of the segment that overlapped earlier data. */
  readonly overlapBytes: number;
  /**
   * `conflict` events only: the conflict record (both copies' records, segment lengths, hashes, the copy kept).
   * It is the record in `connection.conflicts` when that list had room, else a scratch record the engine reuses
   * (valid only during the observer call, like the event). Undefined for other kinds.
   */
  readonly conflict?: ConflictRecord;
  /**
   * `conflict` events with the engine's `keepLosingCopies`: the bytes of the copy not kept, all of
   * [seq, seq + length). A view of a reused buffer, valid only during the observer call.
   */
  readonly losingCopy?: Buffer;
}

/** Optional observer of overlaps, for the overlap report. */
export interface OverlapObserver {
  onOverlap(ev: OverlapEvent): void;
}

/** Mutable OverlapEvent the assembler reuses. */
export class OverlapEventImpl implements OverlapEvent {
  kind: OverlapKind = 'out-of-order';
  tsSec = 0;
  tsNsec = 0;
  recordNumber = 0;
  connection!: ConnectionInfo;
  direction: Direction = 0;
  seq = 0;
  length = 0;
  overlapBytes = 0;
  conflict: ConflictRecord | undefined = undefined;
  losingCopy: Buffer | undefined = undefined;
}

/** Capture information of a byte: which packet brought it and when. */
export class CaptureInfo {
  tsSec = 0;
  tsNsec = 0;
  recordNumber = 0;
  fileOffset = 0;
  interfaceId = 0;
  /** Absolute sequence number of the byte asked about. */
  seq = 0;
}

/** Context for calls made by flushes: carries the capture time the flush acted at. */
export class FlushContext implements AssemblerContext {
  tsSec = 0;
  tsNsec = 0;
  recordNumber = 0;
  fileOffset = -1;

  setTime(t: number): this {
    if (Number.isFinite(t)) {
      this.tsSec = Math.floor(t);
      this.tsNsec = Math.min(999_999_999, Math.round((t - this.tsSec) * 1e9));
    } else {
      this.tsSec = 0;
      this.tsNsec = 0;
    }
    return this;
  }
}
