/**
 * The delivered-data window: the most recent bytes handed to the stream in one direction, kept (bounded) so a
 * retransmission of delivered data can be compared with what was delivered. Each piece notes which packet
 * brought it, so a conflict can name the old copy's capture time.
 *
 * Bytes that can be read back from the capture file are not copied: the window is a ring of runs with their
 * file positions (delivered-runs.ts) and the comparison reads them back (rare: only a retransmission of
 * delivered data). Bytes from a pipe, gzip or a reassembled datagram are copied into pages. A direction's window
 * is one kind or the other; a run of the other kind starts it over.
 */
import type { CaptureReadBack } from '../capture/read-back.js';
import type { HalfConnection } from './connection.js';
import { DeliveredRuns } from './delivered-runs.js';
import { copyBytes, DESCRIPTOR_STRIDE, type Page, type PageCache, WINDOW_DESCRIPTORS } from './memory.js';
import { seqAdd, seqDiff } from './sequence.js';
import type { AssemblerStats } from './stats.js';

/** The windows of all directions of one assembler: run rings for file-backed bytes, pages for copies. */
export class DeliveredWindow {
  private readonly pc: PageCache;
  private readonly stats: AssemblerStats;
  readonly maxBytes: number;
  private readonly maxPagesTotal: number;
  /** Bound per direction, so tiny packets (one page per 8 of them) cannot pin many pages. */
  private readonly maxPagesPerHalf: number;
  /** Runs read back from the file; as many per direction and in all as the pages' descriptors would hold. */
  readonly runs: DeliveredRuns;

  constructor(pc: PageCache, stats: AssemblerStats, maxBytes: number, maxPagesTotal: number) {
    this.pc = pc;
    this.stats = stats;
    this.maxBytes = maxBytes;
    this.maxPagesTotal = maxPagesTotal;
    this.maxPagesPerHalf = Math.ceil(maxBytes / pc.pageSize) + 2;
    this.runs = new DeliveredRuns(stats, this.maxPagesPerHalf * WINDOW_DESCRIPTORS, maxPagesTotal * WINDOW_DESCRIPTORS);
  }

  /**
   * Appends delivered bytes `buf[off, off + len)` holding sequence numbers from `seq`, brought by the packet of
   * `recordNumber` (captured at tsSec/tsNsec, `segmentLength` payload bytes on the wire). With a `readBack` the
   * bytes are at `filePosition` in that file and are not copied.
   */
  append(
    half: HalfConnection,
    buf: Buffer,
    off: number,
    len: number,
    seq: number,
    tsSec: number,
    tsNsec: number,
    recordNumber: number,
    segmentLength: number,
    readBack: CaptureReadBack | null,
    filePosition: number,
  ): void {
    if (this.maxBytes === 0 || len === 0) return;
    const fromFile = readBack !== null;
    if (
      half.deliveredBytes === 0 || seqAdd(half.deliveredStart, half.deliveredBytes) !== seq ||
      (fromFile ? half.deliveredFirst !== null : half.runCount > 0)
    ) {
      // Not contiguous with what is kept (after a gap), or of the other kind: start over.
      this.clear(half);
      half.deliveredStart = seq;
    }
    if (fromFile) {
      if (!this.runs.append(half, seq, len, tsSec, tsNsec, recordNumber, segmentLength, readBack, filePosition)) {
        // No room for a run: keep nothing, so later checks count as impossible rather than compare wrongly.
        half.deliveredStart = seqAdd(seq, len);
        return;
      }
    } else {
      this.appendCopy(half, buf, off, len, seq, tsSec, tsNsec, recordNumber, segmentLength);
    }
    if (half.deliveredBytes > this.maxBytes) this.dropHead(half, half.deliveredBytes - this.maxBytes);
  }

  /** Copies delivered bytes into the direction's window pages. */
  private appendCopy(
    half: HalfConnection, buf: Buffer, off: number, len: number, seq: number, tsSec: number, tsNsec: number,
    recordNumber: number, segmentLength: number,
  ): void {
    let written = 0;
    while (written < len) {
      let p = half.deliveredLast;
      if (p === null || p.off + p.len === p.buf.length || (written === 0 && p.descCount === WINDOW_DESCRIPTORS)) {
        p = this.newPage(half);
        if (p === null) {
          this.clear(half);
          half.deliveredStart = seqAdd(seq, len);
          return;
        }
        p.seq = seqAdd(seq, written);
      }
      if (written === 0 || p.len === 0) addDescriptor(p, seqAdd(seq, written), tsSec, tsNsec, recordNumber, segmentLength);
      const room = p.buf.length - p.off - p.len;
      const k = room < len - written ? room : len - written;
      copyBytes(buf, off + written, p.buf, p.off + p.len, k);
      p.len += k;
      written += k;
      half.deliveredBytes += k;
    }
  }

  /** Releases window bytes before `ack` (acknowledged by the peer). */
  trimTo(half: HalfConnection, ack: number): void {
    const d = seqDiff(half.deliveredStart, ack);
    if (d <= 0) return;
    this.dropHead(half, d < half.deliveredBytes ? d : half.deliveredBytes);
  }

  /** Drops `n` bytes from the front of the window. */
  dropHead(half: HalfConnection, n: number): void {
    if (half.runCount > 0) {
      this.runs.dropHead(half, n);
      return;
    }
    while (n > 0) {
      const p = half.deliveredFirst;
      if (p === null) break;
      const k = n < p.len ? n : p.len;
      p.off += k;
      p.len -= k;
      p.seq = seqAdd(p.seq, k);
      half.deliveredStart = seqAdd(half.deliveredStart, k);
      half.deliveredBytes -= k;
      n -= k;
      if (p.len === 0) {
        this.unlinkHead(half);
        this.releasePage(half, p);
      }
    }
  }

  /** Empties the window of a direction. */
  clear(half: HalfConnection): void {
    this.runs.clear(half);
    while (half.deliveredFirst !== null) {
      const p = half.deliveredFirst;
      this.unlinkHead(half);
      this.releasePage(half, p);
    }
    half.deliveredBytes = 0;
  }

  /** Empties the window of a direction that ends, and gives up its ring. */
  release(half: HalfConnection): void {
    this.clear(half);
    this.runs.release(half);
  }

  /** The window page holding sequence number `seq`, or null. */
  pageAt(half: HalfConnection, seq: number): Page | null {
    for (let p = half.deliveredLast; p !== null; p = p.prev) {
      const d = seqDiff(p.seq, seq);
      if (d >= 0 && d < p.len) return p;
      if (d < 0) continue;
      return null;
    }
    return null;
  }

  private newPage(half: HalfConnection): Page | null {
    let p: Page;
    if (half.deliveredPages >= this.maxPagesPerHalf || this.stats.windowPages >= this.maxPagesTotal) {
      if (this.stats.windowPages >= this.maxPagesTotal) this.stats.windowPageLimitHits++;
      // Reuse this direction's own oldest page, if it has one besides the page being filled.
      const head = half.deliveredFirst;
      if (head === null || head === half.deliveredLast) return null;
      half.deliveredStart = seqAdd(half.deliveredStart, head.len);
      half.deliveredBytes -= head.len;
      this.unlinkHead(half);
      half.deliveredPages--;
      p = head;
      p.off = 0;
      p.len = 0;
      p.descCount = 0;
    } else {
      p = this.pc.next();
      const s = this.stats;
      s.windowPages++;
      if (s.windowPages > s.windowPagesPeak) s.windowPagesPeak = s.windowPages;
      s.pagesInUse = s.bufferedPages + s.windowPages;
      if (s.pagesInUse > s.pagesPeak) s.pagesPeak = s.pagesInUse;
    }
    p.prev = half.deliveredLast;
    p.next = null;
    if (half.deliveredLast !== null) half.deliveredLast.next = p;
    else half.deliveredFirst = p;
    half.deliveredLast = p;
    half.deliveredPages++;
    half.notePages();
    return p;
  }

  private unlinkHead(half: HalfConnection): void {
    const p = half.deliveredFirst!;
    half.deliveredFirst = p.next;
    if (p.next !== null) p.next.prev = null;
    else half.deliveredLast = null;
    p.next = null;
  }

  private releasePage(half: HalfConnection, p: Page): void {
    half.deliveredPages--;
    half.notePages();
    const s = this.stats;
    s.windowPages--;
    s.pagesInUse = s.bufferedPages + s.windowPages;
    this.pc.release(p);
  }
}

function addDescriptor(p: Page, seq: number, tsSec: number, tsNsec: number, recordNumber: number, segmentLength: number): void {
  if (p.descCount === WINDOW_DESCRIPTORS) return;
  if (p.desc === null) p.desc = new Float64Array(WINDOW_DESCRIPTORS * DESCRIPTOR_STRIDE);
  const i = p.descCount++ * DESCRIPTOR_STRIDE;
  p.desc[i] = seq;
  p.desc[i + 1] = tsSec;
  p.desc[i + 2] = tsNsec;
  p.desc[i + 3] = recordNumber;
  p.desc[i + 4] = segmentLength;
}

/**
 * Index into `p.desc` of the descriptor of the packet that brought the window byte at `seq`: [seq, tsSec,
 * tsNsec, recordNumber, segmentLength] from there.
 */
export function descriptorAt(p: Page, seq: number): number {
  let best = 0;
  for (let i = 0; i < p.descCount; i++) {
    if (seqDiff(p.desc![i * DESCRIPTOR_STRIDE]!, seq) >= 0) best = i;
    else break;
  }
  return best * DESCRIPTOR_STRIDE;
}
