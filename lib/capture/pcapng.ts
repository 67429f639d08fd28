import { u16be, u16le, u32be, u32le } from './bytes.js';
import type { FormatReader, ReaderContext } from './context.js';
import { CaptureError } from './errors.js';
import { MICROSECONDS, Timebase } from './timestamp.js';

/** Section Header Block type: a palindrome, so it reads the same in either byte order. */
export const SHB_TYPE = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

const IDB_TYPE = 1;
const PB_TYPE = 2;
const SPB_TYPE = 3;
const NRB_TYPE = 4;
const ISB_TYPE = 5;
const EPB_TYPE = 6;
const JOURNAL_TYPE = 9;
const DSB_TYPE = 10;
const CUSTOM_TYPE = 0x00000bad;
const CUSTOM_NOCOPY_TYPE = 0x40000bad;

const MIN_BLOCK = 12;
const SHB_MIN = 28;
const IDB_MIN = 20;
const EPB_MIN = 32; // also the obsolete Packet Block
const SPB_MIN = 16;

const OPT_ENDOFOPT = 0;
const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

/** A hostile file could describe millions of interfaces; beyond this many per section they are ignored. */
const MAX_INTERFACES_PER_SECTION = 65536;

const FIRST = 0;
const BLOCKS = 1;
const SCAN = 2;

/** One interface of the current section, built once per IDB (not per packet). */
class Interface {
  constructor(
    readonly linkType: number,
    readonly snaplen: number,
    readonly timebase: Timebase,
  ) {}
}

/**
 * Reads pcapng: a stream of self-delimiting blocks (type, total length, body, total length again) in sections
 * that each start with a Section Header Block, which also fixes the byte order of the section.
 *
 * A block whose lengths do not hold together is damage: the reader scans forward in 4-byte steps for the next
 * plausible block (known type, sane length, trailing length equal to the leading one) and reports the bytes
 * skipped. Each candidate costs O(1) reads, so the scan is linear.
 */
export class PcapngReader implements FormatReader {
  private state = FIRST;
  private le = true;
  private section = -1;
  private ifaces: Interface[] = [];
  // Damage being scanned over.
  private damageAt = 0;
  private damageRecord = 0;
  private damageCode = '';
  private damageWhat = '';

  constructor(private readonly ctx: ReaderContext) {}

  parse(buf: Buffer, off: number, end: number, at: number): number {
    const ctx = this.ctx;
    let p = off;
    if (this.state === FIRST) {
      p = this.first(buf, p, end);
      if (p < 0) return 0;
    }
    for (;;) {
      if (this.state === BLOCKS) {
        p = this.blocks(buf, p, off, end, at);
        if (p < 0) return -p - 1 - off;
        this.state = SCAN; // blocks() returns >= 0 only at a broken block; scanning starts after its type word
        p += 4;
      }
      p = this.scan(buf, p, off, end, at);
      if (p < 0) return -p - 1 - off;
      this.state = BLOCKS;
      if (ctx.halted) return p - off;
    }
  }

  /** Checks the first Section Header: anything wrong there means this is not a capture. Returns -1 to wait. */
  private first(buf: Buffer, p: number, end: number): number {
    const ctx = this.ctx;
    const avail = end - p;
    const name = ctx.sourceName;
    if (avail < MIN_BLOCK) {
      if (ctx.eof) throw new CaptureError('truncated-header', name, `pcapng section header cut short: ${avail} bytes`);
      ctx.need = MIN_BLOCK;
      return -1;
    }
    const order = blockOrder(buf, p, SHB_TYPE, true);
    if (order === BAD_ORDER) {
      throw new CaptureError('not-a-capture', name, `pcapng section header with a bad byte-order magic 0x${u32le(buf, p + 8).toString(16)}`);
    }
    const le = order === LITTLE;
    const len = le ? u32le(buf, p + 4) : u32be(buf, p + 4);
    if (len < SHB_MIN || len % 4 !== 0 || len > ctx.maxRecordLength) {
      throw new CaptureError('not-a-capture', name, `pcapng section header with an impossible length ${len}`);
    }
    if (avail < len) {
      if (ctx.eof) throw new CaptureError('truncated-header', name, `pcapng section header cut short: ${avail} of ${len} bytes`);
      ctx.need = len;
      return -1;
    }
    const trailer = le ? u32le(buf, p + len - 4) : u32be(buf, p + len - 4);
    if (trailer !== len) {
      throw new CaptureError('not-a-capture', name, `pcapng section header lengths disagree (${len} and ${trailer})`);
    }
    ctx.format = 'pcapng';
    ctx.byteOrder = le ? 'little' : 'big';
    this.state = BLOCKS;
    // Let blocks() read it as any other section header.
    return p;
  }

  /**
   * Handles blocks from p on. Returns `-(stop + 1)` when it stops at `stop` (more data needed, end of input
   * consumed, or halted), or `p >= 0` when the block at p is broken (damage fields set).
   */
  private blocks(buf: Buffer, p: number, off: number, end: number, at: number): number {
    const ctx = this.ctx;
    const max = ctx.maxRecordLength;
    for (;;) {
      const avail = end - p;
      if (avail < MIN_BLOCK) {
        if (avail === 0) return -(p + 1);
        if (ctx.eof) {
          ctx.diag('error', 'truncated-block', at + (p - off), ctx.recordsSeen + 1, `last block cut short: ${avail} bytes, less than a block header`, avail);
          ctx.cleanTail = false;
          return -(end + 1);
        }
        ctx.need = MIN_BLOCK;
        return -(p + 1);
      }
      const type = this.le ? u32le(buf, p) : u32be(buf, p);
      const order = blockOrder(buf, p, type, this.le);
      if (order === BAD_ORDER) {
        return this.damage(p, off, at, 'bad-section-header', `section header with a bad byte-order magic 0x${u32le(buf, p + 8).toString(16)}`);
      }
      const le = order === LITTLE;
      const len = le ? u32le(buf, p + 4) : u32be(buf, p + 4);
      if (len < MIN_BLOCK || len % 4 !== 0 || len > max) {
        const why = len > max ? `over the cap of ${max}` : len % 4 !== 0 ? 'not a multiple of 4' : 'too small';
        return this.damage(p, off, at, 'bad-block-length', `block type 0x${type.toString(16)} with length ${len} (${why})`);
      }
      if (avail < len) {
        if (ctx.eof) {
          ctx.diag('error', 'truncated-block', at + (p - off), ctx.recordsSeen + 1, `last block cut short: ${avail} of ${len} bytes`, avail);
          ctx.cleanTail = false;
          return -(end + 1);
        }
        ctx.need = len;
        return -(p + 1);
      }
      const trailer = le ? u32le(buf, p + len - 4) : u32be(buf, p + len - 4);
      if (trailer !== len) {
        return this.damage(p, off, at, 'block-length-mismatch', `block type 0x${type.toString(16)} with leading length ${len} and trailing length ${trailer}`);
      }
      switch (type) {
        case EPB_TYPE:
          this.packet(buf, p, len, at + (p - off), le ? u32le(buf, p + 8) : u32be(buf, p + 8));
          break;
        case SPB_TYPE:
          this.simplePacket(buf, p, len, at + (p - off));
          break;
        case PB_TYPE:
          this.packet(buf, p, len, at + (p - off), le ? u16le(buf, p + 8) : u16be(buf, p + 8));
          break;
        case IDB_TYPE:
          this.interfaceBlock(buf, p, len, at + (p - off));
          break;
        case SHB_TYPE:
          this.sectionHeader(buf, p, len, le, at + (p - off));
          break;
        default:
          // Name resolution, statistics, custom and unknown blocks carry nothing we read: skipped by length.
          break;
      }
      p += len;
      if (ctx.halted) return -(p + 1);
    }
  }

  private damage(p: number, off: number, at: number, code: string, what: string): number {
    this.damageAt = at + (p - off);
    this.damageRecord = this.ctx.recordsSeen + 1;
    this.damageCode = code;
    this.damageWhat = what;
    return p;
  }

  /** Enhanced Packet Block and the obsolete Packet Block: same layout after the interface id field. */
  private packet(buf: Buffer, p: number, len: number, fileOffset: number, ifaceId: number): void {
    const ctx = this.ctx;
    const le = this.le;
    const recordNumber = ++ctx.recordsSeen;
    if (len < EPB_MIN) {
      ctx.diag('error', 'bad-block-length', fileOffset, recordNumber, `packet block of ${len} bytes, less than its fixed part`);
      return;
    }
    const iface = ifaceId < this.ifaces.length ? this.ifaces[ifaceId] : undefined;
    if (iface === undefined) {
      ctx.diag('error', 'unknown-interface', fileOffset, recordNumber, `packet names interface ${ifaceId}, never described in this section; record skipped`);
      return;
    }
    let hi: number, lo: number, caplen: number, orig: number;
    if (le) {
      hi = u32le(buf, p + 12);
      lo = u32le(buf, p + 16);
      caplen = u32le(buf, p + 20);
      orig = u32le(buf, p + 24);
    } else {
      hi = u32be(buf, p + 12);
      lo = u32be(buf, p + 16);
      caplen = u32be(buf, p + 20);
      orig = u32be(buf, p + 24);
    }
    if (caplen > len - EPB_MIN) {
      ctx.diag('error', 'bad-captured-length', fileOffset, recordNumber, `captured length ${caplen} does not fit in a block of ${len} bytes; record skipped`);
      return;
    }
    const rec = ctx.record;
    rec.recordNumber = recordNumber;
    rec.fileOffset = fileOffset;
    iface.timebase.set(rec, hi, lo);
    rec.interfaceId = ifaceId;
    rec.linkType = iface.linkType;
    rec.capturedLength = caplen;
    rec.originalLength = orig;
    rec.buf = buf;
    rec.offset = p + 28;
    rec.dataFileOffset = fileOffset + 28;
    if (caplen > orig) {
      ctx.diag('warning', 'caplen-exceeds-origlen', fileOffset, recordNumber, `captured length ${caplen} exceeds original length ${orig}`);
    }
    ctx.deliver();
  }

  /** Simple Packet Block: interface 0, no timestamp (delivered as 0), captured length from the block and snaplen. */
  private simplePacket(buf: Buffer, p: number, len: number, fileOffset: number): void {
    const ctx = this.ctx;
    const recordNumber = ++ctx.recordsSeen;
    if (len < SPB_MIN) {
      ctx.diag('error', 'bad-block-length', fileOffset, recordNumber, `simple packet block of ${len} bytes, less than its fixed part`);
      return;
    }
    const iface = this.ifaces.length > 0 ? this.ifaces[0] : undefined;
    if (iface === undefined) {
      ctx.diag('error', 'unknown-interface', fileOffset, recordNumber, 'simple packet block before any interface description; record skipped');
      return;
    }
    const orig = this.le ? u32le(buf, p + 8) : u32be(buf, p + 8);
    let caplen = len - SPB_MIN;
    if (orig < caplen) caplen = orig; // the rest is padding
    if (iface.snaplen !== 0 && iface.snaplen < caplen) caplen = iface.snaplen;
    const rec = ctx.record;
    rec.recordNumber = recordNumber;
    rec.fileOffset = fileOffset;
    rec.tsSec = 0;
    rec.tsNsec = 0;
    rec.interfaceId = 0;
    rec.linkType = iface.linkType;
    rec.capturedLength = caplen;
    rec.originalLength = orig;
    rec.buf = buf;
    rec.offset = p + 12;
    rec.dataFileOffset = fileOffset + 12;
    ctx.deliver();
  }

  private sectionHeader(buf: Buffer, p: number, len: number, le: boolean, fileOffset: number): void {
    const ctx = this.ctx;
    if (len < SHB_MIN) {
      // Still a new section (the byte-order magic was right), just without version and length fields.
      ctx.diag('warning', 'bad-block-length', fileOffset, ctx.recordsSeen + 1, `section header of ${len} bytes, less than its fixed part`);
    } else {
      const major = le ? u16le(buf, p + 12) : u16be(buf, p + 12);
      const minor = le ? u16le(buf, p + 14) : u16be(buf, p + 14);
      if (major !== 1) ctx.diag('warning', 'unusual-version', fileOffset, ctx.recordsSeen + 1, `pcapng version ${major}.${minor}, expected 1.0`);
    }
    this.le = le;
    this.section++;
    this.ifaces = [];
    ctx.sections++;
  }

  private interfaceBlock(buf: Buffer, p: number, len: number, fileOffset: number): void {
    const ctx = this.ctx;
    const le = this.le;
    if (len < IDB_MIN) {
      ctx.diag('error', 'bad-block-length', fileOffset, ctx.recordsSeen + 1, `interface description of ${len} bytes, less than its fixed part; interface ignored`);
      return;
    }
    if (this.ifaces.length >= MAX_INTERFACES_PER_SECTION) {
      ctx.diag('error', 'too-many-interfaces', fileOffset, ctx.recordsSeen + 1, `more than ${MAX_INTERFACES_PER_SECTION} interfaces in one section; interface ignored`);
      return;
    }
    const linkType = le ? u16le(buf, p + 8) : u16be(buf, p + 8);
    const snaplen = le ? u32le(buf, p + 12) : u32be(buf, p + 12);
    let name: string | undefined;
    let tsresol = 6;
    let tsOffset = 0;
    const optEnd = p + len - 4;
    let q = p + 16;
    while (q + 4 <= optEnd) {
      const code = le ? u16le(buf, q) : u16be(buf, q);
      const olen = le ? u16le(buf, q + 2) : u16be(buf, q + 2);
      if (code === OPT_ENDOFOPT) break;
      if (q + 4 + olen > optEnd) {
        ctx.diag('warning', 'bad-option', fileOffset, ctx.recordsSeen + 1, `interface option ${code} of ${olen} bytes overruns its block`);
        break;
      }
      const v = q + 4;
      if (code === OPT_IF_NAME) {
        name = buf.toString('utf8', v, v + olen).replace(/\0+$/, '');
      } else if (code === OPT_IF_TSRESOL && olen >= 1) {
        tsresol = buf[v]!;
      } else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        tsOffset = le
          ? buf.readInt32LE(v + 4) * 4294967296 + u32le(buf, v)
          : buf.readInt32BE(v) * 4294967296 + u32be(buf, v + 4);
      }
      q = v + ((olen + 3) & ~3);
    }
    const timebase = tsresol === 6 && tsOffset === 0 ? MICROSECONDS : new Timebase(tsresol, tsOffset);
    const id = this.ifaces.length;
    this.ifaces.push(new Interface(linkType, snaplen, timebase));
    const info = { section: this.section, id, linkType, snaplen, tsresol, unitsPerSecond: timebase.unitsPerSecond, tsOffset };
    ctx.addInterface(name === undefined ? info : { ...info, name });
  }

  /**
   * Looks for the next plausible block from p on, in 4-byte steps. Returns its position when found (the damage
   * reported), or `-(stop + 1)` when more data is needed from `stop` (or everything was consumed at the end).
   */
  private scan(buf: Buffer, p: number, off: number, end: number, at: number): number {
    const ctx = this.ctx;
    for (; ; p += 4) {
      const avail = end - p;
      if (avail < MIN_BLOCK) {
        if (ctx.eof) {
          this.endScan(at + (end - off), 'reached the end of the input');
          ctx.cleanTail = false;
          return -(end + 1);
        }
        ctx.need = MIN_BLOCK;
        return -(p + 1);
      }
      const type = this.le ? u32le(buf, p) : u32be(buf, p);
      if (type !== SHB_TYPE && !isKnownType(type)) continue;
      const order = blockOrder(buf, p, type, this.le);
      if (order === BAD_ORDER) continue;
      const le = order === LITTLE;
      const len = le ? u32le(buf, p + 4) : u32be(buf, p + 4);
      if (len < MIN_BLOCK || len % 4 !== 0 || len > ctx.maxRecordLength) continue;
      if (len < minLength(type)) continue;
      if (avail < len) {
        if (ctx.eof) continue;
        ctx.need = len;
        return -(p + 1);
      }
      const trailer = le ? u32le(buf, p + len - 4) : u32be(buf, p + len - 4);
      if (trailer !== len) continue;
      if (type === EPB_TYPE || type === PB_TYPE) {
        // A packet block must name a described interface and hold its captured length.
        const id = type === EPB_TYPE ? (le ? u32le(buf, p + 8) : u32be(buf, p + 8)) : le ? u16le(buf, p + 8) : u16be(buf, p + 8);
        const caplen = le ? u32le(buf, p + 20) : u32be(buf, p + 20);
        if (id >= this.ifaces.length || caplen > len - EPB_MIN) continue;
      }
      this.endScan(at + (p - off), `resumed at the next block, offset ${at + (p - off)}`);
      return p;
    }
  }

  private endScan(resumeAt: number, how: string): void {
    this.ctx.diag('error', this.damageCode, this.damageAt, this.damageRecord, `${this.damageWhat}; ${how}`, resumeAt - this.damageAt);
  }
}

const LITTLE = 1;
const BIG = 0;
const BAD_ORDER = -1;

/**
 * Byte order of the block at p: a section header carries its own (its byte-order magic), every other block
 * has the section's. BAD_ORDER for a section header whose magic is neither order.
 */
function blockOrder(buf: Buffer, p: number, type: number, sectionLe: boolean): number {
  if (type !== SHB_TYPE) return sectionLe ? LITTLE : BIG;
  const bom = u32le(buf, p + 8);
  if (bom === BYTE_ORDER_MAGIC) return LITTLE;
  if (bom === BYTE_ORDER_MAGIC_SWAPPED) return BIG;
  return BAD_ORDER;
}

function isKnownType(type: number): boolean {
  switch (type) {
    case IDB_TYPE:
    case PB_TYPE:
    case SPB_TYPE:
    case NRB_TYPE:
    case ISB_TYPE:
    case EPB_TYPE:
    case JOURNAL_TYPE:
    case DSB_TYPE:
    case CUSTOM_TYPE:
    case CUSTOM_NOCOPY_TYPE:
      return true;
    default:
      return false;
  }
}

function minLength(type: number): number {
  switch (type) {
    case SHB_TYPE:
      return SHB_MIN;
    case IDB_TYPE:
      return IDB_MIN;
    case EPB_TYPE:
    case PB_TYPE:
      return EPB_MIN;
    case SPB_TYPE:
      return SPB_MIN;
    default:
      return MIN_BLOCK;
  }
}
