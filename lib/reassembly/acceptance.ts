/**
 * What the receiving endpoint would accept, as pure functions of the two half-connections: its advertised
 * window, RSTs and segments outside any window it could have had, and whether a SYN starts a new connection.
 * The engine drops what the endpoint would drop (see AssemblerOptions.rstPolicy and outOfWindowDistance).
 */
import { TcpFlag, type TcpPacket } from '../decode/packet.js';
import type { Connection, Direction, HalfConnection } from './connection.js';
import { seqAdd, seqDiff } from './sequence.js';

/** RFC 7323: a window scale above 14 is taken as 14. */
const MAX_WINDOW_SCALE = 14;

/** Notes the window `half`'s sender advertised in `pkt` (scaled once both SYNs showed the option). */
export function noteAdvertisedWindow(half: HalfConnection, rev: HalfConnection, pkt: TcpPacket): void {
  if (pkt.window === 0) half.stats.zeroWindows++;
  half.window = pkt.window;
  if ((pkt.flags & TcpFlag.SYN) !== 0) {
    half.wscale = pkt.windowScale > MAX_WINDOW_SCALE ? MAX_WINDOW_SCALE : pkt.windowScale;
    // A SYN's own window is never scaled (RFC 7323).
    half.windowBytes = pkt.window;
  } else if (half.synSeen && rev.synSeen) {
    // Scaling applies only when both SYNs carried the option.
    half.windowBytes = half.wscale >= 0 && rev.wscale >= 0 ? pkt.window * (1 << half.wscale) : pkt.window;
  } else {
    half.windowBytes = -1;
  }
  const wb = half.windowBytes >= 0 ? half.windowBytes : pkt.window;
  if (wb > half.maxWindowBytes) half.maxWindowBytes = wb;
}

/**
 * An RST at `seq` sent in `half`'s direction, checked against every receive window the receiver (`rev`) could
 * have had: the window it allowed when the RST lies outside it (the RST is then dropped), or -1 when the
 * receiver could accept it. The receiver's rcv_nxt is not seen; it lies between its last acknowledgement and
 * the end of the data seen from the sender (or beyond, when its acknowledgement leads because the capture lost
 * data), so that range plus the window is accepted. `unknownWindow`: the window taken when the handshake that
 * would give the real one was not seen.
 */
export function rstOutsideWindow(half: HalfConnection, rev: HalfConnection, seq: number, unknownWindow: number): number {
  // No next sequence number known (RST first, or before any data): nothing to check against.
  if (!half.started) return -1;
  const win = rev.windowBytes >= 0 ? rev.windowBytes : unknownWindow;
  const next = half.nextSeq;
  // Offsets from nextSeq: [lo, hi + win] is accepted.
  let lo = 0;
  let hi = 0;
  if (rev.ackValid) {
    const a = seqDiff(next, rev.ackSeq);
    if (a < 0) lo = a < -win ? -win : a;
    else hi = a;
  }
  const last = half.last;
  if (last !== null) {
    const e = seqDiff(next, seqAdd(last.seq, last.len));
    if (e > hi) hi = e;
  }
  const d = seqDiff(next, seq);
  return d >= lo && d <= hi + win ? -1 : win;
}

/**
 * An RST from `half` to a receiver (`rev`) in SYN-SENT (it sent a SYN, nothing came back yet) that does not
 * acknowledge the SYN: RFC 9293 3.10.7.3 makes it unacceptable, so it changes nothing. True when so.
 */
export function rstInSynSent(half: HalfConnection, rev: HalfConnection, pkt: TcpPacket): boolean {
  if (!rev.synSeen || half.synSeen || half.started) return false;
  if ((pkt.flags & TcpFlag.ACK) === 0) return true;
  const a = seqDiff(seqAdd(rev.isn, 1), pkt.ack);
  // With SYN data (TCP Fast Open) the acknowledgement may also cover it.
  const most = rev.synDataPending ? seqDiff(seqAdd(rev.isn, 1), rev.synDataEnd) : 0;
  return a < 0 || a > most;
}

/**
 * An RST from `half` while it is in SYN-SENT, answering an unacceptable ACK of `rev` (RFC 9293 3.10.7.3:
 * <SEQ=SEG.ACK><CTL=RST>): it aims at the peer's old state, and the sender stays in SYN-SENT (suricata-verify
 * tls-subjectaltname: its SYN comes again). Such an RST ends nothing.
 */
export function rstAnswersUnacceptableAck(half: HalfConnection, rev: HalfConnection, pkt: TcpPacket): boolean {
  return half.synSeen && !rev.synSeen && rev.ackValid && pkt.seq === rev.ackSeq && rev.ackSeq !== seqAdd(half.isn, 1);
}

/** Slack over the receiver's largest advertised window: window updates and acknowledgements the capture lost. */
const WINDOW_SLACK = 64;
/** Ahead distance never refused on window grounds: 64 x a 16 KiB window. */
const MIN_WINDOW_DISTANCE = 1 << 20;
/**
 * Packets one direction may send without a packet from the other before the receiver's window is no longer
 * taken as evidence: an endpoint acknowledges at least every second full segment, so a longer silence means
 * the capture is missing that direction.
 */
export const PEER_SILENCE = 64;

/** A segment lies in a window the receiver could have had. */
export const PLAUSIBLE = 0;
/** Past the receiver's advertised window (64 times over), but within `distance`: doubtful (doubtful.ts). */
export const PAST_WINDOW = 1;
/** Outside any window the receiver could have had. */
export const OUT_OF_WINDOW = 2;

/**
 * Where a segment at `seq` lies. Sequence numbers are compared modulo 2^32 from the next expected byte and from
 * the receiver's last acknowledgement (which leads nextSeq when the capture lost data): the segment is
 * PLAUSIBLE when either lies at most `distance` behind it or ahead of it by at most the window limit;
 * OUT_OF_WINDOW when both are further than `distance`; PAST_WINDOW in between. The window limit is 64 x the
 * receiver's largest advertised window when the handshake gave its scale (both SYNs seen) and the receiver is
 * being heard (see PEER_SILENCE), at least 1 MiB and at most `distance`; otherwise `distance`. A `distance` of
 * 2^31 or more turns the check off.
 */
export function windowVerdict(half: HalfConnection, rev: HalfConnection, seq: number, distance: number): number {
  if (distance >= 0x80000000) return PLAUSIBLE;
  let ahead = distance;
  if (half.synSeen && rev.synSeen && half.packetsSincePeer <= PEER_SILENCE) {
    const w = WINDOW_SLACK * rev.maxWindowBytes;
    const lim = w > MIN_WINDOW_DISTANCE ? w : MIN_WINDOW_DISTANCE;
    if (lim < ahead) ahead = lim;
  }
  const d = seqDiff(half.nextSeq, seq);
  const a = rev.ackValid ? seqDiff(rev.ackSeq, seq) : d;
  if ((d <= ahead && d >= -distance) || (a <= ahead && a >= -distance)) return PLAUSIBLE;
  if ((d <= distance && d >= -distance) || (a <= distance && a >= -distance)) return PAST_WINDOW;
  return OUT_OF_WINDOW;
}

/** A SYN at `seq` on an open connection's 4-tuple: is it a new connection (port reuse) rather than part of this one? */
export function isNewIncarnation(conn: Connection, dir: Direction, seq: number): boolean {
  const h = dir === 0 ? conn.half0 : conn.half1;
  if (h.synSeen) return h.isn !== seq;
  // No SYN seen yet from this side: a late (reordered) handshake unless data already flowed.
  return h.deliveredAny || (dir === 0 ? conn.half1 : conn.half0).deliveredAny;
}

/**
 * Whether the sender of a connection's first packet is its client: a SYN's sender is (a SYN-ACK's is not);
 * without one, the server is guessed as the well-known (< 1024) port, else the lower port.
 */
export function sourceIsClient(pkt: TcpPacket): boolean {
  const flags = pkt.flags;
  if ((flags & TcpFlag.SYN) !== 0) return (flags & TcpFlag.ACK) === 0;
  const srcWellKnown = pkt.srcPort < 1024;
  const dstWellKnown = pkt.dstPort < 1024;
  if (srcWellKnown !== dstWellKnown) return !srcWellKnown;
  return !(pkt.srcPort < pkt.dstPort);
}
