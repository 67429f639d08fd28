/**
 * The connection table's index: 4-tuples (with VLAN tags and IP version) in flat typed arrays, chained by hash,
 * one row per connection slot. A lookup reads a few adjacent integers per candidate instead of chasing
 * Connection -> Endpoint -> Uint32Array pointers through a heap of a million connections (that pointer chase,
 * one cache miss per hop, was a quarter of the engine's time on many short connections).
 */
import type { TcpPacket } from '../decode/packet.js';
import type { Connection } from './connection.js';

/** Key words per slot: client address (4), server address (4). */
const ADDR_WORDS = 8;

/** VLAN tags and IP version packed into one small integer (vlan ids are -1..4095). */
export function flowMeta(vlan: number, outerVlan: number, ipVersion: number): number {
  return ((((vlan + 1) & 0x1fff) << 14) | (((outerVlan + 1) & 0x1fff) << 1) | (ipVersion === 6 ? 1 : 0)) | 0;
}

/** Hash-chained slots holding the key of each connection in the table. */
export class FlowTable {
  /** Connection of each slot (null when free). */
  conns: (Connection | null)[] = [];
  private hashes: Int32Array = new Int32Array(0);
  private metas: Int32Array = new Int32Array(0);
  /** Client port << 16 | server port. */
  private ports: Int32Array = new Int32Array(0);
  private addrs: Int32Array = new Int32Array(0);
  /** Next slot + 1 in the same bucket, 0 at the end of the chain. */
  private chain: Int32Array = new Int32Array(0);
  /** First slot + 1 of each bucket. */
  private heads: Int32Array = new Int32Array(1024);
  private mask = 1023;
  /** Free slots (a stack). */
  private free: Int32Array = new Int32Array(0);
  private freeCount = 0;
  private capacity = 0;
  /** Slots in use. */
  size = 0;
  /** Direction of the packet in the connection found by the last `find`. */
  foundDir: 0 | 1 = 0;

  /** The connection of a packet whose flow hash is `h`, or null; sets `foundDir`. */
  find(pkt: TcpPacket, h: number): Connection | null {
    const meta = flowMeta(pkt.vlan, pkt.outerVlan, pkt.ipVersion);
    const src = pkt.src;
    const dst = pkt.dst;
    const s3 = src[3]! | 0;
    const d3 = dst[3]! | 0;
    const fwd = ((pkt.srcPort << 16) | pkt.dstPort) | 0;
    const rev = ((pkt.dstPort << 16) | pkt.srcPort) | 0;
    const hashes = this.hashes;
    const addrs = this.addrs;
    const hh = h | 0;
    for (let s = this.heads[h & this.mask]! - 1; s >= 0; s = this.chain[s]! - 1) {
      if (hashes[s] !== hh || this.metas[s] !== meta) continue;
      const p = this.ports[s];
      const a = s * ADDR_WORDS;
      if (
        p === fwd &&
        addrs[a + 3] === s3 &&
        addrs[a + 7] === d3 &&
        addrs[a + 2] === (src[2]! | 0) &&
        addrs[a + 6] === (dst[2]! | 0) &&
        addrs[a + 1] === (src[1]! | 0) &&
        addrs[a + 5] === (dst[1]! | 0) &&
        addrs[a] === (src[0]! | 0) &&
        addrs[a + 4] === (dst[0]! | 0)
      ) {
        this.foundDir = 0;
        return this.conns[s]!;
      }
      if (
        p === rev &&
        addrs[a + 3] === d3 &&
        addrs[a + 7] === s3 &&
        addrs[a + 2] === (dst[2]! | 0) &&
        addrs[a + 6] === (src[2]! | 0) &&
        addrs[a + 1] === (dst[1]! | 0) &&
        addrs[a + 5] === (src[1]! | 0) &&
        addrs[a] === (dst[0]! | 0) &&
        addrs[a + 4] === (src[0]! | 0)
      ) {
        this.foundDir = 1;
        return this.conns[s]!;
      }
    }
    return null;
  }

  /** Enters a connection (its key from its endpoints, its hash from `c.hash`); sets `c.slot`. */
  insert(c: Connection): void {
    if (this.freeCount === 0) this.growSlots();
    if (this.size + 1 > (this.heads.length * 3) >>> 2) this.growBuckets();
    const s = this.free[--this.freeCount]!;
    c.slot = s;
    this.conns[s] = c;
    this.hashes[s] = c.hash | 0;
    this.metas[s] = flowMeta(c.vlan, c.outerVlan, c.ipVersion);
    this.writeKey(c);
    const b = c.hash & this.mask;
    this.chain[s] = this.heads[b]!;
    this.heads[b] = s + 1;
    this.size++;
  }

  /** Rewrites a connection's key after its client and server swapped. */
  writeKey(c: Connection): void {
    const s = c.slot;
    this.ports[s] = ((c.client.port << 16) | c.server.port) | 0;
    const a = s * ADDR_WORDS;
    const ca = c.client.addr;
    const sa = c.server.addr;
    for (let i = 0; i < 4; i++) {
      this.addrs[a + i] = ca[i]! | 0;
      this.addrs[a + 4 + i] = sa[i]! | 0;
    }
  }

  /** Removes a connection; its slot is reused. */
  remove(c: Connection): void {
    const s = c.slot;
    if (s < 0 || this.conns[s] !== c) return;
    const b = c.hash & this.mask;
    let prev = -1;
    for (let x = this.heads[b]! - 1; x >= 0; prev = x, x = this.chain[x]! - 1) {
      if (x !== s) continue;
      if (prev < 0) this.heads[b] = this.chain[s]!;
      else this.chain[prev] = this.chain[s]!;
      break;
    }
    this.chain[s] = 0;
    this.conns[s] = null;
    this.free[this.freeCount++] = s;
    c.slot = -1;
    this.size--;
  }

  private growSlots(): void {
    const old = this.capacity;
    const cap = old === 0 ? 1024 : old * 2;
    this.hashes = grown(this.hashes, cap);
    this.metas = grown(this.metas, cap);
    this.ports = grown(this.ports, cap);
    this.chain = grown(this.chain, cap);
    this.addrs = grown(this.addrs, cap * ADDR_WORDS);
    const free = new Int32Array(cap);
    // Lowest slots on top of the stack, so the rows in use stay packed at the front.
    for (let i = 0; i < cap - old; i++) free[i] = cap - 1 - i;
    this.free = free;
    this.freeCount = cap - old;
    for (let i = old; i < cap; i++) this.conns.push(null);
    this.capacity = cap;
  }

  private growBuckets(): void {
    const n = this.heads.length * 2;
    this.heads = new Int32Array(n);
    this.mask = n - 1;
    for (let s = 0; s < this.capacity; s++) {
      if (this.conns[s] === null) continue;
      const b = this.hashes[s]! & this.mask;
      this.chain[s] = this.heads[b]!;
      this.heads[b] = s + 1;
    }
  }
}

function grown(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}
