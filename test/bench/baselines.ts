import * as fs from 'node:fs';
import * as path from 'node:path';
import { createGunzip } from 'node:zlib';
import type { PhaseCounts } from './paths.js';

/**
 * Yardsticks that involve no library code: how fast plain Node walks the capture, and how fast one sequential
 * writer puts a given number of bytes on the same disk. The library's figures are read against these.
 */

/** Walks record boundaries of a pcap or pcapng stream pushed in chunks of any size, counting packet records. */
class BoundaryWalker {
  records = 0;
  private skip: number;
  private fill = 0;
  private readonly hdr: Buffer;

  constructor(private readonly ng: boolean) {
    this.hdr = Buffer.alloc(ng ? 8 : 16);
    this.skip = ng ? 0 : 24;
  }

  push(buf: Buffer, n: number): void {
    const h = this.hdr.length;
    let i = 0;
    while (i < n) {
      if (this.skip > 0) {
        const s = Math.min(this.skip, n - i);
        i += s;
        this.skip -= s;
      } else if (this.fill === 0 && n - i >= h) {
        this.header(buf, i);
        i += h;
      } else {
        const c = Math.min(h - this.fill, n - i);
        buf.copy(this.hdr, this.fill, i, i + c);
        this.fill += c;
        i += c;
        if (this.fill === h) {
          this.fill = 0;
          this.header(this.hdr, 0);
        }
      }
    }
  }

  private header(b: Buffer, at: number): void {
    if (this.ng) {
      if (b.readUInt32LE(at) === 6) this.records++;
      this.skip = b.readUInt32LE(at + 4) - 8;
    } else {
      this.records++;
      this.skip = b.readUInt32LE(at + 8);
    }
  }
}

const CHUNK = 2 << 20;

/** Plain-Node scan: read the file (gunzip for .gz) and walk its record headers. */
export async function scanPath(file: string, out: PhaseCounts): Promise<void> {
  const ng = file.endsWith('.pcapng');
  const walker = new BoundaryWalker(ng);
  if (file.endsWith('.gz')) {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK }).pipe(createGunzip({ chunkSize: 256 << 10 }))) {
      const b = chunk as Buffer;
      walker.push(b, b.length);
      out.payloadBytes += b.length;
    }
  } else {
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.allocUnsafe(CHUNK);
    try {
      for (;;) {
        const n = fs.readSync(fd, buf, 0, CHUNK, null);
        if (n === 0) break;
        walker.push(buf, n);
        out.payloadBytes += n;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  out.records = walker.records;
}

/** Writes `bytes` bytes into one file in `dir` with one sequential writer (1 MiB writes); the caller empties `dir`. */
export function copyPath(dir: string, bytes: number, out: PhaseCounts): void {
  const file = path.join(dir, 'plain-copy.bin');
  const buf = Buffer.alloc(1 << 20, 0x5a);
  const fd = fs.openSync(file, 'w');
  try {
    let left = bytes;
    while (left > 0) {
      const n = fs.writeSync(fd, buf, 0, Math.min(left, buf.length));
      left -= n;
    }
  } finally {
    fs.closeSync(fd);
  }
  out.outputBytes = bytes;
}
