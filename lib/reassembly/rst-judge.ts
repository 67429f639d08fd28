/**
 * Which RSTs end a connection (AssemblerOptions.rstPolicy): one the receiver would drop (outside any window it
 * could have had, or in SYN-SENT not acknowledging the SYN) is ignored and listed; one it could accept ends the
 * connection at once ('in-window', 'any') or once the capture shows it took effect ('evidence').
 */
import type { TcpPacket } from '../decode/packet.js';
import { rstAnswersUnacceptableAck, rstInSynSent, rstOutsideWindow } from './acceptance.js';
import { type Connection, type HalfConnection, SuspiciousRst } from './connection.js';
import type { Delivery } from './delivery.js';
import type { FlushList } from './flush-list.js';
import type { AssemblerOptions } from './options.js';
import type { PendingRsts } from './pending-rsts.js';
import { seqAdd, seqDiff } from './sequence.js';
import type { AssemblerContext, FlushContext } from './stream.js';

/**
 * Capture time after an RST from which new data from its target shows the RST was not taken: a second covers the
 * round trip of all but satellite links, and stays below `rstEvidenceSec` (5 s), when a held RST is decided.
 */
export const RST_TARGET_GRACE_SEC = 1;

/** The RST rules of one Assembler. */
export class RstJudge {
  constructor(
    private readonly options: AssemblerOptions,
    private readonly delivery: Delivery,
    private readonly flushList: FlushList,
    /** Connections whose RST waits for evidence, oldest first (shared with Delivery, which decides them). */
    readonly pending: PendingRsts,
  ) {}

  /**
   * An RST the receiver could accept. With rstPolicy 'any' or 'in-window' it ends the connection at once. With 'evidence' the
   * capture may yet show that it did not (RFC 5961 stacks refuse some in-window RSTs; an RST with a low TTL never
   * reaches the receiver): the connection waits, holding what follows, until the receiver acknowledges data sent
   * after it (not taken) or answers with an RST, a new SYN comes, the flush time or memory bound passes, or the
   * capture ends (taken). An RST whose sequence number is not the next one expected is challenged (RFC 5961:
   * the receiver keeps the connection and sends a challenge ACK): its sender sending data or a FIN afterwards
   * also shows it was not taken, which is what settles a forged RST on a one-way capture, where no
   * acknowledgement is seen.
   */
  rst(conn: Connection, half: HalfConnection, pkt: TcpPacket, ctx: AssemblerContext): void {
    if (this.options.rstPolicy !== 'evidence') {
      this.delivery.resetConnection(conn, ctx, half, pkt.seq);
      return;
    }
    if (conn.rstPending) {
      // The receiver's own RST: it has no connection any more. The sender's again, answering data the peer sent
      // after the first (Zeek's rst-inject-rae.pcap): the sender has none. Either way the first RST took effect.
      // A repeated RST with nothing in between proves nothing (a forger can send two).
      const rev = half.dir === 0 ? conn.half1 : conn.half0;
      if (half.dir !== conn.rstDir || rev.heldWire > 0) this.delivery.takeRst(conn, ctx);
      return;
    }
    conn.rstPending = true;
    conn.rstDir = half.dir;
    conn.rstSeq = pkt.seq;
    conn.rstChallenged = !exactRst(half, pkt.seq);
    conn.rstTsSec = pkt.tsSec;
    conn.rstTsNsec = pkt.tsNsec;
    conn.rstRecord = pkt.recordNumber;
    conn.rstFileOffset = pkt.fileOffset;
    const rev = half.dir === 0 ? conn.half1 : conn.half0;
    half.holdActive = true;
    half.holdSeq = pkt.seq;
    rev.holdActive = true;
    rev.holdSeq = rev.last !== null && seqDiff(rev.nextSeq, seqAdd(rev.last.seq, rev.last.len)) > 0 ? seqAdd(rev.last.seq, rev.last.len) : rev.nextSeq;
    this.flushList.note(conn);
    this.pending.add(conn);
  }

  /** RSTs pending longer than `rstEvidenceSec` before capture time `now`: nothing showed them not taken. */
  expire(now: number, ctx: FlushContext): void {
    const limit = now - this.options.rstEvidenceSec;
    for (let c = this.pending.head; c !== null && c.rstTsSec + c.rstTsNsec * 1e-9 < limit; c = this.pending.head) {
      this.settle(c, ctx.setTime(now));
    }
  }

  /**
   * Decides a pending RST that nothing proved either way (its evidence time passed, a memory bound, a flush,
   * the end): taken, unless it is challenged and its sender went on with data that does not end where the RST
   * stands (a real sender's RST follows its last byte; data below it that stops short or runs on shows the RST
   * was not where the stream was). Returns the tombstone slot of a taken RST's connection, -1 when not taken.
   */
  settle(conn: Connection, ctx: AssemblerContext): number {
    if (conn.rstChallenged && conn.rstSenderAfter > 0 && conn.halves[conn.rstDir]!.nextSeq !== conn.rstSeq) {
      this.notTaken(conn, -1, ctx);
      return -1;
    }
    return this.delivery.takeRst(conn, ctx);
  }

  /**
   * A data or FIN segment from the pending RST's sender (`half`). For a challenged RST, one at or past the RST
   * shows it was not taken at once; one below it bringing new bytes is counted (see settle); a retransmission
   * of what was delivered already may have been sent before the RST and proves nothing.
   */
  senderWentOn(conn: Connection, half: HalfConnection, seq: number, wireLen: number, record: number, ctx: AssemblerContext): void {
    if (!conn.rstChallenged) return;
    if (seqDiff(conn.rstSeq, seq) >= 0) this.notTaken(conn, record, ctx);
    else if (seqDiff(half.nextSeq, seqAdd(seq, wireLen)) > 0) conn.rstSenderAfter++;
  }

  /**
   * The RST's target (the endpoint it was sent to) sent new bytes, past what it had sent when the RST came, at
   * least `RST_TARGET_GRACE_SEC` after it: an endpoint that took an RST sends nothing more (its socket is gone),
   * and what it had in flight arrives within a round trip. Only for an RST from a direction never seen (a one-way
   * capture), whose sequence numbers nothing can check and whose sender's answer the capture cannot show: where
   * the sender is seen, its own second RST to the target's data is the better evidence (Zeek rst-inject-rae).
   */
  targetWentOn(conn: Connection, half: HalfConnection, seq: number, now: number, record: number, ctx: AssemblerContext): void {
    if (conn.halves[conn.rstDir]!.started || !half.holdActive || seqDiff(half.holdSeq, seq) < 0) return;
    if (now - (conn.rstTsSec + conn.rstTsNsec * 1e-9) < RST_TARGET_GRACE_SEC) return;
    this.notTaken(conn, record, ctx);
  }

  /**
   * The receiver acknowledged data sent after the pending RST, or the sender of a challenged RST went on
   * sending: it did not take effect; listed as suspicious.
   */
  notTaken(conn: Connection, evidenceRecord: number, ctx: AssemblerContext): void {
    const half = conn.halves[conn.rstDir]!;
    half.stats.rstNotTaken++;
    const r = this.listRst(conn, 'not-taken', half, conn.rstSeq, half.nextSeq, -1);
    if (r !== null) {
      r.tsSec = conn.rstTsSec;
      r.tsNsec = conn.rstTsNsec;
      r.recordNumber = conn.rstRecord;
      r.fileOffset = conn.rstFileOffset;
      r.evidenceRecord = evidenceRecord;
    }
    this.delivery.releaseHold(conn, ctx);
  }

  /**
   * Unless rstPolicy is 'any': an RST outside every receive window the receiver could have had (see
   * rstOutsideWindow), or one in SYN-SENT that does not acknowledge the SYN, is counted and listed, and dropped.
   * Returns true when it was.
   */
  ignored(conn: Connection, half: HalfConnection, rev: HalfConnection, pkt: TcpPacket): boolean {
    if (rstAnswersUnacceptableAck(half, rev, pkt)) {
      half.stats.rst++;
      return true;
    }
    const synSent = rstInSynSent(half, rev, pkt);
    const win = synSent ? 0 : rstOutsideWindow(half, rev, pkt.seq, this.options.rstUnknownWindow);
    if (!synSent && win < 0) return false;
    const st = half.stats;
    st.rst++;
    st.rstIgnored++;
    const r = this.listRst(conn, synSent ? 'not-acknowledging-syn' : 'outside-window', half, pkt.seq, synSent ? seqAdd(rev.isn, 1) : half.nextSeq, win);
    if (r !== null) {
      r.tsSec = pkt.tsSec;
      r.tsNsec = pkt.tsNsec;
      r.recordNumber = pkt.recordNumber;
      r.fileOffset = pkt.fileOffset;
    }
    return true;
  }

  /** Counts a suspicious RST on its connection and lists it (null beyond the list's bound: counted only). */
  private listRst(conn: Connection, kind: SuspiciousRst['kind'], half: HalfConnection, seq: number, expected: number, window: number): SuspiciousRst | null {
    conn.suspiciousRsts++;
    if (conn.suspiciousRstRecords.length >= this.options.maxSuspiciousRstsPerConnection) return null;
    const r = new SuspiciousRst();
    r.kind = kind;
    r.direction = half.dir;
    r.seq = seq;
    r.expected = expected;
    r.window = window;
    conn.addSuspiciousRst(r);
    return r;
  }
}

/**
 * Is `seq` what the receiver expects next of this sender (RFC 5961's exact match)? As far as the capture shows:
 * the next byte to deliver, or the end of the highest segment seen (the receiver may have what the capture
 * missed). A direction never seen has no expectation: nothing is exact.
 */
function exactRst(half: HalfConnection, seq: number): boolean {
  if (!half.started) return false;
  if (seq === half.nextSeq) return true;
  const last = half.last;
  return last !== null && seq === seqAdd(last.seq, last.len);
}
