import { u16be, u16le, u32be, u32le } from './bytes.js';
import type { FormatReader, ReaderContext } from './context.js';
import { CaptureError } from './errors.js';

/** Classic pcap magics as read little-endian from the first four bytes. */
export const PCAP_MAGIC_US_LE = 0xa1b2c3d4; // bytes d4 c3 b2 a1
export const PCAP_MAGIC_US_BE = 0xd4c3b2a1; // bytes a1 b2 c3 d4
export const PCAP_MAGIC_NS_LE = 0xa1b23c4d; // bytes 4d 3c b2 a1
export const PCAP_MAGIC_NS_BE = 0x4d3cb2a1; // bytes a1 b2 3c 4d

const FILE_HEADER = 24;
const RECORD_HEADER = 16;
/** The upper 16 bits of the link-type field carry FCS information (libpcap LT_FCS_*), not the link type. */
const LINKTYPE_MASK = 0xffff;
/** Resync: a candidate's timestamp must be within this many seconds of the last good record. */
const RESYNC_WINDOW_SEC = 86400;
/** Resync: largest plausible original length when the cap is lower (the largest snaplen tools write). */
const PLAUSIBLE_ORIGLEN = 262144;

const HEADER = 0;
const RECORDS = 1;
const SCAN = 2;

/**
 * Reads classic pcap: the 24-byte file header, then 16-byte record headers each followed by its bytes.
 *
 * An impossible record header is one whose captured length is over the cap, or whose lengths are both 0 (a
 * zero-filled hole); anything else is delivered, with a warning where it is odd. Then, by default, reading stops; with `resync`, a linear scan looks for the next
 * offset where two consecutive plausible record headers line up.
 */
export class PcapReader implements FormatReader {
  private state = HEADER;
  private le = true;
  private nano = false;
  private snaplen = 0;
  private linkType = 0;
  /** Timestamp seconds of the last good record, the anchor of resync plausibility; -1 before any. */
  private lastSec = -1;
  // Damage being scanned over (resync): where it was found and what it was.
  private damageAt = 0;
  private damageRecord = 0;
  private damageWhat = '';

  constructor(private readonly ctx: ReaderContext) {}

  parse(buf: Buffer, off: number, end: number, at: number): number {
    const ctx = this.ctx;
    let p = off;
    if (this.state === HEADER) {
      if (end - p < FILE_HEADER) {
        if (ctx.eof) throw new CaptureError('truncated-header', ctx.sourceName, `pcap file header cut short: ${end - p} of 24 bytes`);
        ctx.need = FILE_HEADER;
        return 0;
      }
      this.readHeader(buf, p);
      p += FILE_HEADER;
      this.state = RECORDS;
    }
    for (;;) {
      if (this.state === RECORDS) {
        p = this.records(buf, p, off, end, at);
        if (p < 0) return -p - 1 - off; // stopped short (need set) or halted
        this.state = SCAN; // records() returns >= 0 only when it hit an impossible header at p
        if (!ctx.resync) {
          ctx.diag('error', 'bad-record-header', this.damageAt, this.damageRecord, `${this.damageWhat}; reading stopped (resync is off)`);
          ctx.halted = true;
          ctx.stoppedOnDamage = true;
          ctx.cleanTail = false;
          return p - off;
        }
        p += 1;
      }
      p = this.scan(buf, p, off, end, at);
      if (p < 0) return -p - 1 - off;
      this.state = RECORDS;
    }
  }

  private readHeader(buf: Buffer, p: number): void {
    const ctx = this.ctx;
    const magic = u32le(buf, p);
    this.le = magic === PCAP_MAGIC_US_LE || magic === PCAP_MAGIC_NS_LE;
    this.nano = magic === PCAP_MAGIC_NS_LE || magic === PCAP_MAGIC_NS_BE;
    const major = this.u16(buf, p + 4);
    const minor = this.u16(buf, p + 6);
    this.snaplen = this.u32(buf, p + 16);
    this.linkType = this.u32(buf, p + 20) & LINKTYPE_MASK;
    ctx.format = 'pcap';
    ctx.byteOrder = this.le ? 'little' : 'big';
    ctx.sections = 1;
    ctx.addInterface({
      section: 0,
      id: 0,
      linkType: this.linkType,
      snaplen: this.snaplen,
      tsresol: this.nano ? 9 : 6,
      unitsPerSecond: this.nano ? 1e9 : 1e6,
      tsOffset: 0,
    });
    // Version 2.4 is all that has been written since 1998; older ones differ only in ways we do not read.
    if (major !== 2) ctx.diag('warning', 'unusual-version', p + 4, 0, `pcap version ${major}.${minor}, expected 2.4`);
  }

  /**
   * Delivers records from p on. Returns `-(stop + 1)` when it stops at `stop` for lack of data or because the
   * consumer halted, or `p >= 0` when the record header at p is impossible (damage fields set).
   */
  private records(buf: Buffer, p: number, off: number, end: number, at: number): number {
    const ctx = this.ctx;
    const rec = ctx.record;
    const max = ctx.maxRecordLength;
    const le = this.le;
    const units = this.nano ? 1e9 : 1e6;
    const nsPerUnit = this.nano ? 1 : 1000;
    for (;;) {
      const avail = end - p;
      if (avail < RECORD_HEADER) {
        if (avail === 0) return -(p + 1);
        if (ctx.eof) {
          ctx.diag('error', 'truncated-record', at + (p - off), ctx.recordsSeen + 1, `last record header cut short: ${avail} of 16 bytes`, avail);
          ctx.cleanTail = false;
          return -(end + 1);
        }
        ctx.need = RECORD_HEADER;
        return -(p + 1);
      }
      const caplen = le ? u32le(buf, p + 8) : u32be(buf, p + 8);
      if (caplen > max) {
        return this.damage(p, off, at, `impossible record header: captured length ${caplen} over the cap of ${max}`);
      }
      // A header of all-zero lengths is no packet: it is what a zero-filled hole (a crash, a sparse file) reads as.
      if (caplen === 0 && (le ? u32le(buf, p + 12) : u32be(buf, p + 12)) === 0) {
        return this.damage(p, off, at, 'impossible record header: captured and original lengths are 0');
      }
      const total = RECORD_HEADER + caplen;
      if (avail < total) {
        if (ctx.eof) {
          ctx.diag('error', 'truncated-record', at + (p - off), ctx.recordsSeen + 1, `last record cut short: ${avail - RECORD_HEADER} of ${caplen} bytes`, avail);
          ctx.cleanTail = false;
          return -(end + 1);
        }
        ctx.need = total;
        return -(p + 1);
      }
      let sec: number, frac: number, orig: number;
      if (le) {
        sec = u32le(buf, p);
        frac = u32le(buf, p + 4);
        orig = u32le(buf, p + 12);
      } else {
        sec = u32be(buf, p);
        frac = u32be(buf, p + 4);
        orig = u32be(buf, p + 12);
      }
      const recordNumber = ++ctx.recordsSeen;
      rec.recordNumber = recordNumber;
      rec.fileOffset = at + (p - off);
      if (frac >= units) {
        // Some broken writers overflow the fraction; carry it rather than invent a time.
        ctx.diag('warning', 'bad-timestamp', rec.fileOffset, recordNumber, `timestamp fraction ${frac} not below ${units}`);
        const carry = Math.floor(frac / units);
        sec += carry;
        frac -= carry * units;
      }
      rec.tsSec = sec;
      rec.tsNsec = frac * nsPerUnit;
      rec.interfaceId = 0;
      rec.linkType = this.linkType;
      rec.capturedLength = caplen;
      rec.originalLength = orig;
      rec.buf = buf;
      rec.offset = p + RECORD_HEADER;
      rec.dataFileOffset = rec.fileOffset + RECORD_HEADER;
      if (caplen > orig) {
        ctx.diag('warning', 'caplen-exceeds-origlen', rec.fileOffset, recordNumber, `captured length ${caplen} exceeds original length ${orig}`);
      }
      this.lastSec = sec;
      ctx.deliver();
      p += total;
      if (ctx.halted) return -(p + 1);
    }
  }

  private damage(p: number, off: number, at: number, what: string): number {
    this.damageAt = at + (p - off);
    this.damageRecord = this.ctx.recordsSeen + 1;
    this.damageWhat = what;
    return p;
  }

  /**
   * Looks for the next plausible record from p on, one byte at a time; each candidate costs O(1), so the scan
   * is linear. Returns the candidate's position when found (the damage reported), or `-(stop + 1)` when it
   * needs more data from `stop` (or consumed everything at the end of input).
   */
  private scan(buf: Buffer, p: number, off: number, end: number, at: number): number {
    const ctx = this.ctx;
    for (;; p++) {
      const avail = end - p;
      if (avail < RECORD_HEADER) {
        if (ctx.eof) {
          this.endScan(at + (end - off), 'reached the end of the input');
          ctx.cleanTail = false;
          return -(end + 1);
        }
        ctx.need = RECORD_HEADER;
        return -(p + 1);
      }
      const caplen = this.plausible(buf, p, this.lastSec);
      if (caplen < 0) continue;
      const next = p + RECORD_HEADER + caplen;
      if (end - next < RECORD_HEADER) {
        if (!ctx.eof) {
          ctx.need = next + RECORD_HEADER - p;
          return -(p + 1);
        }
        // At the end nothing follows to confirm it: accept only a record that ends exactly where the input does.
        if (next !== end) continue;
      } else if (this.plausible(buf, next, this.u32(buf, p)) < 0) {
        continue;
      }
      this.endScan(at + (p - off), `resumed at offset ${at + (p - off)}`);
      return p;
    }
  }

  private endScan(resumeAt: number, how: string): void {
    const skipped = resumeAt - this.damageAt;
    this.ctx.diag('error', 'bad-record-header', this.damageAt, this.damageRecord, `${this.damageWhat}; ${how}`, skipped);
  }

  /** Captured length of a plausible record header at p (timestamp near `anchorSec` unless -1), else -1. */
  private plausible(buf: Buffer, p: number, anchorSec: number): number {
    const sec = this.u32(buf, p);
    const frac = this.u32(buf, p + 4);
    const caplen = this.u32(buf, p + 8);
    const orig = this.u32(buf, p + 12);
    if (frac >= (this.nano ? 1e9 : 1e6)) return -1;
    if (caplen > this.ctx.maxRecordLength || caplen > orig || orig === 0) return -1;
    if (this.snaplen !== 0 && caplen > this.snaplen) return -1;
    if (orig > Math.max(this.ctx.maxRecordLength, PLAUSIBLE_ORIGLEN)) return -1;
    if (anchorSec >= 0 && Math.abs(sec - anchorSec) > RESYNC_WINDOW_SEC) return -1;
    return caplen;
  }

  private u32(buf: Buffer, p: number): number {
    return this.le ? u32le(buf, p) : u32be(buf, p);
  }

  private u16(buf: Buffer, p: number): number {
    return this.le ? u16le(buf, p) : u16be(buf, p);
  }
}
