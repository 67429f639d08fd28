/**
 * StreamPool: the connection table shared by assemblers. Lookup hashes the 4-tuple (with VLAN tags and IP
 * version) direction-independently into chained buckets, so both directions find the same connection without
 * building a key. Open connections sit in an LRU list (idlest first, for eviction and timeouts); closed ones stay
 * as tombstones so late packets (the last ACK) do not create phantom connections (gopacket #427).
 */
import type { TcpPacket } from '../decode/packet.js';
import { Connection, type Direction } from './connection.js';
import { FlowTable } from './flow-table.js';
import { flowHash } from './hash.js';
import { poolOptions, type StreamPoolOptions } from './options.js';
import { PoolStats } from './stats.js';
import type { StreamFactory } from './stream.js';
import { TupleCounter } from './tuple-counter.js';

/** Spare connection objects kept for reuse at most. */
const MAX_SPARE = 1024;

/** Connection table and stream factory, shared by the assemblers that feed it. */
export class StreamPool {
  readonly factory: StreamFactory;
  readonly options: StreamPoolOptions;
  readonly stats = new PoolStats();
  /** Direction of the packet in the connection found by the last `lookup`. */
  foundDir: Direction = 0;
  /** Hash of the packet given to the last `lookup`. */
  lastHash = 0;
  /** Open connections, least recently seen first. */
  lruHead: Connection | null = null;
  lruTail: Connection | null = null;
  /** Tombstones, oldest first. */
  tombHead: Connection | null = null;
  tombTail: Connection | null = null;
  /**
   * The LRU list may not be in lastSeen order (a packet's timestamp went backwards): timeouts must then walk it
   * all. Cleared by a walk that finds it sorted again.
   */
  lruUnsorted = false;
  /** The same for the tombstone list. */
  tombUnsorted = false;
  private readonly table = new FlowTable();
  /** Connection objects whose tombstone was dropped, reset for reuse (`reuseConnections`; bounded). */
  private readonly spare: Connection[] = [];
  private nextId = 0;
  /** Connections created per 4-tuple hash, to number port reuse (reuseIndex); null when disabled. */
  private readonly seenTuples: TupleCounter | null;

  constructor(factory: StreamFactory, options?: Partial<StreamPoolOptions>) {
    this.factory = factory;
    this.options = poolOptions(options);
    const m = this.options.maxRememberedTuples;
    this.seenTuples = m > 0 ? new TupleCounter(m) : null;
  }

  /** Number of connections created so far (the next id). */
  get connectionCount(): number {
    return this.nextId;
  }

  /** Finds the connection (open or tombstone) of a packet; sets `foundDir` and `lastHash`. */
  lookup(pkt: TcpPacket): Connection | null {
    const h = flowHash(pkt.src, pkt.srcPort, pkt.dst, pkt.dstPort, pkt.vlan, pkt.outerVlan, pkt.ipVersion);
    this.lastHash = h;
    const c = this.table.find(pkt, h);
    this.foundDir = this.table.foundDir;
    return c;
  }

  /**
   * Makes a connection for a packet (not yet in the table): `clientIsSource` says which end is the client.
   * Assigns the id and reuse index; the caller creates the stream and then calls `add`.
   */
  make(pkt: TcpPacket, clientIsSource: boolean): Connection {
    let c = this.spare.pop();
    if (c === undefined) c = new Connection();
    c.id = this.nextId++;
    c.hash = this.lastHash;
    c.ipVersion = pkt.ipVersion;
    c.vlan = pkt.vlan;
    c.outerVlan = pkt.outerVlan;
    const cl = clientIsSource ? pkt.src : pkt.dst;
    const sv = clientIsSource ? pkt.dst : pkt.src;
    c.client.addr.set(cl);
    c.server.addr.set(sv);
    c.client.port = clientIsSource ? pkt.srcPort : pkt.dstPort;
    c.server.port = clientIsSource ? pkt.dstPort : pkt.srcPort;
    c.firstTsSec = c.lastTsSec = pkt.tsSec;
    c.firstTsNsec = c.lastTsNsec = pkt.tsNsec;
    c.lastSeen = pkt.tsSec + pkt.tsNsec * 1e-9;
    if (this.seenTuples !== null) c.reuseIndex = this.seenTuples.next(c.hash);
    this.stats.connectionsCreated++;
    this.foundDir = clientIsSource ? 0 : 1;
    return c;
  }

  /** Enters an open connection in the table and at the recent end of the LRU list. */
  add(c: Connection): void {
    this.table.insert(c);
    if (this.lruTail !== null && c.lastSeen < this.lruTail.lastSeen) this.lruUnsorted = true;
    c.listPrev = this.lruTail;
    c.listNext = null;
    if (this.lruTail !== null) this.lruTail.listNext = c;
    else this.lruHead = c;
    this.lruTail = c;
    const s = this.stats;
    if (++s.connectionsOpen > s.connectionsPeakOpen) s.connectionsPeakOpen = s.connectionsOpen;
  }

  /** Marks an open connection as just seen (moves it to the recent end of the LRU list). */
  touch(c: Connection): void {
    if (this.lruTail === c) return;
    this.unlinkOpen(c);
    if (this.lruTail !== null && c.lastSeen < this.lruTail.lastSeen) this.lruUnsorted = true;
    c.listPrev = this.lruTail;
    c.listNext = null;
    if (this.lruTail !== null) this.lruTail.listNext = c;
    else this.lruHead = c;
    this.lruTail = c;
  }

  /** Turns a closed connection into a tombstone (or drops it when tombstones are disabled). */
  bury(c: Connection): void {
    this.unlinkOpen(c);
    this.stats.connectionsOpen--;
    if (this.options.maxTombstones === 0) {
      this.unhash(c);
      return;
    }
    if (this.tombTail !== null && c.lastSeen < this.tombTail.lastSeen) this.tombUnsorted = true;
    c.listPrev = this.tombTail;
    c.listNext = null;
    if (this.tombTail !== null) this.tombTail.listNext = c;
    else this.tombHead = c;
    this.tombTail = c;
    if (++this.stats.tombstones > this.options.maxTombstones) {
      const old = this.tombHead!;
      this.dropTombstone(old);
      this.recycle(old);
    }
  }

  /** Moves a tombstone that just absorbed a packet to the recent end of the tombstone list. */
  touchTombstone(c: Connection): void {
    if (this.tombTail === c) return;
    this.unlinkTomb(c);
    if (this.tombTail !== null && c.lastSeen < this.tombTail.lastSeen) this.tombUnsorted = true;
    c.listPrev = this.tombTail;
    c.listNext = null;
    if (this.tombTail !== null) this.tombTail.listNext = c;
    else this.tombHead = c;
    this.tombTail = c;
  }

  /** Removes a tombstone from the table. */
  dropTombstone(c: Connection): void {
    this.unlinkTomb(c);
    this.unhash(c);
    this.stats.tombstones--;
    this.stats.tombstonesExpired++;
  }

  /** With `reuseConnections`: keeps a dropped tombstone's object for a later connection, unless its stream lives on. */
  private recycle(c: Connection): void {
    if (!this.options.reuseConnections || c.stream !== null || c.slot >= 0 || this.spare.length >= MAX_SPARE) return;
    c.reset();
    this.spare.push(c);
  }

  /** Drops tombstones last seen before capture time `tc` (seconds); returns how many. */
  expireTombstones(tc: number): number {
    // Oldest first: while the list is in lastSeen order, stop at the first one seen since tc (see lruUnsorted).
    const full = this.tombUnsorted;
    let prevSeen = -Infinity;
    let inversions = false;
    let n = 0;
    for (let c = this.tombHead; c !== null; ) {
      const next = c.listNext;
      if (c.lastSeen < tc) {
        this.dropTombstone(c);
        this.recycle(c);
        n++;
      } else if (!full) {
        break;
      } else {
        if (c.lastSeen < prevSeen) inversions = true;
        prevSeen = c.lastSeen;
      }
      c = next;
    }
    if (full && !inversions) this.tombUnsorted = false;
    return n;
  }

  /** Drops all tombstones. */
  clearTombstones(): number {
    let n = 0;
    while (this.tombHead !== null) {
      this.dropTombstone(this.tombHead);
      n++;
    }
    return n;
  }

  /** Open connections, least recently seen first (allocates an array: not for the hot path). */
  openConnections(): Connection[] {
    const out: Connection[] = [];
    for (let c = this.lruHead; c !== null; c = c.listNext) out.push(c);
    return out;
  }

  /** Tombstones, oldest first (allocates an array). */
  tombstones(): Connection[] {
    const out: Connection[] = [];
    for (let c = this.tombHead; c !== null; c = c.listNext) out.push(c);
    return out;
  }

  private unlinkOpen(c: Connection): void {
    if (c.listPrev !== null) c.listPrev.listNext = c.listNext;
    else if (this.lruHead === c) this.lruHead = c.listNext;
    if (c.listNext !== null) c.listNext.listPrev = c.listPrev;
    else if (this.lruTail === c) this.lruTail = c.listPrev;
    c.listPrev = c.listNext = null;
  }

  private unlinkTomb(c: Connection): void {
    if (c.listPrev !== null) c.listPrev.listNext = c.listNext;
    else if (this.tombHead === c) this.tombHead = c.listNext;
    if (c.listNext !== null) c.listNext.listPrev = c.listPrev;
    else if (this.tombTail === c) this.tombTail = c.listPrev;
    c.listPrev = c.listNext = null;
  }

  private unhash(c: Connection): void {
    this.table.remove(c);
  }

  /** Re-enters a connection's key after its client and server swapped. */
  rekey(c: Connection): void {
    this.table.writeKey(c);
  }

  /** Removes a connection (open or tombstone) from the table without burying it: used on port reuse. */
  remove(c: Connection): void {
    if (c.closed) {
      this.unlinkTomb(c);
      this.stats.tombstones--;
    } else {
      this.unlinkOpen(c);
      this.stats.connectionsOpen--;
    }
    this.unhash(c);
  }

}
