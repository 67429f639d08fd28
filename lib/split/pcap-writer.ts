/**
 * A classic pcap file written record by record: nanosecond timestamps (magic 0xa1b23c4d, little-endian), one link
 * type, records batched into one reused buffer so a file costs few, large writes. Opened exclusively and never
 * through a link (OPEN_NEW).
 */
import { OPEN_NEW, type ExportFs } from '../export/fs.js';
import type { CaptureRecord } from '../capture/record.js';

const BUFFER_BYTES = 64 * 1024;
/** The snaplen the header declares: records keep their own captured length, up to this. */
const SNAPLEN = 262_144;

export class PcapFileWriter {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  /** Records and bytes (headers included) written. */
  records = 0;
  bytes = 0;

  constructor(
    private readonly fs: ExportFs,
    readonly path: string,
    linkType: number,
  ) {
    this.fd = fs.openSync(path, OPEN_NEW, 0o644);
    const h = this.buf;
    h.writeUInt32LE(0xa1b23c4d, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeInt32LE(0, 8);
    h.writeUInt32LE(0, 12);
    h.writeUInt32LE(SNAPLEN, 16);
    h.writeUInt32LE(linkType, 20);
    this.used = 24;
    this.bytes = 24;
  }

  /** Appends one record as it was captured: its time, its captured bytes and its length on the wire. */
  write(rec: CaptureRecord): void {
    const n = Math.min(rec.capturedLength, SNAPLEN, rec.buf.length - rec.offset);
    if (this.used + 16 + n > this.buf.length) this.flush();
    if (16 + n > this.buf.length) {
      this.header(rec, n);
      this.flush();
      this.out(rec.buf, rec.offset, n);
    } else {
      this.header(rec, n);
      rec.buf.copy(this.buf, this.used, rec.offset, rec.offset + n);
      this.used += n;
    }
    this.records++;
    this.bytes += 16 + n;
  }

  private closed = false;

  /** Writes what is buffered and closes the file; once (a second call does nothing, the fd may be reused). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush();
    } finally {
      this.fs.closeSync(this.fd);
    }
  }

  private header(rec: CaptureRecord, n: number): void {
    const b = this.buf;
    b.writeUInt32LE(rec.tsSec >>> 0, this.used);
    b.writeUInt32LE(rec.tsNsec, this.used + 4);
    b.writeUInt32LE(n, this.used + 8);
    b.writeUInt32LE(Math.max(rec.originalLength, n), this.used + 12);
    this.used += 16;
  }

  private flush(): void {
    this.out(this.buf, 0, this.used);
    this.used = 0;
  }

  private out(b: Buffer, from: number, n: number): void {
    for (let done = 0; done < n; ) done += this.fs.writeSync(this.fd, b, from + done, n - done, null);
  }
}
