/**
 * Optional per-connection checks a Stream's `accept` can call, after gopacket's tcpcheck.go: a simple TCP state
 * machine, and a check of segments against the MSS and receive window the peers announced.
 *
 * Both are per-connection objects (create one per connection, in the StreamFactory); their counters can be
 * shared by all connections by passing one stats object to every instance. Directions: 0 is client to server,
 * 1 is server to client.
 */
import { TcpFlag, type TcpPacket } from '../decode/packet.js';

/** States of {@link TcpSimpleFsm}. */
export const TcpState = {
  /** Nothing seen yet. */
  NotConnected: 0,
  /** The client's SYN was seen. */
  SynSent: 1,
  /** The server's SYN-ACK was seen. */
  SynAckSent: 2,
  /** The handshake completed (or, with supportMissingEstablishment, data was seen). */
  Established: 3,
  /** At least one side sent a FIN. */
  Closing: 4,
  /** Both FINs were acknowledged, or an RST was seen. */
  Closed: 5,
} as const;
export type TcpState = (typeof TcpState)[keyof typeof TcpState];

const STATE_NAMES = ['NotConnected', 'SynSent', 'SynAckSent', 'Established', 'Closing', 'Closed'];

/** Counters of {@link TcpSimpleFsm}: what it accepted, and what it rejected by reason. */
export class TcpFsmStats {
  accepted = 0;
  rejected = 0;
  /** A first segment that is not a SYN, while supportMissingEstablishment is off. */
  noHandshake = 0;
  /** A segment that does not fit the handshake in progress (a SYN-ACK from the client, data before the SYN-ACK). */
  badHandshake = 0;
  /** A SYN after the handshake that is not a retransmission of it (wrong direction or flags). */
  unexpectedSyn = 0;
  /** A segment after the connection closed, other than an RST or a new SYN. */
  afterClose = 0;
}

/** Options of {@link TcpSimpleFsm}. */
export interface TcpSimpleFsmOptions {
  /**
   * Accept connections whose handshake was not captured (gopacket's SupportMissingEstablishment): the first
   * segment puts the machine in the state it implies. Off by default, as in gopacket.
   */
  supportMissingEstablishment?: boolean;
  /**
   * Close the machine on an RST (default true, gopacket's rule). Set false when the caller relies on the
   * reassembler to decide which RSTs end the connection (the engine's `rstPolicy: 'in-window'` ignores an RST
   * far outside the receiver's window, as the receiver does): the machine then accepts RSTs and stays in its
   * state, so the data after an ignored (blind or forged) RST is not rejected as "after close". The machine
   * cannot make that decision itself: it does not follow sequence numbers.
   */
  closeOnRst?: boolean;
  /** Counters to add to (share one object among connections to get totals); a new one by default. */
  stats?: TcpFsmStats;
}

/**
 * A very simple TCP state machine (gopacket TCPSimpleFSM): rejects segments that a TCP stack would not have
 * accepted in the connection's state. It does not check sequence numbers (see {@link TcpOptionCheck}) and
 * expects segments roughly in capture order.
 *
 * Differences from gopacket, on purpose: retransmitted SYN / SYN-ACK segments are accepted in every state up
 * to the close (late duplicates are normal); either side's FIN moves to Closing, and the ACK of the second FIN
 * closes; a new SYN after the close starts the machine again (port reuse). An RST closes in any state, unless
 * `closeOnRst` is false (the reassembler decides).
 */
export class TcpSimpleFsm {
  /** Counters (shared when given in the options). */
  readonly stats: TcpFsmStats;
  private readonly supportMissing: boolean;
  private readonly closeOnRst: boolean;
  private current: TcpState = TcpState.NotConnected;
  /** Direction of the client (the SYN's sender); guessed as the first sender when the handshake is missing. */
  private clientDir: 0 | 1 = 0;
  /** Bit per direction that sent a FIN. */
  private finSent = 0;
  private lastFinDir: 0 | 1 = 0;

  constructor(options: TcpSimpleFsmOptions = {}) {
    this.supportMissing = options.supportMissingEstablishment ?? false;
    this.closeOnRst = options.closeOnRst ?? true;
    this.stats = options.stats ?? new TcpFsmStats();
  }

  /** The current state. */
  get state(): TcpState {
    return this.current;
  }

  /** The current state's name, for logs. */
  toString(): string {
    return STATE_NAMES[this.current]!;
  }

  /**
   * Checks a segment against the state and moves the state on. Returns false (and counts the reason) when the
   * segment is not acceptable in this state; the state is then unchanged.
   */
  checkState(tcp: TcpPacket, dir: 0 | 1): boolean {
    const f = tcp.flags;
    const syn = (f & TcpFlag.SYN) !== 0;
    const ack = (f & TcpFlag.ACK) !== 0;
    const rst = (f & TcpFlag.RST) !== 0;
    const stats = this.stats;

    switch (this.current) {
      case TcpState.NotConnected:
        if (syn && !ack) return this.open(dir);
        if (!this.supportMissing) return this.reject(REASON_NO_HANDSHAKE);
        // An RST first says nothing about who the client is; the reassembler ends the connection on it.
        if (rst && !this.closeOnRst) return this.accept();
        if (syn) {
          // A SYN-ACK first: the client's SYN was missed; the client is the other side.
          this.clientDir = (1 - dir) as 0 | 1;
          this.current = TcpState.SynAckSent;
          return this.accept();
        }
        this.clientDir = dir;
        if (rst) {
          this.current = TcpState.Closed;
          return this.accept();
        }
        this.current = TcpState.Established;
        return this.established(f, dir);

      case TcpState.SynSent:
        if (rst) return this.reset();
        if (syn && !ack && dir === this.clientDir) return this.accept(); // retransmitted SYN
        if (syn && ack && dir !== this.clientDir) {
          this.current = TcpState.SynAckSent;
          return this.accept();
        }
        if (!syn && ack && dir === this.clientDir && this.supportMissing) {
          // The client acknowledges a SYN-ACK that the capture missed.
          this.current = TcpState.Established;
          return this.established(f, dir);
        }
        return this.reject(REASON_BAD_HANDSHAKE);

      case TcpState.SynAckSent:
        if (rst) return this.reset();
        if (syn) {
          if ((ack && dir !== this.clientDir) || (!ack && dir === this.clientDir)) return this.accept();
          return this.reject(REASON_BAD_HANDSHAKE);
        }
        if (ack && (dir === this.clientDir || this.supportMissing)) {
          // The client's ACK completes the handshake; a server segment first means the capture missed it.
          this.current = TcpState.Established;
          return this.established(f, dir);
        }
        return this.reject(REASON_BAD_HANDSHAKE);

      case TcpState.Established:
      case TcpState.Closing:
        return this.established(f, dir);

      case TcpState.Closed:
        if (syn && !ack) return this.open(dir);
        if (rst) return this.accept();
        stats.afterClose++;
        stats.rejected++;
        return false;
    }
    return this.reject(REASON_BAD_HANDSHAKE);
  }

  /** Established or Closing: anything goes but a stray SYN; FINs and the last ACK move towards Closed. */
  private established(f: number, dir: 0 | 1): boolean {
    if ((f & TcpFlag.RST) !== 0) return this.reset();
    const ack = (f & TcpFlag.ACK) !== 0;
    if ((f & TcpFlag.SYN) !== 0) {
      // A late duplicate of the handshake is harmless; any other SYN does not belong to this connection.
      if ((ack && dir !== this.clientDir) || (!ack && dir === this.clientDir)) return this.accept();
      return this.reject(REASON_UNEXPECTED_SYN);
    }
    if ((f & TcpFlag.FIN) !== 0) {
      this.finSent |= 1 << dir;
      this.lastFinDir = dir;
      this.current = TcpState.Closing;
      return this.accept();
    }
    if (this.current === TcpState.Closing && this.finSent === 3 && ack && dir !== this.lastFinDir) {
      // The ACK of the second FIN.
      this.current = TcpState.Closed;
    }
    return this.accept();
  }

  private open(dir: 0 | 1): boolean {
    this.clientDir = dir;
    this.finSent = 0;
    this.current = TcpState.SynSent;
    return this.accept();
  }

  /** An RST: closes, or (closeOnRst false) is accepted without a change, the reassembler deciding. */
  private reset(): boolean {
    return this.closeOnRst ? this.close() : this.accept();
  }

  private close(): boolean {
    this.current = TcpState.Closed;
    return this.accept();
  }

  private accept(): boolean {
    this.stats.accepted++;
    return true;
  }

  private reject(reason: number): boolean {
    const stats = this.stats;
    stats.rejected++;
    if (reason === REASON_NO_HANDSHAKE) stats.noHandshake++;
    else if (reason === REASON_BAD_HANDSHAKE) stats.badHandshake++;
    else stats.unexpectedSyn++;
    return false;
  }
}

const REASON_NO_HANDSHAKE = 0;
const REASON_BAD_HANDSHAKE = 1;
const REASON_UNEXPECTED_SYN = 2;

/** Counters of {@link TcpOptionCheck}. */
export class TcpOptionCheckStats {
  accepted = 0;
  rejected = 0;
  /** Segments carrying more payload than the receiver's MSS allows (with the configured slack). */
  exceedsMss = 0;
  /** Segments ending beyond the right edge of the receiver's advertised window (with the configured slack). */
  outsideWindow = 0;
  /** Segments starting before the next expected sequence number (only with rejectRetransmissions). */
  retransmission = 0;
}

/** Options of {@link TcpOptionCheck}. */
export interface TcpOptionCheckOptions {
  /** Check payload sizes against the MSS the receiver announced in its SYN (default true). */
  checkMss?: boolean;
  /**
   * Bytes a segment may carry beyond the receiver's MSS (default 40, the TCP option space). RFC 6691 has the
   * sender, not the MSS, account for options; stacks that get this the other way round send up to 40 bytes
   * more than the announced MSS, and that is not evidence of a foreign segment.
   */
  mssSlack?: number;
  /**
   * How many MSS-sized segments one captured packet may hold (default 1). Captures taken on a host with
   * segmentation offload (TSO on the sender, GRO/LRO on the receiver) hold super-segments of many MSS, which
   * gopacket's rule rejects outright; set this to 45 (64 KiB / 1460) for such captures.
   */
  maxSegmentsPerPacket?: number;
  /** Check that segments end within the receiver's advertised window (default true). */
  checkWindow?: boolean;
  /**
   * Bytes a segment may end beyond the advertised right edge, on top of one window unit (default 0).
   * The unit (1 << scale, so 1 byte for an unscaled window) is always allowed: it covers zero-window probes
   * and the rounding down of scaled windows. Raise this for captures that lose many of the receiver's window
   * updates.
   */
  windowSlack?: number;
  /**
   * Reject segments that start before the next expected sequence number, except 0/1-byte keep-alives
   * (gopacket's "re-emitted packet" rule). Off by default: retransmissions, and the ones whose bytes differ,
   * are exactly what a forensic reassembler must see.
   */
  rejectRetransmissions?: boolean;
  /** Counters to add to (share one object among connections to get totals); a new one by default. */
  stats?: TcpOptionCheckStats;
}

/** RFC 7323: a window scale above 14 is taken as 14. */
const MAX_WINDOW_SCALE = 14;

/**
 * Checks segments against what the two sides announced in their SYNs (gopacket TCPOptionCheck): the MSS, and
 * the receive window given the window scale. Remembers per direction the MSS and scale from its SYN and the
 * right edge of the window it last advertised (acknowledgement number + window << scale).
 *
 * Window scaling applies only when both SYNs carried the option (RFC 7323), and never to the window of a SYN
 * itself. When either SYN was not captured the scale is unknown, so the window is not checked (gopacket instead
 * assumes no scaling and rejects good data). The MSS is checked only when the receiver's SYN was captured.
 */
export class TcpOptionCheck {
  /** Counters (shared when given in the options). */
  readonly stats: TcpOptionCheckStats;
  private readonly checkMss: boolean;
  private readonly mssSlack: number;
  private readonly maxSegments: number;
  private readonly checkWindow: boolean;
  private readonly windowSlack: number;
  private readonly rejectRetransmissions: boolean;
  /** Per direction: MSS announced in its SYN (-1 unknown), window scale announced (-1 none), SYN seen. */
  private readonly mss = [-1, -1];
  private readonly scale = [-1, -1];
  private readonly synSeen = [false, false];
  /** Per direction: right edge of the window it advertised (sequence space of the other direction). */
  private readonly rightEdge = [0, 0];
  /** Per direction: the unit of its last advertised window (1 << scale; 1 for a SYN's unscaled window). */
  private readonly edgeUnit = [1, 1];
  private readonly edgeKnown = [false, false];

  constructor(options: TcpOptionCheckOptions = {}) {
    this.checkMss = options.checkMss ?? true;
    this.mssSlack = options.mssSlack ?? 40;
    this.maxSegments = Math.max(1, options.maxSegmentsPerPacket ?? 1);
    this.checkWindow = options.checkWindow ?? true;
    this.windowSlack = options.windowSlack ?? 0;
    this.rejectRetransmissions = options.rejectRetransmissions ?? false;
    this.stats = options.stats ?? new TcpOptionCheckStats();
  }

  /**
   * Checks one segment sent in direction `dir`. `nextSeq` is the next sequence number the reassembler expects
   * in that direction, or -1 when it does not know one yet. Returns false (and counts the reason) to reject;
   * a rejected segment teaches the check nothing.
   */
  accept(tcp: TcpPacket, dir: 0 | 1, nextSeq: number): boolean {
    const stats = this.stats;
    const rev = 1 - dir;
    const isSyn = (tcp.flags & TcpFlag.SYN) !== 0;
    if (isSyn) {
      this.synSeen[dir] = true;
      this.mss[dir] = tcp.mss > 0 ? tcp.mss : -1;
      this.scale[dir] = tcp.windowScale;
    } else {
      const len = tcp.wireLength;
      const mss = this.mss[rev]!;
      if (this.checkMss && mss > 0 && len > mss * this.maxSegments + this.mssSlack) {
        stats.exceedsMss++;
        stats.rejected++;
        return false;
      }
      if (this.rejectRetransmissions && nextSeq >= 0) {
        const diff = (tcp.seq - nextSeq) | 0;
        // One byte (or none) just before nextSeq is a keep-alive, not a retransmission.
        if (diff < 0 && !(diff === -1 && len <= 1)) {
          stats.retransmission++;
          stats.rejected++;
          return false;
        }
      }
      if (this.checkWindow && this.edgeKnown[rev] && this.synSeen[0] && this.synSeen[1]) {
        const over = (tcp.seq + len - this.rightEdge[rev]!) | 0;
        if (over > this.edgeUnit[rev]! + this.windowSlack) {
          stats.outsideWindow++;
          stats.rejected++;
          return false;
        }
      }
    }
    if ((tcp.flags & TcpFlag.ACK) !== 0) {
      const unit = isSyn ? 1 : 2 ** this.shift(dir);
      this.rightEdge[dir] = (tcp.ack + tcp.window * unit) >>> 0;
      this.edgeUnit[dir] = unit;
      this.edgeKnown[dir] = true;
    }
    stats.accepted++;
    return true;
  }

  /** Window scale of what `dir` advertises: its announced scale if both SYNs carried the option, else 0. */
  private shift(dir: number): number {
    const s0 = this.scale[0]!;
    const s1 = this.scale[1]!;
    if (!this.synSeen[0] || !this.synSeen[1] || s0 < 0 || s1 < 0) return 0;
    const s = dir === 0 ? s0 : s1;
    return s > MAX_WINDOW_SCALE ? MAX_WINDOW_SCALE : s;
  }
}
