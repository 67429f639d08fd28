/**
 * Conflict detection: the bytes of a new segment compared with the copy already seen, buffered (out of order)
 * or delivered (kept in the delivered-data window). A scan covers one segment; adjacent differing pieces
 * brought by the same old packet are merged into one record, so a retransmission that rewrote a whole
 * segment is one conflict, not one per page.
 */
import type { TcpPacket } from '../decode/packet.js';
import { CONFLICT_SAMPLE_BYTES, CONFLICT_SAMPLE_LEAD, ConflictRecord, type Connection, type HalfConnection } from './connection.js';
import type { OverlapEvents } from './events.js';
import { fnv1a32, FNV1A_INIT } from './hash.js';
import { DESCRIPTOR_STRIDE, type Page } from './memory.js';
import { seqAdd, seqDiff } from './sequence.js';
import { RUN_FILE, RUN_LENGTH, RUN_POSITION, RUN_RECORD, RUN_SEGMENT_LENGTH, RUN_SEQ, RUN_TS_NSEC, RUN_TS_SEC } from './delivered-runs.js';
import { descriptorAt, type DeliveredWindow } from './delivered-window.js';

/** Finds and records conflicting overlaps; owns the state of the scan in progress. */
export class ConflictScanner {
  /** The record being extended during this scan, its connection, and the new segment's time and record. */
  private record: ConflictRecord | null = null;
  private conn: Connection | null = null;
  private tsSec = 0;
  private tsNsec = 0;
  private recordNumber = 0;
  /** Filled past the per-connection bound: the conflict is counted, its details not kept. */
  private readonly dropped = new ConflictRecord();
  // The old copy being compared: its bytes and the packet that brought them.
  private oldBuf: Buffer = Buffer.alloc(0);
  private oldOff = 0;
  private oldTsSec = 0;
  private oldTsNsec = 0;
  private oldRecordNumber = 0;
  private oldSegmentLength = 0;
  /** One old packet's span of window bytes, read back from the file or gathered from pages. */
  private span: Buffer;
  /** With keepLosingCopies: the losing copy of the record in progress (reused; grows to the largest segment). */
  private losing: Buffer = Buffer.alloc(0);
  private losingLength = 0;

  constructor(
    private readonly events: OverlapEvents,
    private readonly delivered: DeliveredWindow,
    private readonly maxRecords: number,
    pageSize: number,
    private readonly keepLosing = false,
  ) {
    this.span = Buffer.alloc(pageSize);
  }

  /** Starts the scan of one new segment. */
  begin(pkt: TcpPacket): void {
    this.record = null;
    this.tsSec = pkt.tsSec;
    this.tsNsec = pkt.tsNsec;
    this.recordNumber = pkt.recordNumber;
  }

  /** Ends the scan: the record in progress, if any, is complete and goes to the observer. */
  end(): void {
    const r = this.record;
    if (r === null) return;
    this.record = null;
    const losing = this.keepLosing ? this.losing.subarray(0, this.losingLength) : undefined;
    if (this.conn !== null) this.events.conflict(this.conn, r, this.tsSec, this.tsNsec, this.recordNumber, losing);
  }

  /** Adds a piece of the copy that loses (the new one against delivered data, the old one against buffered). */
  private keepLosingPiece(buf: Buffer, off: number, len: number): void {
    const need = this.losingLength + len;
    this.losing = withRoom(this.losing, this.losingLength, need);
    buf.copy(this.losing, this.losingLength, off, off + len);
    this.losingLength = need;
  }

  /** Compares new bytes (`pkt` payload at `newOff`) with a buffered page over [seq, seq + len): newer data wins. */
  compareBuffered(conn: Connection, half: HalfConnection, p: Page, seq: number, len: number, pkt: TcpPacket, newOff: number): void {
    const oldOff = p.off + seqDiff(p.seq, seq);
    if (pkt.payloadBuf.compare(p.buf, oldOff, oldOff + len, newOff, newOff + len) === 0) return;
    this.old(p.buf, oldOff, p.tsSec, p.tsNsec, p.recordNumber, p.pktLen);
    this.note(conn, half, 'buffered', seq, len, pkt, newOff, 'new');
  }

  /**
   * Compares the delivered part [seq, seq + len) of a segment (payload at `off`) with the window of delivered
   * bytes; what the window no longer holds is counted as impossible to check. Delivered data wins.
   */
  checkDelivered(conn: Connection, half: HalfConnection, pkt: TcpPacket, seq: number, off: number, len: number): void {
    let unchecked = 0;
    if (half.deliveredBytes === 0) {
      unchecked = len;
    } else {
      const d = seqDiff(half.deliveredStart, seq);
      if (d < 0) {
        const k = -d < len ? -d : len;
        unchecked += k;
        seq = seqAdd(seq, k);
        off += k;
        len -= k;
      }
      const avail = seqDiff(seq, seqAdd(half.deliveredStart, half.deliveredBytes));
      if (len > avail) {
        unchecked += len - (avail > 0 ? avail : 0);
        len = avail > 0 ? avail : 0;
      }
      if (len > 0) unchecked += this.compareWindow(conn, half, pkt, seq, off, len);
    }
    if (unchecked > 0) {
      const st = half.stats;
      st.conflictChecksImpossible++;
      st.conflictUncheckedBytes += unchecked;
    }
  }

  /**
   * Compares [seq, seq + len), all inside the window, one old packet's run at a time; returns bytes not compared
   * (not reached, or not read back from the file).
   */
  private compareWindow(conn: Connection, half: HalfConnection, pkt: TcpPacket, seq: number, off: number, len: number): number {
    this.begin(pkt);
    const left = half.runCount > 0 ? this.compareRuns(conn, half, pkt, seq, off, len) : this.comparePages(conn, half, pkt, seq, off, len);
    this.end();
    return left;
  }

  /**
   * compareWindow over runs in the capture file. Each old packet's span (its consecutive runs) is read back
   * whole and compared as one piece, so a conflict covers the same bytes as against a window of copies.
   */
  private compareRuns(conn: Connection, half: HalfConnection, pkt: TcpPacket, seq: number, off: number, len: number): number {
    const runs = this.delivered.runs;
    const r = half.runs!;
    let unread = 0;
    let k = runs.runAt(half, seq);
    while (len > 0 && k < half.runCount) {
      const first = runs.slot(half, k);
      const record = r[first + RUN_RECORD]!;
      const fileIndex = r[first + RUN_FILE]!;
      const file = runs.fileAt(fileIndex);
      let span = 0;
      let readable = true;
      let at = seq;
      while (k < half.runCount && span < len) {
        const i = runs.slot(half, k);
        if (r[i + RUN_RECORD] !== record || r[i + RUN_FILE] !== fileIndex) break;
        const within = seqDiff(r[i + RUN_SEQ]!, at);
        let n = r[i + RUN_LENGTH]! - within;
        const partial = n > len - span;
        if (partial) n = len - span;
        this.span = withRoom(this.span, span, span + n);
        // A failed read (the file shrank or is closed) leaves the span unchecked, counted.
        if (readable && file.readAt(this.span, span, n, r[i + RUN_POSITION]! + within) !== n) readable = false;
        span += n;
        at = seqAdd(at, n);
        if (partial) break;
        k++;
      }
      if (!readable) unread += span;
      else if (pkt.payloadBuf.compare(this.span, 0, span, off, off + span) !== 0) {
        this.old(this.span, 0, r[first + RUN_TS_SEC]!, r[first + RUN_TS_NSEC]!, record, r[first + RUN_SEGMENT_LENGTH]!);
        this.note(conn, half, 'delivered', seq, span, pkt, off, 'old');
      }
      seq = at;
      off += span;
      len -= span;
    }
    return len + unread;
  }

  /**
   * compareWindow over copied bytes in pages. Each old packet's span is gathered into one piece (it may cross
   * pages), so pages do not cut conflicts in two; a copy only on a retransmission of delivered data.
   */
  private comparePages(conn: Connection, half: HalfConnection, pkt: TcpPacket, seq: number, off: number, len: number): number {
    let p = this.delivered.pageAt(half, seq);
    while (len > 0 && p !== null) {
      const di = descriptorAt(p, seq);
      const desc = p.desc!;
      const record = desc[di + 3]!;
      const tsSec = desc[di + 1]!;
      const tsNsec = desc[di + 2]!;
      const segmentLength = desc[di + 4]!;
      let span = 0;
      let at = seq;
      while (p !== null && span < len) {
        const d = descriptorAt(p, at);
        if (p.desc![d + 3] !== record) break;
        const within = seqDiff(p.seq, at);
        const inPage = p.len - within;
        let n = inPage;
        const nd = d + DESCRIPTOR_STRIDE;
        if (nd < p.descCount * DESCRIPTOR_STRIDE) {
          const run = seqDiff(at, p.desc![nd]!);
          if (run > 0 && run < n) n = run;
        }
        if (n > len - span) n = len - span;
        this.span = withRoom(this.span, span, span + n);
        p.buf.copy(this.span, span, p.off + within, p.off + within + n);
        span += n;
        at = seqAdd(at, n);
        if (n === inPage) p = p.next;
      }
      if (pkt.payloadBuf.compare(this.span, 0, span, off, off + span) !== 0) {
        this.old(this.span, 0, tsSec, tsNsec, record, segmentLength);
        this.note(conn, half, 'delivered', seq, span, pkt, off, 'old');
      }
      seq = at;
      off += span;
      len -= span;
    }
    return len;
  }

  private old(buf: Buffer, off: number, tsSec: number, tsNsec: number, recordNumber: number, segmentLength: number): void {
    this.oldBuf = buf;
    this.oldOff = off;
    this.oldTsSec = tsSec;
    this.oldTsNsec = tsNsec;
    this.oldRecordNumber = recordNumber;
    this.oldSegmentLength = segmentLength;
  }

  /** Records that [seq, seq + len) of the old copy and of the new one (payload at `newOff`) differ. */
  private note(
    conn: Connection,
    half: HalfConnection,
    against: 'buffered' | 'delivered',
    seq: number,
    len: number,
    pkt: TcpPacket,
    newOff: number,
    winner: 'old' | 'new',
  ): void {
    half.stats.conflictBytes += len;
    const oldBuf = this.oldBuf;
    const oldOff = this.oldOff;
    const r = this.record;
    if (
      r !== null &&
      this.conn === conn &&
      r.direction === half.dir &&
      r.against === against &&
      r.oldRecordNumber === this.oldRecordNumber &&
      seqAdd(r.seq, r.length) === seq
    ) {
      r.length += len;
      r.oldHash = fnv1a32(r.oldHash, oldBuf, oldOff, oldOff + len);
      r.newHash = fnv1a32(r.newHash, pkt.payloadBuf, newOff, newOff + len);
      if (this.keepLosing) this.keepLosingPiece(winner === 'old' ? pkt.payloadBuf : oldBuf, winner === 'old' ? newOff : oldOff, len);
      return;
    }
    this.end();
    half.stats.conflicts++;
    const rec = this.newRecord(conn);
    rec.direction = half.dir;
    rec.seq = seq;
    rec.length = len;
    let i = 0;
    while (i < len && oldBuf[oldOff + i] === pkt.payloadBuf[newOff + i]) i++;
    rec.firstDifferenceSeq = seqAdd(seq, i);
    // Copies of a few bytes each, once per conflict (rare): the old copy may be a page about to be reused.
    const from = i > CONFLICT_SAMPLE_LEAD ? i - CONFLICT_SAMPLE_LEAD : 0;
    const to = len < from + CONFLICT_SAMPLE_BYTES ? len : from + CONFLICT_SAMPLE_BYTES;
    rec.sampleSeq = seqAdd(seq, from);
    rec.oldSample = Buffer.from(oldBuf.subarray(oldOff + from, oldOff + to));
    rec.newSample = Buffer.from(pkt.payloadBuf.subarray(newOff + from, newOff + to));
    rec.against = against;
    rec.oldTsSec = this.oldTsSec;
    rec.oldTsNsec = this.oldTsNsec;
    rec.oldRecordNumber = this.oldRecordNumber;
    rec.oldSegmentLength = this.oldSegmentLength;
    rec.newTsSec = pkt.tsSec;
    rec.newTsNsec = pkt.tsNsec;
    rec.newRecordNumber = pkt.recordNumber;
    rec.newSegmentLength = pkt.wireLength > pkt.payloadLength ? pkt.wireLength : pkt.payloadLength;
    rec.oldHash = fnv1a32(FNV1A_INIT, oldBuf, oldOff, oldOff + len);
    rec.newHash = fnv1a32(FNV1A_INIT, pkt.payloadBuf, newOff, newOff + len);
    rec.winner = winner;
    this.record = rec;
    this.conn = conn;
    if (this.keepLosing) {
      this.losingLength = 0;
      this.keepLosingPiece(winner === 'old' ? pkt.payloadBuf : oldBuf, winner === 'old' ? newOff : oldOff, len);
    }
  }

  /** A record kept on the connection, or, past its bound, the scratch one (counted in conflictsDropped). */
  private newRecord(conn: Connection): ConflictRecord {
    if (conn.conflicts.length < this.maxRecords) {
      const rec = new ConflictRecord();
      conn.addConflict(rec);
      return rec;
    }
    conn.conflictsDropped++;
    return this.dropped;
  }
}

/** `buf`, or a larger copy of its first `used` bytes, with room for `need` bytes (grown at least twofold). */
function withRoom(buf: Buffer, used: number, need: number): Buffer {
  if (need <= buf.length) return buf;
  const grown = Buffer.allocUnsafe(Math.max(need, buf.length * 2, 4096));
  buf.copy(grown, 0, 0, used);
  return grown;
}
