import { MalformedKind, type DecodeStats } from './stats.js';

/** Limits of the fragment reassembler. */
export interface FragmentOptions {
  /** Seconds of capture time a datagram may wait for its missing fragments, from its first fragment (30, as Linux). */
  timeoutSec?: number;
  /** Cap on the bytes held in reassembly buffers, all datagrams together (4 MiB, as Linux ipfrag_high_thresh). */
  maxBytes?: number;
  /** Cap on datagrams in progress (1024). */
  maxDatagrams?: number;
  /** Cap on disjoint pieces (holes plus one) of one datagram, which bounds the work per fragment (256). */
  maxPieces?: number;
}

/** Result of {@link FragmentReassembler.add}. */
export const FragmentResult = {
  /** The fragment was taken in; the datagram is not complete yet (or was dropped to respect a cap). */
  HELD: 0,
  /** The fragment completed its datagram: see `completed`, `completedLength`, `completedProto`. */
  COMPLETE: 1,
  /** The fragment was malformed; it has been counted and not used. */
  REJECTED: 2,
} as const;
export type FragmentResult = (typeof FragmentResult)[keyof typeof FragmentResult];

/** Largest fragmentable part of a datagram: IPv4 total length and IPv6 payload length are 16-bit fields. */
const MAX_DATAGRAM = 65535;

/** One datagram being put together. */
class Datagram {
  version: 4 | 6 = 4;
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  id = 0;
  /** IPv4: the protocol (part of the key). IPv6: the next header of the offset-0 fragment, -1 until it came. */
  proto = -1;
  hash = 0;
  /** Capture time of the first fragment, seconds. */
  firstTime = 0;
  data: Buffer = EMPTY;
  /** Received byte ranges, sorted and disjoint: [start0, end0, start1, end1, ...]. */
  ranges: number[] = [];
  /** Length of the datagram once the last fragment (MF clear) came; -1 before. */
  total = -1;
  bucketNext: Datagram | null = null;
  older: Datagram | null = null;
  newer: Datagram | null = null;
}

const EMPTY = Buffer.alloc(0);

/**
 * Reassembles IPv4 and IPv6 fragments (the part after the IP header, or after the IPv6 fragment header).
 *
 * Policy on overlaps: the first copy of a byte wins. A later fragment only fills holes; where it overlaps bytes
 * already held it is compared with them, and the overlap (and whether the bytes differed) is counted. Differing
 * overlaps are how fragment-based IDS evasion works, so they are worth reporting; keeping the first copy is
 * what BSD-derived stacks and Windows do for most overlap shapes. (Linux and RFC 5722 drop the whole datagram
 * instead; a forensic tool would rather keep the data and say so.)
 *
 * Memory is bounded: a byte cap and a datagram cap (the oldest datagram is evicted to make room), a cap on
 * pieces per datagram, and a timeout by capture time from each datagram's first fragment.
 * Allocates a buffer per datagram: fragments are rare, and the buffer must outlive the call that completes it.
 */
export class FragmentReassembler {
  /** Payload of the datagram completed by the last `add` that returned COMPLETE, at [0, completedLength). */
  completed: Buffer = EMPTY;
  completedLength = 0;
  /** Protocol (IPv4) or next header (IPv6, from the first fragment) of the completed datagram. */
  completedProto = 0;
  /** The datagram key (addresses, id, protocol hashed) of the fragment last taken in: what ties fragments together. */
  lastKey = 0;

  private readonly timeout: number;
  private readonly maxBytes: number;
  private readonly maxDatagrams: number;
  private readonly maxPieces: number;
  private readonly table = new Map<number, Datagram>();
  private oldest: Datagram | null = null;
  private newest: Datagram | null = null;
  private count = 0;

  constructor(
    private readonly stats: DecodeStats,
    options: FragmentOptions = {},
  ) {
    this.timeout = options.timeoutSec ?? 30;
    this.maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
    this.maxDatagrams = Math.max(1, options.maxDatagrams ?? 1024);
    this.maxPieces = Math.max(1, options.maxPieces ?? 256);
  }

  /** Datagrams in progress. */
  get inProgress(): number {
    return this.count;
  }

  /**
   * Takes in one fragment: `buf[start, end)` holds its bytes, which belong at `offset` in the datagram; `more`
   * is the more-fragments flag. `proto` is the IPv4 protocol or the next header of the IPv6 fragment header.
   * Malformed fragments are counted (as the packet's outcome) and give REJECTED.
   */
  add(
    version: 4 | 6,
    src: Uint32Array,
    dst: Uint32Array,
    id: number,
    proto: number,
    offset: number,
    more: boolean,
    buf: Buffer,
    start: number,
    end: number,
    now: number,
  ): FragmentResult {
    const stats = this.stats;
    const len = end - start;
    const fragEnd = offset + len;
    if (len <= 0 || fragEnd > MAX_DATAGRAM || (more && (len & 7) !== 0)) {
      stats.countMalformed(MalformedKind.BAD_FRAGMENT);
      return FragmentResult.REJECTED;
    }

    const hash = keyHash(version, src, dst, id, proto);
    this.lastKey = hash;
    let d = this.find(hash, version, src, dst, id, proto);
    if (d !== null) {
      const heldEnd = d.ranges[d.ranges.length - 1]!;
      const bad = more ? d.total >= 0 && fragEnd > d.total : (d.total >= 0 && d.total !== fragEnd) || heldEnd > fragEnd;
      if (bad) {
        stats.countMalformed(MalformedKind.INCONSISTENT_FRAGMENT);
        return FragmentResult.REJECTED;
      }
    } else {
      if (this.count >= this.maxDatagrams) this.evictOldest(null);
      d = this.create(hash, version, src, dst, id, version === 4 ? proto : -1, now);
    }

    if (fragEnd > d.data.length && !this.grow(d, fragEnd)) {
      // Alone it is bigger than the byte cap: it cannot be reassembled within the limits.
      this.drop(d);
      stats.fragmentEvictions++;
      stats.fragmentsHeld++;
      return FragmentResult.HELD;
    }

    this.merge(d, buf, start, offset, fragEnd);
    if (d.ranges.length > 2 * this.maxPieces) {
      this.drop(d);
      stats.countMalformed(MalformedKind.TOO_MANY_FRAGMENT_PIECES);
      return FragmentResult.REJECTED;
    }
    if (offset === 0 && version === 6) d.proto = proto;
    if (!more) d.total = fragEnd;

    if (d.total >= 0 && d.ranges.length === 2 && d.ranges[0] === 0 && d.ranges[1] === d.total) {
      this.completed = d.data;
      this.completedLength = d.total;
      this.completedProto = d.proto;
      this.drop(d);
      stats.reassembled++;
      return FragmentResult.COMPLETE;
    }
    stats.fragmentsHeld++;
    return FragmentResult.HELD;
  }

  /** Drops the datagrams whose first fragment is more than the timeout older than `now` (seconds). */
  expire(now: number): void {
    let d = this.oldest;
    while (d !== null && now - d.firstTime > this.timeout) {
      const next = d.newer;
      this.drop(d);
      this.stats.fragmentTimeouts++;
      d = next;
    }
  }

  /** Drops every datagram in progress, counting them as unfinished (end of capture). */
  finish(): void {
    while (this.oldest !== null) {
      this.drop(this.oldest);
      this.stats.fragmentsUnfinished++;
    }
  }

  /** Copies the new bytes into the holes they fill, compares the ones that overlap, and records the range. */
  private merge(d: Datagram, buf: Buffer, start: number, offset: number, fragEnd: number): void {
    const ranges = d.ranges;
    const delta = start - offset;
    let cursor = offset;
    let overlapped = false;
    let differed = false;
    let copied = false;
    let i = 0;
    while (i < ranges.length && ranges[i + 1]! < offset) i += 2;
    const firstTouched = i;
    for (; i < ranges.length && ranges[i]! <= fragEnd; i += 2) {
      const rs = ranges[i]!;
      const re = ranges[i + 1]!;
      if (rs > cursor) {
        buf.copy(d.data, cursor, cursor + delta, rs + delta);
        copied = true;
      }
      const os = rs > offset ? rs : offset;
      const oe = re < fragEnd ? re : fragEnd;
      if (oe > os) {
        overlapped = true;
        if (buf.compare(d.data, os, oe, os + delta, oe + delta) !== 0) differed = true;
      }
      if (re > cursor) cursor = re;
    }
    if (cursor < fragEnd) {
      buf.copy(d.data, cursor, cursor + delta, fragEnd + delta);
      copied = true;
    }
    // Ranges [firstTouched, i) touch or overlap the new one (adjacent ones included): replace them by the union.
    const lo = firstTouched < i && ranges[firstTouched]! < offset ? ranges[firstTouched]! : offset;
    const hi = firstTouched < i && ranges[i - 1]! > fragEnd ? ranges[i - 1]! : fragEnd;
    ranges.splice(firstTouched, i - firstTouched, lo, hi);

    if (overlapped) {
      this.stats.fragmentOverlaps++;
      if (differed) this.stats.fragmentOverlapConflicts++;
      else if (!copied) this.stats.fragmentDuplicates++;
    }
  }

  /** Grows the datagram's buffer to hold `need` bytes, evicting older datagrams for room; false if impossible. */
  private grow(d: Datagram, need: number): boolean {
    const cap = Math.min(MAX_DATAGRAM, Math.max(need, d.data.length * 2, 2048));
    const extra = cap - d.data.length;
    while (this.stats.fragmentBytesHeld + extra > this.maxBytes) {
      if (!this.evictOldest(d)) return false;
    }
    const data = Buffer.allocUnsafe(cap);
    d.data.copy(data, 0, 0, d.data.length);
    d.data = data;
    this.stats.fragmentBytesHeld += extra;
    if (this.stats.fragmentBytesHeld > this.stats.fragmentBytesPeak) {
      this.stats.fragmentBytesPeak = this.stats.fragmentBytesHeld;
    }
    return true;
  }

  /** Evicts the oldest datagram other than `keep`; false when there is none. */
  private evictOldest(keep: Datagram | null): boolean {
    let d = this.oldest;
    if (d === keep && d !== null) d = d.newer;
    if (d === null) return false;
    this.drop(d);
    this.stats.fragmentEvictions++;
    return true;
  }

  private find(hash: number, version: 4 | 6, src: Uint32Array, dst: Uint32Array, id: number, proto: number) {
    for (let d = this.table.get(hash) ?? null; d !== null; d = d.bucketNext) {
      if (
        d.id === id &&
        d.version === version &&
        (version === 6 || d.proto === proto) &&
        d.src[0] === src[0] &&
        d.src[1] === src[1] &&
        d.src[2] === src[2] &&
        d.src[3] === src[3] &&
        d.dst[0] === dst[0] &&
        d.dst[1] === dst[1] &&
        d.dst[2] === dst[2] &&
        d.dst[3] === dst[3]
      ) {
        return d;
      }
    }
    return null;
  }

  private create(
    hash: number,
    version: 4 | 6,
    src: Uint32Array,
    dst: Uint32Array,
    id: number,
    proto: number,
    now: number,
  ): Datagram {
    const d = new Datagram();
    d.version = version;
    d.src.set(src);
    d.dst.set(dst);
    d.id = id;
    d.proto = proto;
    d.hash = hash;
    d.firstTime = now;
    d.bucketNext = this.table.get(hash) ?? null;
    this.table.set(hash, d);
    d.older = this.newest;
    if (this.newest !== null) this.newest.newer = d;
    else this.oldest = d;
    this.newest = d;
    this.count++;
    return d;
  }

  /** Removes a datagram from the table and the age list and gives back its bytes. */
  private drop(d: Datagram): void {
    let prev: Datagram | null = null;
    for (let c = this.table.get(d.hash) ?? null; c !== null; prev = c, c = c.bucketNext) {
      if (c !== d) continue;
      if (prev !== null) prev.bucketNext = d.bucketNext;
      else if (d.bucketNext !== null) this.table.set(d.hash, d.bucketNext);
      else this.table.delete(d.hash);
      break;
    }
    if (d.older !== null) d.older.newer = d.newer;
    else this.oldest = d.newer;
    if (d.newer !== null) d.newer.older = d.older;
    else this.newest = d.older;
    d.older = d.newer = d.bucketNext = null;
    this.stats.fragmentBytesHeld -= d.data.length;
    this.count--;
  }
}

/** Hash of the reassembly key (addresses, id, and for IPv4 the protocol). */
function keyHash(version: 4 | 6, src: Uint32Array, dst: Uint32Array, id: number, proto: number): number {
  let h = Math.imul(id ^ (version === 4 ? proto << 16 : 0x6000000), 0x9e3779b1);
  for (let i = 0; i < 4; i++) {
    h = Math.imul(h ^ src[i]!, 0x85ebca6b);
    h = Math.imul(h ^ dst[i]!, 0xc2b2ae35);
    h ^= h >>> 15;
  }
  return h | 0;
}
