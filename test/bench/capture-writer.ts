import * as fs from 'node:fs';

/** Container format of a generated capture. */
export type CaptureFormat = 'pcap' | 'pcapng';

const PCAP_RECORD_HEADER = 16;
const EPB_HEADER = 28;
const SNAPLEN = 262144;
const LINKTYPE_ETHERNET = 1;

/**
 * Writes capture records into one large reused buffer and flushes it with big synchronous writes.
 *
 * A record is written in two steps so the frame builder writes straight into the output buffer with no copy:
 * `begin()` reserves room and returns where the frame starts, `end()` fills in the record header once the frame
 * length is known. Timestamps are microseconds (classic pcap microsecond magic; pcapng default resolution).
 */
export class CaptureWriter {
  /** The output buffer; frames are written into it at the offset `begin()` returns. */
  readonly buf: Buffer;
  private pos = 0;
  private recordStart = 0;
  private fd: number;
  /** Bytes written to the file so far, including what still sits in the buffer. */
  bytesWritten = 0;
  /** Records written so far. */
  records = 0;
  /**
   * What the capture would take as classic pcap. Budgets use this, so the pcapng variant of a workload holds
   * the same packets as the pcap one.
   */
  pcapBytes = 24;

  constructor(
    path: string,
    readonly format: CaptureFormat,
    bufferSize = 8 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(bufferSize);
    this.fd = fs.openSync(path, 'w');
    if (format === 'pcap') this.writeFileHeader();
    else this.writeSectionAndInterface();
  }

  private writeFileHeader(): void {
    const b = this.buf;
    b.writeUInt32LE(0xa1b2c3d4, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeInt32LE(0, 8);
    b.writeUInt32LE(0, 12);
    b.writeUInt32LE(SNAPLEN, 16);
    b.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    this.pos = 24;
    this.bytesWritten = 24;
  }

  private writeSectionAndInterface(): void {
    const b = this.buf;
    // Section header block: no options, section length unknown (-1).
    b.writeUInt32LE(0x0a0d0d0a, 0);
    b.writeUInt32LE(28, 4);
    b.writeUInt32LE(0x1a2b3c4d, 8);
    b.writeUInt16LE(1, 12);
    b.writeUInt16LE(0, 14);
    b.writeInt32LE(-1, 16);
    b.writeInt32LE(-1, 20);
    b.writeUInt32LE(28, 24);
    // Interface description block: Ethernet, default microsecond resolution.
    b.writeUInt32LE(1, 28);
    b.writeUInt32LE(20, 32);
    b.writeUInt16LE(LINKTYPE_ETHERNET, 36);
    b.writeUInt16LE(0, 38);
    b.writeUInt32LE(SNAPLEN, 40);
    b.writeUInt32LE(20, 44);
    this.pos = 48;
    this.bytesWritten = 48;
  }

  /** Reserves room for a frame of at most `maxFrame` bytes; returns the offset in `buf` where it starts. */
  begin(maxFrame: number): number {
    if (this.pos + maxFrame + EPB_HEADER + 8 > this.buf.length) this.flush();
    this.recordStart = this.pos;
    return this.pos + (this.format === 'pcap' ? PCAP_RECORD_HEADER : EPB_HEADER);
  }

  /** Completes the record begun last: `frameLen` bytes were written, captured whole, at the given time. */
  end(frameLen: number, tsSec: number, tsUsec: number): void {
    const b = this.buf;
    const at = this.recordStart;
    let total: number;
    if (this.format === 'pcap') {
      b.writeUInt32LE(tsSec, at);
      b.writeUInt32LE(tsUsec, at + 4);
      b.writeUInt32LE(frameLen, at + 8);
      b.writeUInt32LE(frameLen, at + 12);
      total = PCAP_RECORD_HEADER + frameLen;
    } else {
      const padded = (frameLen + 3) & ~3;
      total = EPB_HEADER + padded + 4;
      const usec = tsSec * 1e6 + tsUsec;
      b.writeUInt32LE(6, at);
      b.writeUInt32LE(total, at + 4);
      b.writeUInt32LE(0, at + 8);
      b.writeUInt32LE(Math.floor(usec / 4294967296), at + 12);
      b.writeUInt32LE(usec % 4294967296, at + 16);
      b.writeUInt32LE(frameLen, at + 20);
      b.writeUInt32LE(frameLen, at + 24);
      b.fill(0, at + EPB_HEADER + frameLen, at + EPB_HEADER + padded);
      b.writeUInt32LE(total, at + EPB_HEADER + padded);
    }
    this.pos = at + total;
    this.bytesWritten += total;
    this.pcapBytes += PCAP_RECORD_HEADER + frameLen;
    this.records++;
  }

  /** Writes the buffered bytes to the file. */
  flush(): void {
    let off = 0;
    while (off < this.pos) off += fs.writeSync(this.fd, this.buf, off, this.pos - off);
    this.pos = 0;
  }

  /** Flushes and closes the file. */
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}
