/**
 * ScatterGather: the view of reassembled data handed to `Stream.reassembled`. One reused instance per assembler;
 * chunks point into the packet buffer (in-order data, no copy) and into pages (kept and queued data).
 */
import type { TcpPacket } from '../decode/packet.js';
import type { Direction } from './connection.js';
import type { Page } from './memory.js';
import { CaptureInfo } from './stream.js';

const EMPTY = Buffer.alloc(0);

/** `lengths()` result: bytes available and how many of them are kept bytes from earlier calls. */
export interface SgLengths {
  readonly available: number;
  readonly saved: number;
}

/** `info()` result. */
export interface SgInfo {
  readonly direction: Direction;
  /** The data starts right after a SYN seen in this direction (first data of the stream). */
  readonly start: boolean;
  /** This direction ends with this call (FIN reached, or RST). */
  readonly end: boolean;
  /**
   * Bytes missing between the previous data and the first new byte (at offset `saved`); 0 when contiguous,
   * -1 when the start of the direction was never seen and the amount is unknown.
   */
  readonly skip: number;
  /** Absolute sequence number of the first new byte (offset `saved`); a hole lies at [seq - skip, seq). */
  readonly seq: number;
}

/** `stats()` result (gopacket's TCPAssemblyStats). */
export interface SgStats {
  /** Chunks in this call. */
  readonly chunks: number;
  /** Packets whose first byte is in this call. */
  readonly packets: number;
  /** Bytes in this call that had been queued out of order. */
  readonly queuedBytes: number;
  /** Packets in this call that had been queued out of order. */
  readonly queuedPackets: number;
  /** Overlap counters of this direction so far. */
  readonly overlapBytes: number;
  readonly overlapPackets: number;
}

/** Reassembled data of one direction. Valid only during the `reassembled` call; results of methods are reused. */
export interface ScatterGather {
  /** Bytes available and bytes of them kept from earlier calls (at the front). */
  lengths(): SgLengths;
  /**
   * The first `n` bytes (clamped to what is available). A view without copying when they lie in one chunk,
   * else a fresh copy.
   */
  fetch(n: number): Buffer;
  /** Keep bytes from `offset` on: they are handed again, at the front, on the next call for this direction. */
  keepFrom(offset: number): void;
  /** Capture information of the packet that brought the byte at `offset` (clamped into range; never throws). */
  captureInfo(offset: number): CaptureInfo;
  info(): SgInfo;
  stats(): SgStats;
  /** Number of chunks (zero-copy access for exporters and hashers). */
  chunkCount(): number;
  /** Buffer of chunk `i`; its bytes are at [chunkOffset(i), chunkOffset(i) + chunkLength(i)). */
  chunkBuffer(i: number): Buffer;
  chunkOffset(i: number): number;
  chunkLength(i: number): number;
  /** Copies `length` bytes from sg offset `offset` into `target` at `targetStart`; returns bytes copied. */
  copyTo(target: Uint8Array, targetStart: number, offset: number, length: number): number;
}

/** The assembler's ScatterGather. */
export class ScatterGatherImpl implements ScatterGather, SgLengths, SgInfo, SgStats {
  // Chunk table; grown only when a delivery has more chunks than any before.
  private bufs: Buffer[] = [];
  private offs: number[] = [];
  private lens: number[] = [];
  private seqs: number[] = [];
  /** The page of each chunk, or null for the packet chunk. */
  pages: (Page | null)[] = [];
  count = 0;
  /** The packet whose payload is a chunk of this delivery, if any. */
  packet: TcpPacket | null = null;

  // SgLengths / SgInfo / SgStats fields (this object is returned by lengths(), info(), stats()).
  available = 0;
  saved = 0;
  direction: Direction = 0;
  start = false;
  end = false;
  skip = 0;
  seq = 0;
  chunks = 0;
  packets = 0;
  queuedBytes = 0;
  queuedPackets = 0;
  overlapBytes = 0;
  overlapPackets = 0;

  /** Offset given to keepFrom, -1 if none. */
  toKeep = -1;
  /** Chunks at the front that are kept pages. */
  keptChunks = 0;
  private readonly ci = new CaptureInfo();

  /** Starts a new delivery. */
  begin(direction: Direction, skip: number, seq: number): void {
    this.count = 0;
    this.available = 0;
    this.saved = 0;
    this.direction = direction;
    this.start = false;
    this.end = false;
    this.skip = skip;
    this.seq = seq;
    this.packets = 0;
    this.queuedBytes = 0;
    this.queuedPackets = 0;
    this.toKeep = -1;
    this.keptChunks = 0;
    this.packet = null;
  }

  private push(buf: Buffer, off: number, len: number, seq: number, page: Page | null): void {
    const i = this.count++;
    if (i === this.bufs.length) {
      this.bufs.push(buf);
      this.offs.push(off);
      this.lens.push(len);
      this.seqs.push(seq);
      this.pages.push(page);
    } else {
      this.bufs[i] = buf;
      this.offs[i] = off;
      this.lens[i] = len;
      this.seqs[i] = seq;
      this.pages[i] = page;
    }
    this.available += len;
    this.chunks = this.count;
  }

  /** Adds a kept page (front of the data). */
  addKept(p: Page): void {
    this.push(p.buf, p.off, p.len, p.seq, p);
    this.saved += p.len;
    this.keptChunks++;
  }

  /** Adds the packet's payload bytes [off, off + len) holding sequence numbers from `seq`. */
  addPacket(pkt: TcpPacket, off: number, len: number, seq: number, wholePacket: boolean): void {
    this.packet = pkt;
    this.push(pkt.payloadBuf, off, len, seq, null);
    if (wholePacket) this.packets++;
  }

  /** Adds a queued page. */
  addPage(p: Page): void {
    this.push(p.buf, p.off, p.len, p.seq, p);
    this.queuedBytes += p.len;
    if (p.first) {
      this.queuedPackets++;
      this.packets++;
    }
  }

  /** Forgets references into packet buffers and pages once the delivery is done. */
  clear(): void {
    for (let i = 0; i < this.count; i++) {
      this.bufs[i] = EMPTY;
      this.pages[i] = null;
    }
    this.count = 0;
    this.packet = null;
  }

  lengths(): SgLengths {
    return this;
  }

  fetch(n: number): Buffer {
    if (!(n > 0)) return EMPTY;
    if (n > this.available) n = this.available;
    // Skip empty leading chunks so a single-chunk answer stays zero-copy.
    let i = 0;
    while (i < this.count && this.lens[i] === 0) i++;
    if (i < this.count && this.lens[i]! >= n) {
      const off = this.offs[i]!;
      return this.bufs[i]!.subarray(off, off + n);
    }
    const out = Buffer.allocUnsafe(n);
    this.copyTo(out, 0, 0, n);
    return out;
  }

  copyTo(target: Uint8Array, targetStart: number, offset: number, length: number): number {
    if (offset < 0) offset = 0;
    let want = Math.min(length, this.available - offset, target.length - targetStart);
    if (!(want > 0)) return 0;
    let copied = 0;
    let pos = 0;
    for (let i = 0; i < this.count && want > 0; i++) {
      const len = this.lens[i]!;
      if (offset >= pos + len) {
        pos += len;
        continue;
      }
      const from = offset - pos > 0 ? offset - pos : 0;
      const k = Math.min(len - from, want);
      const off = this.offs[i]! + from;
      this.bufs[i]!.copy(target, targetStart + copied, off, off + k);
      copied += k;
      want -= k;
      offset += k;
      pos += len;
    }
    return copied;
  }

  keepFrom(offset: number): void {
    if (!(offset >= 0)) offset = 0;
    if (offset > this.available) offset = this.available;
    this.toKeep = Math.floor(offset);
  }

  captureInfo(offset: number): CaptureInfo {
    const ci = this.ci;
    if (this.count === 0) {
      ci.tsSec = ci.tsNsec = ci.recordNumber = ci.fileOffset = ci.interfaceId = 0;
      ci.seq = this.seq;
      return ci;
    }
    if (!(offset >= 0)) offset = 0;
    let pos = 0;
    let i = 0;
    for (; i < this.count - 1; i++) {
      if (offset < pos + this.lens[i]!) break;
      pos += this.lens[i]!;
    }
    let within = offset - pos;
    if (within > this.lens[i]!) within = this.lens[i]!;
    ci.seq = (this.seqs[i]! + within) >>> 0;
    const p = this.pages[i];
    if (p) {
      ci.tsSec = p.tsSec;
      ci.tsNsec = p.tsNsec;
      ci.recordNumber = p.recordNumber;
      ci.fileOffset = p.fileOffset;
      ci.interfaceId = p.interfaceId;
    } else {
      const pkt = this.packet!;
      ci.tsSec = pkt.tsSec;
      ci.tsNsec = pkt.tsNsec;
      ci.recordNumber = pkt.recordNumber;
      ci.fileOffset = pkt.fileOffset;
      ci.interfaceId = pkt.interfaceId;
    }
    return ci;
  }

  info(): SgInfo {
    return this;
  }

  stats(): SgStats {
    return this;
  }

  chunkCount(): number {
    return this.count;
  }

  chunkBuffer(i: number): Buffer {
    return i >= 0 && i < this.count ? this.bufs[i]! : EMPTY;
  }

  chunkOffset(i: number): number {
    return i >= 0 && i < this.count ? this.offs[i]! : 0;
  }

  chunkLength(i: number): number {
    return i >= 0 && i < this.count ? this.lens[i]! : 0;
  }

  /** Sequence number of chunk i's first byte. */
  chunkSeq(i: number): number {
    return this.seqs[i]!;
  }
}
