import { CaptureParser } from '../../lib/capture/parser.js';
import type { ParserOptions } from '../../lib/capture/options.js';
import type { Diagnostic } from '../../lib/capture/diagnostic.js';
import type { ReadSummary } from '../../lib/capture/summary.js';

/**
 * Test-only writers of classic pcap and pcapng files, byte by byte as the formats define them, including the
 * ways real files go wrong (wrong lengths, garbage, truncation). Shared by every test that needs a capture.
 */

export type ByteOrder = 'le' | 'be';

/** Classic pcap file options. */
export interface PcapFileOptions {
  byteOrder?: ByteOrder;
  /** Nanosecond magic (a1b23c4d) instead of microseconds. */
  nanosecond?: boolean;
  snaplen?: number;
  /** Written as is into the link-type field (upper bits may carry FCS flags). */
  linkType?: number;
  versionMajor?: number;
  versionMinor?: number;
}

/** One classic pcap record. */
export interface PcapRecordSpec {
  tsSec: number;
  /** Microseconds or nanoseconds, as the file's magic says. */
  tsFrac: number;
  data: Uint8Array;
  /** Defaults to data.length. */
  originalLength?: number;
  /** Header's captured-length field; defaults to data.length (set it to forge damage). */
  capturedLengthField?: number;
}

/** Writes classic pcap files. */
export class PcapBuilder {
  private readonly parts: Buffer[] = [];
  private size = 0;
  readonly le: boolean;
  /** File offset of every record added (header offset). */
  readonly recordOffsets: number[] = [];

  constructor(readonly options: PcapFileOptions = {}) {
    this.le = (options.byteOrder ?? 'le') === 'le';
    const h = Buffer.alloc(24);
    const magic = options.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4;
    this.w32(h, 0, magic);
    this.w16(h, 4, options.versionMajor ?? 2);
    this.w16(h, 6, options.versionMinor ?? 4);
    this.w32(h, 8, 0);
    this.w32(h, 12, 0);
    this.w32(h, 16, options.snaplen ?? 262144);
    this.w32(h, 20, options.linkType ?? 1);
    this.append(h);
  }

  /** Current length of the file: the offset of whatever is added next. */
  get length(): number {
    return this.size;
  }

  record(r: PcapRecordSpec): this {
    const h = Buffer.alloc(16);
    this.w32(h, 0, r.tsSec);
    this.w32(h, 4, r.tsFrac);
    this.w32(h, 8, r.capturedLengthField ?? r.data.length);
    this.w32(h, 12, r.originalLength ?? r.data.length);
    this.recordOffsets.push(this.size);
    this.append(h);
    this.append(Buffer.from(r.data));
    return this;
  }

  /** Appends raw bytes (garbage, or hand-made damage). */
  raw(bytes: Uint8Array): this {
    this.append(Buffer.from(bytes));
    return this;
  }

  build(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }

  private append(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
  }

  private w32(b: Buffer, o: number, v: number): void {
    if (this.le) b.writeUInt32LE(v >>> 0, o);
    else b.writeUInt32BE(v >>> 0, o);
  }

  private w16(b: Buffer, o: number, v: number): void {
    if (this.le) b.writeUInt16LE(v, o);
    else b.writeUInt16BE(v, o);
  }
}

/** A pcapng option: code and raw value (padded to 4 bytes by the builder). */
export interface NgOption {
  code: number;
  value: Uint8Array;
}

export interface InterfaceSpec {
  linkType: number;
  snaplen?: number;
  name?: string;
  /** Raw if_tsresol byte (6: µs, 9: ns, 0x80 | n: 2^-n). Omitted: no option (µs). */
  tsresol?: number;
  /** if_tsoffset in seconds. */
  tsoffset?: bigint;
  /** Extra options written before the ones above. */
  options?: NgOption[];
}

export interface EpbSpec {
  interfaceId: number;
  /** Timestamp in the interface's units (64-bit). */
  ts: bigint;
  data: Uint8Array;
  originalLength?: number;
  /** Captured-length field; defaults to data.length (set it to forge damage). */
  capturedLengthField?: number;
  options?: NgOption[];
}

export interface BlockOverrides {
  /** Leading total-length field (default: the real length). */
  totalLength?: number;
  /** Trailing total-length field (default: same as leading). */
  trailingLength?: number;
}

/** Writes pcapng files: sections, interfaces, packet blocks of every kind, unknown blocks, damage. */
export class PcapngBuilder {
  private readonly parts: Buffer[] = [];
  private size = 0;
  private le = true;
  /** File offset of every block added, in order. */
  readonly blockOffsets: number[] = [];

  /** Current length of the file: the offset of whatever is added next. */
  get length(): number {
    return this.size;
  }

  /** Starts a section (Section Header Block) in the given byte order. */
  section(opts: { byteOrder?: ByteOrder; versionMajor?: number; options?: NgOption[] } & BlockOverrides = {}): this {
    this.le = (opts.byteOrder ?? 'le') === 'le';
    const body = Buffer.alloc(16);
    this.w32(body, 0, 0x1a2b3c4d);
    this.w16(body, 4, opts.versionMajor ?? 1);
    this.w16(body, 6, 0);
    // Section length -1: unknown.
    body.writeInt32LE(-1, 8);
    body.writeInt32LE(-1, 12);
    return this.block(0x0a0d0d0a, Buffer.concat([body, this.options(opts.options ?? [])]), opts);
  }

  /** Adds an Interface Description Block. */
  iface(spec: InterfaceSpec, overrides: BlockOverrides = {}): this {
    const body = Buffer.alloc(8);
    this.w16(body, 0, spec.linkType);
    this.w16(body, 2, 0);
    this.w32(body, 4, spec.snaplen ?? 0);
    const opts: NgOption[] = [...(spec.options ?? [])];
    if (spec.name !== undefined) opts.push({ code: 2, value: Buffer.from(spec.name, 'utf8') });
    if (spec.tsresol !== undefined) opts.push({ code: 9, value: Buffer.from([spec.tsresol]) });
    if (spec.tsoffset !== undefined) {
      const v = Buffer.alloc(8);
      if (this.le) v.writeBigInt64LE(spec.tsoffset);
      else v.writeBigInt64BE(spec.tsoffset);
      opts.push({ code: 14, value: v });
    }
    return this.block(1, Buffer.concat([body, this.options(opts)]), overrides);
  }

  /** Adds an Enhanced Packet Block. */
  epb(spec: EpbSpec, overrides: BlockOverrides = {}): this {
    const h = Buffer.alloc(20);
    this.w32(h, 0, spec.interfaceId);
    this.w32(h, 4, Number(spec.ts >> 32n));
    this.w32(h, 8, Number(spec.ts & 0xffffffffn));
    this.w32(h, 12, spec.capturedLengthField ?? spec.data.length);
    this.w32(h, 16, spec.originalLength ?? spec.data.length);
    const body = Buffer.concat([h, pad4(Buffer.from(spec.data)), this.options(spec.options ?? [])]);
    return this.block(6, body, overrides);
  }

  /** Adds an obsolete Packet Block (16-bit interface id, drops count). */
  pb(spec: EpbSpec & { drops?: number }, overrides: BlockOverrides = {}): this {
    const h = Buffer.alloc(20);
    this.w16(h, 0, spec.interfaceId);
    this.w16(h, 2, spec.drops ?? 0);
    this.w32(h, 4, Number(spec.ts >> 32n));
    this.w32(h, 8, Number(spec.ts & 0xffffffffn));
    this.w32(h, 12, spec.capturedLengthField ?? spec.data.length);
    this.w32(h, 16, spec.originalLength ?? spec.data.length);
    const body = Buffer.concat([h, pad4(Buffer.from(spec.data)), this.options(spec.options ?? [])]);
    return this.block(2, body, overrides);
  }

  /** Adds a Simple Packet Block (interface 0; captured length implied by the block length). */
  spb(spec: { data: Uint8Array; originalLength?: number }, overrides: BlockOverrides = {}): this {
    const h = Buffer.alloc(4);
    this.w32(h, 0, spec.originalLength ?? spec.data.length);
    return this.block(3, Buffer.concat([h, pad4(Buffer.from(spec.data))]), overrides);
  }

  /** Adds a block of any type with the given body (padded to 4 bytes). */
  block(type: number, body: Uint8Array, overrides: BlockOverrides = {}): this {
    const padded = pad4(Buffer.from(body));
    const len = 12 + padded.length;
    const head = Buffer.alloc(8);
    this.w32(head, 0, type);
    this.w32(head, 4, overrides.totalLength ?? len);
    const tail = Buffer.alloc(4);
    this.w32(tail, 0, overrides.trailingLength ?? overrides.totalLength ?? len);
    this.blockOffsets.push(this.size);
    this.append(head);
    this.append(padded);
    this.append(tail);
    return this;
  }

  /** Appends raw bytes (garbage, or hand-made damage). */
  raw(bytes: Uint8Array): this {
    this.append(Buffer.from(bytes));
    return this;
  }

  build(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }

  private options(opts: NgOption[]): Buffer {
    if (opts.length === 0) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    for (const o of opts) {
      const h = Buffer.alloc(4);
      this.w16(h, 0, o.code);
      this.w16(h, 2, o.value.length);
      parts.push(h, pad4(Buffer.from(o.value)));
    }
    parts.push(Buffer.alloc(4)); // opt_endofopt
    return Buffer.concat(parts);
  }

  private append(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
  }

  private w32(b: Buffer, o: number, v: number): void {
    if (this.le) b.writeUInt32LE(v >>> 0, o);
    else b.writeUInt32BE(v >>> 0, o);
  }

  private w16(b: Buffer, o: number, v: number): void {
    if (this.le) b.writeUInt16LE(v, o);
    else b.writeUInt16BE(v, o);
  }
}

function pad4(b: Buffer): Buffer {
  const rem = b.length % 4;
  return rem === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - rem)]);
}

/** Deterministic pseudo-random bytes (xorshift32), so generated captures are reproducible. */
export function pseudoRandomBytes(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** A small Ethernet/IPv4/TCP frame with the given payload, for captures whose bytes should look real. */
export function ethernetTcpFrame(payload: Uint8Array, seq = 1000, srcPort = 40000, dstPort = 80): Buffer {
  const eth = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00]);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 20 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 6;
  ip.set([10, 0, 0, 1], 12);
  ip.set([10, 0, 0, 2], 16);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(srcPort, 0);
  tcp.writeUInt16BE(dstPort, 2);
  tcp.writeUInt32BE(seq >>> 0, 4);
  tcp[12] = 5 << 4;
  tcp[13] = 0x18;
  tcp.writeUInt16BE(65535, 14);
  return Buffer.concat([eth, ip, tcp, Buffer.from(payload)]);
}

// --- reading back (for assertions) ---

/** A record copied out of the reader's reused instance. */
export interface RecordCopy {
  recordNumber: number;
  fileOffset: number;
  tsSec: number;
  tsNsec: number;
  interfaceId: number;
  linkType: number;
  capturedLength: number;
  originalLength: number;
  truncated: boolean;
  data: Buffer;
}

/** Copies a record the reader handed out (its instance and bytes are reused after the callback). */
export function copyRecord(rec: {
  recordNumber: number;
  fileOffset: number;
  tsSec: number;
  tsNsec: number;
  interfaceId: number;
  linkType: number;
  capturedLength: number;
  originalLength: number;
  truncated: boolean;
  buf: Buffer;
  offset: number;
}): RecordCopy {
  return {
    recordNumber: rec.recordNumber,
    fileOffset: rec.fileOffset,
    tsSec: rec.tsSec,
    tsNsec: rec.tsNsec,
    interfaceId: rec.interfaceId,
    linkType: rec.linkType,
    capturedLength: rec.capturedLength,
    originalLength: rec.originalLength,
    truncated: rec.truncated,
    data: Buffer.from(rec.buf.subarray(rec.offset, rec.offset + rec.capturedLength)),
  };
}

/** What {@link readBack} saw. */
export interface ReadBack {
  records: RecordCopy[];
  diagnostics: Diagnostic[];
  summary: ReadSummary;
}

/**
 * Parses a whole file with CaptureParser, pushed in chunks of the given sizes (cycled; default: one chunk),
 * copying every record and diagnostic.
 */
export function readBack(file: Buffer, options: ParserOptions & { chunks?: number[] } = {}): ReadBack {
  const records: RecordCopy[] = [];
  const diagnostics: Diagnostic[] = [];
  const parser = new CaptureParser((r) => records.push(copyRecord(r)), {
    ...options,
    onDiagnostic: (d) => {
      diagnostics.push(d);
      options.onDiagnostic?.(d);
    },
  });
  const sizes = options.chunks ?? [file.length || 1];
  let i = 0;
  for (let p = 0; p < file.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!);
    // Copy each chunk and scribble over it afterwards: the parser must not keep references into pushed chunks.
    const chunk = Buffer.from(file.subarray(p, p + n));
    parser.push(chunk);
    chunk.fill(0xee);
    p += n;
  }
  return { records, diagnostics, summary: parser.end() };
}
