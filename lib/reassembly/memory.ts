/**
 * Fixed-size pages for out-of-order data, kept bytes and the delivered-data window, from a reusable cache.
 *
 * As in gopacket's memory.go, out-of-order bytes are copied into pages so the capture reader's buffer can be
 * reused. Every page holds bytes of exactly one packet, so the capture information stored on the page is exact
 * for every byte in it (gopacket's captureInfo panics on the second page of a packet, #483).
*/
import type { CaptureReadBack } from '../capture/read-back.js';
import type { TcpPacket } from '../decode/packet.js';

/** Default page size: gopacket's, room for one full-size Ethernet segment. */
export const DEFAULT_PAGE_SIZE = 1900;

/** Descriptors a window page can hold: one per packet whose bytes start in the page. */
export const WINDOW_DESCRIPTORS = 8;
/** Numbers per window descriptor: seq, tsSec, tsNsec, recordNumber, segment length. */
export const DESCRIPTOR_STRIDE = 5;

/** A page of buffered bytes: `buf[off, off + len)` holds sequence numbers `[seq, seq + len)`. */
export class Page {
  readonly buf: Buffer;
  off = 0;
  len = 0;
  /** Sequence number of `buf[off]`. */
  seq = 0;
  /**
   * Bytes of sequence space right after this page's data that were on the wire but not captured (snaplen).
   * Only on the last page of a truncated packet.
   */
  missingAfter = 0;
  /** True on the page holding the first stored byte of its packet (counts packets). */
  first = false;
  /** Payload length of the packet the bytes came from (wire length). */
  pktLen = 0;
  // Capture information of the packet the bytes came from.
  tsSec = 0;
  tsNsec = 0;
  recordNumber = 0;
  fileOffset = 0;
  interfaceId = 0;
  prev: Page | null = null;
  next: Page | null = null;
  /**
   * Window pages only: for each packet whose bytes start in this page (and for the packet continuing at the page
   * start), [seq, tsSec, tsNsec, recordNumber, segmentLength] (DESCRIPTOR_STRIDE numbers; segmentLength is the
   * packet's payload length on the wire). Allocated the first time the page serves the window.
   */
  desc: Float64Array | null = null;
  descCount = 0;
  /**
   * Queued pages only: the capture file the bytes are also in, with `buf[0]` at file position `bufPosition`,
   * so that once delivered the window can read them back rather than copy them. Null: not in a file.
   */
  readBack: CaptureReadBack | null = null;
  bufPosition = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Capture time in seconds. */
  get time(): number {
    return this.tsSec + this.tsNsec * 1e-9;
  }
}

/** Notes on `p` the capture information of the packet its bytes come from (its segment length apart). */
export function setPacketInfo(p: Page, pkt: TcpPacket): void {
  p.tsSec = pkt.tsSec;
  p.tsNsec = pkt.tsNsec;
  p.recordNumber = pkt.recordNumber;
  p.fileOffset = pkt.fileOffset;
  p.interfaceId = pkt.interfaceId;
}

/** Notes on `p` where in the capture file its `buf[0]`, the payload byte at `payloadOff`, is (if it is in one). */
export function setFilePosition(p: Page, pkt: TcpPacket, payloadOff: number): void {
  p.readBack = pkt.readBack;
  p.bufPosition = pkt.payloadFileOffset + (payloadOff - pkt.payloadOffset);
}

/** Copies the capture information of the packet `from`'s bytes came from onto `to`. */
export function copyPageInfo(to: Page, from: Page): void {
  to.tsSec = from.tsSec;
  to.tsNsec = from.tsNsec;
  to.recordNumber = from.recordNumber;
  to.fileOffset = from.fileOffset;
  to.interfaceId = from.interfaceId;
  to.pktLen = from.pktLen;
}

/**
 * A cache of pages. Released pages are kept for reuse up to `maxFree`, so a burst does not pin its peak memory
 * forever; beyond that they are left to the garbage collector.
 */
export class PageCache {
  readonly pageSize: number;
  /** Pages handed out and not yet released. */
  used = 0;
  /** Highest `used` seen. */
  peak = 0;
  /** Pages ever allocated (a cache miss each). */
  allocated = 0;
  private readonly free: Page[] = [];
  private readonly maxFree: number;

  constructor(pageSize = DEFAULT_PAGE_SIZE, maxFree = 8192) {
    this.pageSize = pageSize;
    this.maxFree = maxFree;
  }

  /** A clean page. */
  next(): Page {
    let p = this.free.pop();
    if (p === undefined) {
      p = new Page(this.pageSize);
      this.allocated++;
    }
    if (++this.used > this.peak) this.peak = this.used;
    return p;
  }

  /** Returns a page to the cache; the caller must have unlinked it. */
  release(p: Page): void {
    this.used--;
    p.prev = null;
    p.next = null;
    p.off = 0;
    p.len = 0;
    p.missingAfter = 0;
    p.first = false;
    p.descCount = 0;
    p.readBack = null;
    if (this.free.length < this.maxFree) this.free.push(p);
  }

  /** Pages waiting in the cache for reuse. */
  get freeCount(): number {
    return this.free.length;
  }
}

/** Below this many bytes a plain loop beats Buffer.copy, which on Node 20 also allocates a view per call. */
const SMALL_COPY = 32;

/** Copies `src[from, from + len)` to `dst` at `at` without allocating (large runs go through Buffer.copy). */
export function copyBytes(src: Buffer, from: number, dst: Buffer, at: number, len: number): void {
  if (len >= SMALL_COPY) {
    src.copy(dst, at, from, from + len);
    return;
  }
  for (let i = 0; i < len; i++) dst[at + i] = src[from + i]!;
}
