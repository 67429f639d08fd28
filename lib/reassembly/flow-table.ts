/**
 * The connection table's index: 4-tuples (with VLAN tags and IP version) in one flat typed array, chained by
 * hash, one 64-byte row per connection slot. A lookup reads a few adjacent integers per candidate instead of chasing
 * Connection -> Endpoint -> Uint32Array pointers through a heap of a million connections (that pointer chase,
 * one cache miss per hop, was a quarter of the engine's time on many short connections).
 */
import type { TcpPacket } from '../decode/packet.js';
import type { Connection } from './connection.js';
import type { HalfStats } from './stats.js';

/**
 * One row per slot, one cache line: hash, meta (VLANs, IP version), ports (client << 16 | server), chain (next
 * slot + 1 in the bucket, 0 at the end), client address (4 words), server address (4 words), and for a
 * tombstone its two ISNs, its state word and the next tombstone (slot + 1, 0 at the end).
 */
const ROW = 16;
const HASH = 0;
const META = 1;
const PORTS = 2;
const CHAIN = 3;
const CLIENT = 4;
const SERVER = 8;
const ISN0 = 12;
const ISN1 = 13;
const STATE = 14;
const TNEXT = 15;

/** STATE word: free, open connection, or tombstone; plus the SYN-seen bit of each direction. */
const FREE = 0;
const OPEN = 1;
const TOMB = 2;
const KIND_MASK = 3;
const SYN_SEEN_0 = 4;
const SYN_SEEN_1 = 8;

/**
 * VLAN tags, encapsulation and IP version packed into one integer (vlan ids are -1..4095, so the tags take 26
 * bits). With an encapsulation the tags are part of it (lib/decode/encapsulation.ts): then bit 27 and its id.
 */
export function flowMeta(vlan: number, outerVlan: number, ipVersion: number, encap: number): number {
  const v6 = ipVersion === 6 ? 1 : 0;
  if (encap !== 0) return (((0x4000000 + encap) << 1) | v6) | 0;
  return ((((vlan + 1) & 0x1fff) << 14) | (((outerVlan + 1) & 0x1fff) << 1) | v6) | 0;
}

/** The slot of a hit of {@link FlowTable.find}. */
export function hitSlot(hit: number): number {
  return hit >> 1;
}

/** The packet's direction in the connection of a hit: 0 from client to server, 1 the other way. */
export function hitDir(hit: number): 0 | 1 {
  return (hit & 1) as 0 | 1;
}

/** Hash-chained slots holding the key of each connection in the table. */
export class FlowTable {
  /** Connection of each slot (null when free). */
  conns: (Connection | null)[] = [];
  private rows: Int32Array = new Int32Array(0);
  /** First slot + 1 of each bucket. */
  private heads: Int32Array = new Int32Array(1024);
  private mask = 1023;
  /** Free slots (a stack). */
  private free: Int32Array = new Int32Array(0);
  private freeCount = 0;
  private capacity = 0;
  /** Slots in use. */
  size = 0;

  // Tombstones: compact rows (no Connection object kept), in a list oldest first.
  /** First and last tombstone slot, -1 when none. */
  tombHead = -1;
  tombTail = -1;
  private tombPrev: Int32Array = new Int32Array(0);
  /** Capture time (seconds) a tombstone was last seen. */
  tombSeen: Float64Array = new Float64Array(0);
  /** Statistics a tombstone still counts late packets in (null: not counted, the object was reused). */
  tombStats: (readonly [HalfStats, HalfStats] | null)[] = [];
  /** The connection whose stream still sees late packets (complete() returned false), else null. */
  tombConn: (Connection | null)[] = [];

  /**
   * The slot whose key is the 4-tuple of a packet whose flow hash is `h`, an open connection or a tombstone,
   * with the packet's direction in it: a hit (see {@link hitSlot}, {@link hitDir}), or -1 when none.
   */
  find(pkt: TcpPacket, h: number): number {
    const meta = flowMeta(pkt.vlan, pkt.outerVlan, pkt.ipVersion, pkt.encap);
    const src = pkt.src;
    const dst = pkt.dst;
    const s3 = src[3]! | 0;
    const d3 = dst[3]! | 0;
    const fwd = ((pkt.srcPort << 16) | pkt.dstPort) | 0;
    const rev = ((pkt.dstPort << 16) | pkt.srcPort) | 0;
    const rows = this.rows;
    const hh = h | 0;
    for (let s = this.heads[h & this.mask]! - 1; s >= 0; s = rows[s * ROW + CHAIN]! - 1) {
      const r = s * ROW;
      if (rows[r + HASH] !== hh || rows[r + META] !== meta) continue;
      const p = rows[r + PORTS];
      if (
        p === fwd &&
        rows[r + CLIENT + 3] === s3 &&
        rows[r + SERVER + 3] === d3 &&
        rows[r + CLIENT + 2] === (src[2]! | 0) &&
        rows[r + SERVER + 2] === (dst[2]! | 0) &&
        rows[r + CLIENT + 1] === (src[1]! | 0) &&
        rows[r + SERVER + 1] === (dst[1]! | 0) &&
        rows[r + CLIENT] === (src[0]! | 0) &&
        rows[r + SERVER] === (dst[0]! | 0)
      ) {
        return s << 1;
      }
      if (
        p === rev &&
        rows[r + CLIENT + 3] === d3 &&
        rows[r + SERVER + 3] === s3 &&
        rows[r + CLIENT + 2] === (dst[2]! | 0) &&
        rows[r + SERVER + 2] === (src[2]! | 0) &&
        rows[r + CLIENT + 1] === (dst[1]! | 0) &&
        rows[r + SERVER + 1] === (src[1]! | 0) &&
        rows[r + CLIENT] === (dst[0]! | 0) &&
        rows[r + SERVER] === (src[0]! | 0)
      ) {
        return (s << 1) | 1;
      }
    }
    return -1;
  }

  /** The open connection of a hit, or null when it is a tombstone. */
  connAt(hit: number): Connection | null {
    return this.conns[hit >> 1]!;
  }

  /** Enters a connection (its key from its endpoints, its hash from `c.hash`); sets `c.slot`. */
  insert(c: Connection): void {
    if (this.freeCount === 0) this.growSlots();
    if (this.size + 1 > (this.heads.length * 3) >>> 2) this.growBuckets();
    const s = this.free[--this.freeCount]!;
    c.slot = s;
    this.conns[s] = c;
    const r = s * ROW;
    this.rows[r + HASH] = c.hash | 0;
    this.rows[r + META] = flowMeta(c.vlan, c.outerVlan, c.ipVersion, c.encap);
    this.rows[r + STATE] = OPEN;
    this.writeKey(c);
    const b = c.hash & this.mask;
    this.rows[r + CHAIN] = this.heads[b]!;
    this.heads[b] = s + 1;
    this.size++;
  }

  /** Rewrites a connection's key after its client and server swapped. */
  writeKey(c: Connection): void {
    const r = c.slot * ROW;
    const rows = this.rows;
    rows[r + PORTS] = ((c.client.port << 16) | c.server.port) | 0;
    for (let i = 0; i < 4; i++) {
      rows[r + CLIENT + i] = c.client.word(i) | 0;
      rows[r + SERVER + i] = c.server.word(i) | 0;
    }
  }

  /** Removes an open connection; its slot is reused. */
  remove(c: Connection): void {
    const s = c.slot;
    if (s < 0 || this.conns[s] !== c) return;
    this.removeSlot(s);
    c.slot = -1;
  }

  /**
   * Turns an open connection's row into a tombstone at the recent end of the tombstone list: it keeps the key,
   * the ISNs and what the caller passes; the Connection object leaves the table. Returns the slot.
   */
  bury(c: Connection, seen: number, stats: readonly [HalfStats, HalfStats] | null, keep: Connection | null): number {
    const s = c.slot;
    const r = s * ROW;
    const rows = this.rows;
    const h0 = c.halves[0];
    const h1 = c.halves[1];
    rows[r + ISN0] = h0.isn | 0;
    rows[r + ISN1] = h1.isn | 0;
    rows[r + STATE] = TOMB | (h0.synSeen ? SYN_SEEN_0 : 0) | (h1.synSeen ? SYN_SEEN_1 : 0);
    this.conns[s] = null;
    c.slot = -1;
    this.tombSeen[s] = seen;
    this.tombStats[s] = stats;
    this.tombConn[s] = keep;
    rows[r + TNEXT] = 0;
    this.tombPrev[s] = this.tombTail;
    if (this.tombTail >= 0) rows[this.tombTail * ROW + TNEXT] = s + 1;
    else this.tombHead = s;
    this.tombTail = s;
    return s;
  }

  /** Whether a tombstone saw a SYN in direction `dir`, and with which ISN. */
  tombSynSeen(s: number, dir: number): boolean {
    return (this.rows[s * ROW + STATE]! & (dir === 0 ? SYN_SEEN_0 : SYN_SEEN_1)) !== 0;
  }

  tombIsn(s: number, dir: number): number {
    return this.rows[s * ROW + (dir === 0 ? ISN0 : ISN1)]! >>> 0;
  }

  /** Client and server port of a row. */
  clientPort(s: number): number {
    return this.rows[s * ROW + PORTS]! >>> 16;
  }

  serverPort(s: number): number {
    return this.rows[s * ROW + PORTS]! & 0xffff;
  }

  /** The tombstone after `s` in the list (oldest first), -1 at the end. */
  tombNext(s: number): number {
    return this.rows[s * ROW + TNEXT]! - 1;
  }

  /** Moves a tombstone to the recent end of the list. */
  touchTomb(s: number): void {
    if (this.tombTail === s) return;
    this.unlinkTomb(s);
    const rows = this.rows;
    rows[s * ROW + TNEXT] = 0;
    this.tombPrev[s] = this.tombTail;
    if (this.tombTail >= 0) rows[this.tombTail * ROW + TNEXT] = s + 1;
    else this.tombHead = s;
    this.tombTail = s;
  }

  /** Removes a tombstone; its slot is reused. */
  removeTomb(s: number): void {
    this.unlinkTomb(s);
    this.tombStats[s] = null;
    this.tombConn[s] = null;
    this.removeSlot(s);
  }

  private unlinkTomb(s: number): void {
    const rows = this.rows;
    const prev = this.tombPrev[s]!;
    const next = rows[s * ROW + TNEXT]! - 1;
    if (prev >= 0) rows[prev * ROW + TNEXT] = next + 1;
    else this.tombHead = next;
    if (next >= 0) this.tombPrev[next] = prev;
    else this.tombTail = prev;
    rows[s * ROW + TNEXT] = 0;
    this.tombPrev[s] = -1;
  }

  private removeSlot(s: number): void {
    const rows = this.rows;
    const b = rows[s * ROW + HASH]! & this.mask;
    let prev = -1;
    for (let x = this.heads[b]! - 1; x >= 0; prev = x, x = rows[x * ROW + CHAIN]! - 1) {
      if (x !== s) continue;
      if (prev < 0) this.heads[b] = rows[s * ROW + CHAIN]!;
      else rows[prev * ROW + CHAIN] = rows[s * ROW + CHAIN]!;
      break;
    }
    rows[s * ROW + CHAIN] = 0;
    rows[s * ROW + STATE] = FREE;
    this.conns[s] = null;
    this.free[this.freeCount++] = s;
    this.size--;
  }

  private growSlots(): void {
    const old = this.capacity;
    const cap = old === 0 ? 1024 : old * 2;
    const rows = new Int32Array(cap * ROW);
    rows.set(this.rows);
    this.rows = rows;
    const prev = new Int32Array(cap);
    prev.set(this.tombPrev);
    this.tombPrev = prev;
    const seen = new Float64Array(cap);
    seen.set(this.tombSeen);
    this.tombSeen = seen;
    const free = new Int32Array(cap);
    // Lowest slots on top of the stack, so the rows in use stay packed at the front.
    for (let i = 0; i < cap - old; i++) free[i] = cap - 1 - i;
    this.free = free;
    this.freeCount = cap - old;
    for (let i = old; i < cap; i++) {
      this.conns.push(null);
      this.tombStats.push(null);
      this.tombConn.push(null);
    }
    this.capacity = cap;
  }

  private growBuckets(): void {
    const n = this.heads.length * 2;
    this.heads = new Int32Array(n);
    this.mask = n - 1;
    for (let s = 0; s < this.capacity; s++) {
      if ((this.rows[s * ROW + STATE]! & KIND_MASK) === FREE) continue;
      const b = this.rows[s * ROW + HASH]! & this.mask;
      this.rows[s * ROW + CHAIN] = this.heads[b]!;
      this.heads[b] = s + 1;
    }
  }
}
