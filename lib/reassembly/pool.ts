/**
 * StreamPool: the connection table shared by assemblers. Lookup hashes the 4-tuple (with VLAN tags and IP
 * version) direction-independently into chained buckets, so both directions find the same connection without
 * building a key. Open connections sit in an LRU list (idlest first, for eviction and timeouts); closed ones stay
 * as compact tombstone rows (key, ISNs, last seen) so late packets (the last ACK) do not create phantom
 * connections (gopacket #427).
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

/** What `tombstones()` shows of a tombstone. */
export interface TombstoneInfo {
  clientPort: number;
  serverPort: number;
  /** Capture time (seconds) it was last seen. */
  lastSeen: number;
  /** ISN of each direction, -1 when its SYN was not seen. */
  isn: [number, number];
}

/** Connection table and stream factory, shared by the assemblers that feed it. */
export class StreamPool {
  readonly factory: StreamFactory;
  readonly options: StreamPoolOptions;
  readonly stats = new PoolStats();
  /** Open connections, least recently seen first. */
  lruHead: Connection | null = null;
  lruTail: Connection | null = null;
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

  /** The flow hash of a packet's 4-tuple (the same both ways). */
  hash(pkt: TcpPacket): number {
    return flowHash(pkt.src, pkt.srcPort, pkt.dst, pkt.dstPort, pkt.vlan, pkt.outerVlan, pkt.ipVersion, pkt.encap);
  }

  /**
   * Finds a packet (flow hash `h`) in the table: a hit naming the slot of an open connection or a tombstone and
   * the packet's direction in it ({@link connectionAt}, {@link hitDir}, {@link hitSlot}), or -1 when none.
   */
  lookup(pkt: TcpPacket, h: number): number {
    return this.table.find(pkt, h);
  }

  /** The open connection of a hit, or null when the hit is a tombstone (its slot: `hitSlot(hit)`). */
  connectionAt(hit: number): Connection | null {
    return this.table.connAt(hit);
  }

  /**
   * Makes a connection for a packet (not yet in the table; flow hash `h`): `clientIsSource` says which end is
   * the client. Assigns the id and reuse index; the caller creates the stream and then calls `add`.
   */
  make(pkt: TcpPacket, h: number, clientIsSource: boolean): Connection {
    let c = this.spare.pop();
    if (c === undefined) c = new Connection();
    else c.reset();
    c.id = this.nextId++;
    c.hash = h;
    c.ipVersion = pkt.ipVersion;
    c.vlan = pkt.vlan;
    c.outerVlan = pkt.outerVlan;
    c.encap = pkt.encap;
    const cl = clientIsSource ? pkt.src : pkt.dst;
    const sv = clientIsSource ? pkt.dst : pkt.src;
    c.client.setAddress(cl);
    c.server.setAddress(sv);
    c.client.ipVersion = c.server.ipVersion = pkt.ipVersion;
    c.client.port = clientIsSource ? pkt.srcPort : pkt.dstPort;
    c.server.port = clientIsSource ? pkt.dstPort : pkt.srcPort;
    c.firstTsSec = c.lastTsSec = pkt.tsSec;
    c.firstTsNsec = c.lastTsNsec = pkt.tsNsec;
    c.lastSeen = pkt.tsSec + pkt.tsNsec * 1e-9;
    if (this.seenTuples !== null) c.reuseIndex = this.seenTuples.next(c.hash);
    this.stats.connectionsCreated++;
    return c;
  }

  /** Enters an open connection in the table and at the recent end of the LRU list. */
  add(c: Connection): void {
    this.table.insert(c);
    this.appendLru(c);
    const s = this.stats;
    if (++s.connectionsOpen > s.connectionsPeakOpen) s.connectionsPeakOpen = s.connectionsOpen;
  }

  /** Marks an open connection as just seen (moves it to the recent end of the LRU list). */
  touch(c: Connection): void {
    if (this.lruTail === c) return;
    this.unlinkOpen(c);
    this.appendLru(c);
  }

  /** Puts a connection at the recent end of the LRU list (noting when capture time went backwards). */
  private appendLru(c: Connection): void {
    if (this.lruTail !== null && c.lastSeen < this.lruTail.lastSeen) this.lruUnsorted = true;
    c.listPrev = this.lruTail;
    c.listNext = null;
    if (this.lruTail !== null) this.lruTail.listNext = c;
    else this.lruHead = c;
    this.lruTail = c;
  }

  /**
   * Turns a closed connection into a tombstone (or drops it when tombstones are disabled). A tombstone is a
   * compact row of the table (key, ISNs, last seen), not the Connection object: it keeps the connection's
   * statistics counting late packets (unless the object is reused) and, when complete() returned false, the
   * connection for its stream. Returns the tombstone's slot, -1 when it made none.
   */
  bury(c: Connection): number {
    this.unlinkOpen(c);
    this.stats.connectionsOpen--;
    if (this.options.maxTombstones === 0) {
      this.table.remove(c);
      this.recycleLater(c);
      return -1;
    }
    const t = this.table;
    if (t.tombTail >= 0 && c.lastSeen < t.tombSeen[t.tombTail]!) this.tombUnsorted = true;
    const reuse = this.options.reuseConnections;
    const slot = t.bury(c, c.lastSeen, reuse ? null : c.stats, c.keepStream ? c : null);
    this.recycleLater(c);
    // The oldest goes: never the one just made, which is the newest and the bound is at least 1.
    if (++this.stats.tombstones > this.options.maxTombstones) this.dropTombstone(t.tombHead);
    return slot;
  }

  /** A SYN hit tombstone `t`: is it a new connection on the same 4-tuple (port reuse)? */
  tombstoneNewIncarnation(t: number, dir: Direction, seq: number): boolean {
    return !(this.table.tombSynSeen(t, dir) && this.table.tombIsn(t, dir) === seq);
  }

  /**
   * A packet hit tombstone `t`: counts it, refreshes the tombstone's time; returns the connection whose stream
   * still wants late packets, or null.
   */
  tombstoneHit(t: number, dir: Direction, wireBytes: number, now: number): Connection | null {
    const tb = this.table;
    const stats = tb.tombStats[t];
    if (stats != null) {
      const st = stats[dir];
      st.packets++;
      st.wireBytes += wireBytes;
      st.packetsAfterClose++;
    }
    this.stats.packetsToTombstones++;
    if (now > tb.tombSeen[t]!) tb.tombSeen[t] = now;
    if (tb.tombTail !== t) {
      if (tb.tombSeen[t]! < tb.tombSeen[tb.tombTail]!) this.tombUnsorted = true;
      tb.touchTomb(t);
    }
    return tb.tombConn[t]!;
  }

  /** Removes tombstone `t` from the table (port reuse: a new connection takes its 4-tuple). */
  removeTombstone(t: number): void {
    this.table.removeTomb(t);
    this.stats.tombstones--;
  }

  /** Drops tombstone `t` (close timeout or bound). */
  dropTombstone(t: number): void {
    this.table.removeTomb(t);
    this.stats.tombstones--;
    this.stats.tombstonesExpired++;
  }

  /**
   * With `reuseConnections`: the object of a buried connection is reused by a later `make`, unless its stream
   * lives on. Not reset now: the caller that buried it may still read it (closed, endReason) until then.
   */
  private recycleLater(c: Connection): void {
    if (!this.options.reuseConnections || c.keepStream || c.stream !== null || this.spare.length >= MAX_SPARE) return;
    this.spare.push(c);
  }

  /** Drops tombstones last seen before capture time `tc` (seconds); returns how many. */
  expireTombstones(tc: number): number {
    // Oldest first: while the list is in lastSeen order, stop at the first one seen since tc (see lruUnsorted).
    const t = this.table;
    const full = this.tombUnsorted;
    let prevSeen = -Infinity;
    let inversions = false;
    let n = 0;
    for (let s = t.tombHead; s >= 0; ) {
      const next = t.tombNext(s);
      const seen = t.tombSeen[s]!;
      if (seen < tc) {
        this.dropTombstone(s);
        n++;
      } else if (!full) {
        break;
      } else {
        if (seen < prevSeen) inversions = true;
        prevSeen = seen;
      }
      s = next;
    }
    if (full && !inversions) this.tombUnsorted = false;
    return n;
  }

  /** Drops all tombstones. */
  clearTombstones(): number {
    let n = 0;
    while (this.table.tombHead >= 0) {
      this.dropTombstone(this.table.tombHead);
      n++;
    }
    this.tombUnsorted = false;
    return n;
  }

  /** Open connections, least recently seen first (allocates an array: not for the hot path). */
  openConnections(): Connection[] {
    const out: Connection[] = [];
    for (let c = this.lruHead; c !== null; c = c.listNext) out.push(c);
    return out;
  }

  /** Tombstones, oldest first (allocates: for tests and debugging). */
  tombstones(): TombstoneInfo[] {
    const out: TombstoneInfo[] = [];
    const t = this.table;
    for (let s = t.tombHead; s >= 0; s = t.tombNext(s)) {
      out.push({
        clientPort: t.clientPort(s),
        serverPort: t.serverPort(s),
        lastSeen: t.tombSeen[s]!,
        isn: [t.tombSynSeen(s, 0) ? t.tombIsn(s, 0) : -1, t.tombSynSeen(s, 1) ? t.tombIsn(s, 1) : -1],
      });
    }
    return out;
  }

  private unlinkOpen(c: Connection): void {
    if (c.listPrev !== null) c.listPrev.listNext = c.listNext;
    else if (this.lruHead === c) this.lruHead = c.listNext;
    if (c.listNext !== null) c.listNext.listPrev = c.listPrev;
    else if (this.lruTail === c) this.lruTail = c.listPrev;
    c.listPrev = c.listNext = null;
  }

  private unhash(c: Connection): void {
    this.table.remove(c);
  }

  /** Re-enters a connection's key after its client and server swapped. */
  rekey(c: Connection): void {
    this.table.writeKey(c);
  }

  /** Removes an open connection from the table without burying it. */
  remove(c: Connection): void {
    this.unlinkOpen(c);
    this.stats.connectionsOpen--;
    this.unhash(c);
  }
}
