/**
 * Reading a capture's bytes back by position. A plain file can be read again where a record was, so the engine
 * keeps the offsets of delivered bytes instead of copies of them, and reads them back only on the rare
 * retransmission that overlaps delivered data. Pipes and gzip cannot: their records carry no read-back.
 */
import { readSync } from 'node:fs';

/** Bytes of the capture file at a position, for as long as the read that made the records lasts. */
export interface CaptureReadBack {
  /**
   * Reads `length` bytes at file position `position` into `dst[dstOffset...]`. Returns the bytes read: fewer
   * than asked (the file shrank) or -1 (the read failed, or the capture is closed) mean the bytes are gone.
   */
  readAt(dst: Buffer, dstOffset: number, length: number, position: number): number;
}

/** Read-back over an open descriptor; `close()` makes every later read fail, as the descriptor may be reused. */
export class FileReadBack implements CaptureReadBack {
  private open = true;

  constructor(private readonly fd: number) {}

  readAt(dst: Buffer, dstOffset: number, length: number, position: number): number {
    if (!this.open) return -1;
    try {
      let done = 0;
      while (done < length) {
        const n = readSync(this.fd, dst, dstOffset + done, length - done, position + done);
        if (n === 0) break;
        done += n;
      }
      return done;
    } catch {
      return -1;
    }
  }

  close(): void {
    this.open = false;
  }
}
