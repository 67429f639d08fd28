/**
 * The segments of one connection as they arrived, for its time-sequence graph: one row of numbers a packet in
 * reused typed arrays (no object per packet), bounded. Past the bound the log thins itself: every other plain
 * segment goes, then (when marked ones alone fill it) every other marked one, so a long connection keeps an
 * even picture of its whole life and says by how much it was thinned.
 */

/** What the engine made of a segment when it arrived. */
export const SEGMENT_KINDS = ['data', 'control', 'out-of-order', 'retransmission', 'partial-overlap'] as const;
/** A segment's kind: `data` new bytes in order, `control` no payload (ACK, SYN, FIN, RST), and the engine's marks. */
export type SegmentKind = (typeof SEGMENT_KINDS)[number];

export const KIND_DATA = 0;
export const KIND_CONTROL = 1;
/** The code of an engine mark (an OverlapKind other than conflict). */
export function kindCode(kind: SegmentKind): number {
  return SEGMENT_KINDS.indexOf(kind);
}

/** The smallest bound: below it a picture says nothing. */
export const MIN_SEGMENTS = 64;

export class SegmentLog {
  /** Seconds since the connection's first packet (exact to the nanosecond for any real duration). */
  private t = new Float64Array(16);
  private rec = new Float64Array(16);
  private seq = new Uint32Array(16);
  private ack = new Uint32Array(16);
  private len = new Uint32Array(16);
  private win = new Uint32Array(16);
  /** flags | dir << 8 | kind << 9 */
  private meta = new Uint16Array(16);
  private n = 0;
  private firstSec = 0;
  private firstNsec = 0;
  /** Keep 1 plain (data or control) segment in `plainStride`, 1 marked in `markedStride`. */
  private plainStride = 1;
  private markedStride = 1;
  private plainSeen = 0;
  private markedSeen = 0;
  /** The last segment is not yet decided on (it may still be marked). */
  private pending = false;
  /** Segments offered, kept or not. */
  total = 0;
  /** Window scale of each direction's SYN (-1: none seen or none sent). */
  readonly wscale = [-1, -1];

  constructor(private readonly max: number) {
    if (!(max >= MIN_SEGMENTS)) throw new RangeError(`a segment log holds at least ${MIN_SEGMENTS} segments, not ${max}`);
  }

  /** Empties the log for another connection (its arrays are kept). */
  reset(): void {
    this.n = 0;
    this.total = 0;
    this.plainStride = this.markedStride = 1;
    this.plainSeen = this.markedSeen = 0;
    this.pending = false;
    this.wscale[0] = this.wscale[1] = -1;
  }

  /** Segments kept. */
  get length(): number {
    this.commit();
    return this.n;
  }

  /** 1 in how many plain segments is kept, and 1 in how many marked ones. */
  get strides(): readonly [number, number] {
    return [this.plainStride, this.markedStride];
  }

  /**
   * Appends a segment. The engine may then {@link mark} it while it looks at it; whether a thinned log keeps
   * it is decided by its kind, at the next segment.
   */
  add(tsSec: number, tsNsec: number, record: number, dir: 0 | 1, seq: number, ack: number, payload: number, window: number, flags: number): void {
    this.commit();
    if (this.total++ === 0) {
      this.firstSec = tsSec;
      this.firstNsec = tsNsec;
    }
    if (this.n === this.t.length && !this.grow()) this.thin();
    const i = this.n++;
    this.t[i] = tsSec - this.firstSec + (tsNsec - this.firstNsec) * 1e-9;
    this.rec[i] = record;
    this.seq[i] = seq >>> 0;
    this.ack[i] = ack >>> 0;
    this.len[i] = payload;
    this.win[i] = window;
    this.meta[i] = (flags & 0xff) | (dir << 8) | ((payload > 0 ? KIND_DATA : KIND_CONTROL) << 9);
    this.pending = true;
  }

  /** Notes the window scale a direction's SYN announced. */
  synScale(dir: 0 | 1, scale: number): void {
    this.wscale[dir] = scale;
  }

  /** Marks the segment just added with the engine's verdict (a kind code above KIND_CONTROL). */
  mark(kind: number): void {
    if (!this.pending) return;
    const i = this.n - 1;
    this.meta[i] = (this.meta[i]! & 0x1ff) | (kind << 9);
  }

  /** Decides whether the segment just added stays: 1 in each stride of its class does. */
  private commit(): void {
    if (!this.pending) return;
    this.pending = false;
    const marked = this.meta[this.n - 1]! >> 9 > KIND_CONTROL;
    const keep = marked ? this.markedSeen++ % this.markedStride === 0 : this.plainSeen++ % this.plainStride === 0;
    if (!keep) this.n--;
  }

  /** Doubles the arrays until the bound; false when at the bound. */
  private grow(): boolean {
    const cap = this.t.length;
    if (cap >= this.max) return false;
    const next = Math.min(this.max, cap * 2);
    this.t = copyInto(new Float64Array(next), this.t);
    this.rec = copyInto(new Float64Array(next), this.rec);
    this.seq = copyInto(new Uint32Array(next), this.seq);
    this.ack = copyInto(new Uint32Array(next), this.ack);
    this.len = copyInto(new Uint32Array(next), this.len);
    this.win = copyInto(new Uint32Array(next), this.win);
    this.meta = copyInto(new Uint16Array(next), this.meta);
    return true;
  }

  /**
   * Full: keeps every other plain segment (and stride doubled for the ones to come). When plain segments are
   * too few to make room, every other marked one goes too.
   */
  private thin(): void {
    const plain = this.countPlain();
    const thinMarked = plain < this.n / 4;
    let p = 0;
    let m = 0;
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      const marked = this.meta[r]! >> 9 > KIND_CONTROL;
      const keep = marked ? !thinMarked || m++ % 2 === 0 : p++ % 2 === 0;
      if (keep) this.move(r, w++);
    }
    this.n = w;
    this.plainStride *= 2;
    if (thinMarked) this.markedStride *= 2;
  }

  private countPlain(): number {
    let k = 0;
    for (let i = 0; i < this.n; i++) if (this.meta[i]! >> 9 <= KIND_CONTROL) k++;
    return k;
  }

  private move(from: number, to: number): void {
    if (from === to) return;
    this.t[to] = this.t[from]!;
    this.rec[to] = this.rec[from]!;
    this.seq[to] = this.seq[from]!;
    this.ack[to] = this.ack[from]!;
    this.len[to] = this.len[from]!;
    this.win[to] = this.win[from]!;
    this.meta[to] = this.meta[from]!;
  }

  /**
   * The kept segments as plain columns: sequence and acknowledgement numbers relative to `base[dir]` (the
   * direction's ISN, or its first sequence number seen), unwrapped past 4 GiB; `ack` is relative to the
   * other direction's base.
   */
  columns(base: readonly [number, number]): SegmentColumns {
    this.commit();
    const n = this.n;
    const out: SegmentColumns = { t: [], record: [], dir: [], seq: [], len: [], ack: [], win: [], flags: [], kind: [] };
    const seqUnwrap = [new Unwrap(), new Unwrap()];
    const ackUnwrap = [new Unwrap(), new Unwrap()];
    for (let i = 0; i < n; i++) {
      const meta = this.meta[i]!;
      const dir = ((meta >> 8) & 1) as 0 | 1;
      const flags = meta & 0xff;
      out.t.push(Math.round(this.t[i]! * 1e9) / 1e9);
      out.record.push(this.rec[i]!);
      out.dir.push(dir);
      out.seq.push(seqUnwrap[dir]!.next((this.seq[i]! - base[dir]) >>> 0));
      out.len.push(this.len[i]!);
      // ACK flag clear: the field means nothing (null keeps the column aligned).
      out.ack.push((flags & 0x10) === 0 ? null : ackUnwrap[dir]!.next((this.ack[i]! - base[1 - dir]!) >>> 0));
      out.win.push(this.win[i]!);
      out.flags.push(flags);
      out.kind.push(meta >> 9);
    }
    return out;
  }

  /** The connection's first capture time, as seconds and nanoseconds. */
  get start(): readonly [number, number] {
    return [this.firstSec, this.firstNsec];
  }
}

/** Segments as columns (one index a segment), what the report page plots. */
export interface SegmentColumns {
  /** Seconds since the connection's first packet. */
  t: number[];
  /** The capture record of each. */
  record: number[];
  dir: Array<0 | 1>;
  /** Relative sequence number of its first byte (its direction's base). */
  seq: number[];
  /** Payload bytes on the wire. */
  len: number[];
  /** Relative acknowledgement number (the other direction's base), null without the ACK flag. */
  ack: Array<number | null>;
  /** Advertised window, the raw header field. */
  win: number[];
  flags: number[];
  /** Index into {@link SEGMENT_KINDS}. */
  kind: number[];
}

/** Relative 32-bit numbers made continuous: a step back of more than 2 GiB is a wrap forward. */
class Unwrap {
  private last = -1;
  private high = 0;
  next(rel: number): number {
    if (this.last >= 0) {
      if (rel < this.last && this.last - rel > 0x80000000) this.high += 0x100000000;
      else if (rel > this.last && rel - this.last > 0x80000000 && this.high > 0) this.high -= 0x100000000;
    }
    this.last = rel;
    return this.high + rel;
  }
}

function copyInto<T extends Float64Array | Uint32Array | Uint16Array>(to: T, from: T): T {
  to.set(from);
  return to;
}
