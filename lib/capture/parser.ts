import { type FormatReader, ReaderContext } from './context.js';
import { CaptureError } from './errors.js';
import type { ParserOptions } from './options.js';
import {
  PCAP_MAGIC_NS_BE,
  PCAP_MAGIC_NS_LE,
  PCAP_MAGIC_US_BE,
  PCAP_MAGIC_US_LE,
  PcapReader,
} from './pcap.js';
import { PcapngReader, SHB_TYPE } from './pcapng.js';
import type { CaptureRecord } from './record.js';
import type { ReadSummary } from './summary.js';

/** Beyond the record cap, what a reader may need at once: headers, and the resync look-ahead of the next header. */
const NEED_SLACK = 64;
const MIN_PENDING = 64 * 1024;

/** Picks the format from the first four bytes, then hands over to its reader. */
class Sniffer implements FormatReader {
  constructor(
    private readonly ctx: ReaderContext,
    private readonly choose: (reader: FormatReader) => void,
  ) {}

  parse(buf: Buffer, off: number, end: number, at: number): number {
    const ctx = this.ctx;
    const avail = end - off;
    if (avail < 4) {
      if (!ctx.eof) {
        ctx.need = 4;
        return 0;
      }
      if (avail === 0) throw new CaptureError('empty', ctx.sourceName, 'empty input, no capture header');
      if (avail >= 2 && buf[off] === 0x1f && buf[off + 1] === 0x8b) return this.gzip();
      throw new CaptureError('truncated-header', ctx.sourceName, `only ${avail} bytes, less than any capture header`);
    }
    if (buf[off] === 0x1f && buf[off + 1] === 0x8b) return this.gzip();
    const magic = buf.readUInt32LE(off);
    let reader: FormatReader;
    if (magic === PCAP_MAGIC_US_LE || magic === PCAP_MAGIC_US_BE || magic === PCAP_MAGIC_NS_LE || magic === PCAP_MAGIC_NS_BE) {
      reader = new PcapReader(ctx);
    } else if (magic === SHB_TYPE) {
      reader = new PcapngReader(ctx);
    } else {
      throw new CaptureError('not-a-capture', ctx.sourceName, `first bytes ${buf.toString('hex', off, off + 4)} are not a pcap, pcapng or gzip header`);
    }
    this.choose(reader);
    return reader.parse(buf, off, end, at);
  }

  private gzip(): never {
    throw new CaptureError('gzip-not-supported', this.ctx.sourceName, 'gzip-compressed input: decompress first (readCapture does)');
  }
}

/**
 * Push parser for pcap and pcapng, in the style of node-postgres' protocol parser: feed it chunks of any size
 * with {@link CaptureParser.push}, and it calls `onRecord` synchronously for every complete record, with ONE
 * reused {@link CaptureRecord} whose bytes are a view into the chunk just pushed (no copy). Only a record that
 * straddles two chunks is copied, into one internal buffer that is reused and never grows past about twice the
 * record cap.
 *
 * The format is sniffed from the first bytes. A source that is not a capture throws a {@link CaptureError} out
 * of `push` or `end`; damage after a valid header never throws: it is reported through `onDiagnostic`.
 * gzip input is not handled here (zlib has no synchronous streaming API): {@link readCapture} decompresses it.
 *
 * @example
 * const parser = new CaptureParser((rec) => count += rec.capturedLength, { onDiagnostic: console.warn });
 * for await (const chunk of stream) parser.push(chunk);
 * const summary = parser.end();
 */
export class CaptureParser {
  private readonly ctx: ReaderContext;
  private reader: FormatReader;
  /** Holds the unconsumed tail of earlier chunks at [pStart, pEnd). */
  private pending: Buffer = Buffer.alloc(0);
  private pStart = 0;
  private pEnd = 0;
  private readonly pendingLimit: number;
  /** Stream offset of the next unconsumed byte. */
  private consumed = 0;
  private pushed = 0;
  private ended = false;
  private failed: CaptureError | undefined;

  /**
   * @param onRecord called for every record, synchronously, with the one reused record: copy what you keep.
   * @param options diagnostics sink, record cap, resync, abort signal, source name.
   */
  constructor(onRecord: (rec: CaptureRecord) => void, options: ParserOptions = {}) {
    this.ctx = new ReaderContext(onRecord, options);
    this.reader = new Sniffer(this.ctx, (r) => (this.reader = r));
    this.pendingLimit = 2 * (this.ctx.maxRecordLength + NEED_SLACK);
  }

  /** Bytes pushed so far (offset in the capture stream of the next byte to come). */
  get bytesPushed(): number {
    return this.pushed;
  }

  /** True once reading has stopped: damage without recovery, or the AbortSignal. Further input is ignored. */
  get halted(): boolean {
    return this.ctx.halted;
  }

  /** True once the file header has been read (the format is known). */
  get headerRead(): boolean {
    return this.ctx.format !== undefined;
  }

  /**
   * Parses a chunk, delivering every record it completes. The chunk may be reused by the caller as soon as
   * this returns (a partial record at its end is copied).
   * @throws CaptureError when the input turns out not to be a capture (only before the file header is read).
   */
  push(chunk: Buffer): void {
    if (this.failed !== undefined) throw this.failed;
    if (this.ended) throw new Error('CaptureParser.push() after end()');
    this.pushed += chunk.length;
    if (this.ctx.halted) return;
    try {
      this.feed(chunk);
    } catch (e) {
      if (e instanceof CaptureError) this.failed = e;
      throw e;
    }
  }

  /**
   * Declares the end of the input: reports a record or block cut short, and returns the summary.
   * @throws CaptureError for an empty input or one that ends inside the file header.
   */
  end(): ReadSummary {
    if (this.failed !== undefined) throw this.failed;
    if (!this.ended) {
      this.ended = true;
      const ctx = this.ctx;
      ctx.eof = true;
      if (!ctx.halted) {
        try {
          const n = this.reader.parse(this.pending, this.pStart, this.pEnd, this.consumed);
          this.consumed += n;
        } catch (e) {
          if (e instanceof CaptureError) this.failed = e;
          throw e;
        }
      }
      this.pStart = this.pEnd = 0;
      this.pending = Buffer.alloc(0);
    }
    return this.summary();
  }

  /** Stops reading (as the AbortSignal does): no further record is delivered, the tail is not reported. */
  abort(): void {
    this.ctx.aborted = true;
    this.ctx.halted = true;
  }

  /**
   * For sources: reports that the input broke off (corrupt gzip, read error) at the current stream offset,
   * as an error Diagnostic with the given code. Call `end()` next to report any record cut short.
   */
  inputFailed(code: string, what: string): void {
    const ctx = this.ctx;
    ctx.cleanTail = false;
    ctx.diag('error', code, this.pushed, ctx.recordsSeen + 1, what);
  }

  /** The summary of what has been read so far (final after `end()`). */
  summary(): ReadSummary {
    return this.ctx.summary(this.consumed, this.ended);
  }

  private feed(chunk: Buffer): void {
    const ctx = this.ctx;
    const len = chunk.length;
    let pos = 0;
    if (this.pEnd > this.pStart) {
      // Move the live tail to the front when the dead part before it is at least as large: amortised O(1) a byte.
      if (this.pStart >= this.pEnd - this.pStart) this.compact();
      for (;;) {
        const have = this.pEnd - this.pStart;
        if (have < ctx.need) {
          const take = Math.min(ctx.need - have, len - pos);
          this.reserve(this.pStart + ctx.need);
          chunk.copy(this.pending, this.pEnd, pos, pos + take);
          this.pEnd += take;
          pos += take;
          if (this.pEnd - this.pStart < ctx.need) return;
        }
        const n = this.reader.parse(this.pending, this.pStart, this.pEnd, this.consumed);
        this.consumed += n;
        this.pStart += n;
        if (ctx.halted) {
          this.pStart = this.pEnd = 0;
          return;
        }
        const left = this.pEnd - this.pStart;
        if (left === 0) {
          this.pStart = this.pEnd = 0;
          break;
        }
        // What is left all came from this chunk: go on reading it in place rather than through the copy.
        if (left <= pos) {
          pos -= left;
          this.pStart = this.pEnd = 0;
          break;
        }
      }
    }
    if (pos < len) {
      const n = this.reader.parse(chunk, pos, len, this.consumed);
      this.consumed += n;
      pos += n;
      if (!ctx.halted && pos < len) {
        this.reserve(len - pos);
        chunk.copy(this.pending, 0, pos, len);
        this.pStart = 0;
        this.pEnd = len - pos;
      }
    }
  }

  /**
   * Makes room for `size` bytes counted from the start of the pending buffer (live bytes begin at pStart).
   * Compacts only when the room needed is at most half the buffer: the bytes moved are then fewer than the dead
   * bytes before them, which keeps a resync scan through the buffer linear. Otherwise grows (to at most
   * pendingLimit, twice the largest need, so that half-buffer rule can always be met).
   */
  private reserve(size: number): void {
    if (size <= this.pending.length) return;
    const needed = size - this.pStart;
    if (2 * needed <= this.pending.length) {
      this.compact();
      return;
    }
    const live = this.pEnd - this.pStart;
    const next = Buffer.allocUnsafe(Math.max(needed, Math.min(this.pendingLimit, Math.max(MIN_PENDING, 2 * needed))));
    this.pending.copy(next, 0, this.pStart, this.pEnd);
    this.pending = next;
    this.pStart = 0;
    this.pEnd = live;
  }

  private compact(): void {
    this.pending.copyWithin(0, this.pStart, this.pEnd);
    this.pEnd -= this.pStart;
    this.pStart = 0;
  }
}
