import type { CaptureWriter } from './capture-writer.js';
import { ACK, FIN, PSH, SYN, SegmentSpec, writeSegment } from './frame.js';
import type { PayloadPool } from './payload-pool.js';
import { Prng } from './prng.js';

/** Direction of a segment: client to server, or server to client. */
export const C2S = 0;
export const S2C = 1;

/** Counts a generator keeps while it writes, stored in the workload's metadata. */
export interface TrafficCounts {
  packets: number;
  /** Packets carrying payload, first transmissions and retransmissions. */
  dataSegments: number;
  connections: number;
  /** Distinct stream bytes (both directions of every connection): what an exact reassembly delivers. */
  streamBytes: number;
  /** Payload bytes on the wire, retransmitted bytes included. */
  wirePayloadBytes: number;
  /** Segments held back and written later than their successors. */
  outOfOrder: number;
  /** Extra copies of data already written (retransmissions of segments the capture saw). */
  retransmissions: number;
  /** Retransmissions cut differently from the original (split halves, or merged with the next segment). */
  resegmented: number;
}

/** One TCP connection: its addresses, initial sequence numbers and how much each side has sent. */
export class Conn {
  readonly isn = [0, 0];
  readonly salt = [0, 0];
  /** Bytes of stream data each direction has sent for the first time (stream offsets). */
  readonly sent = [0, 0];
  /** Stream offsets of held-back segments per direction: the receiver cannot acknowledge past them. */
  readonly holes: number[][] = [[], []];
  /** Held-back copies (holes and retransmissions) still to be written. */
  delayed = 0;
  readonly lastTsVal = [0, 0];
  readonly tsOffset = [0, 0];
  readonly ipId = [0, 0];
  finSent = [false, false];
  /** Message sizes, alternating client then server. */
  msgs: number[] = [];
  msgIndex = 0;
  msgLeft = 0;
  segsSinceAck = 0;
  /** 0..2 handshake, 3 data, 4..6 close, 7 done. */
  phase = 0;
  /** Position in the scheduler's active list. */
  slot = 0;

  constructor(
    readonly id: number,
    readonly clientIp: number,
    readonly serverIp: number,
    readonly clientPort: number,
    readonly serverPort: number,
  ) {}

  /** Sequence number of stream offset `off` in direction `dir`. */
  seqOf(dir: number, off: number): number {
    return (this.isn[dir] + 1 + off) >>> 0;
  }

  /** What the receiver of direction `dir` acknowledges: the first hole, or all that was sent (and the FIN). */
  ackFor(dir: number): number {
    const h = this.holes[dir];
    if (h.length > 0) {
      let m = h[0];
      for (let i = 1; i < h.length; i++) if (h[i] < m) m = h[i];
      return this.seqOf(dir, m);
    }
    return (this.seqOf(dir, this.sent[dir]) + (this.finSent[dir] ? 1 : 0)) >>> 0;
  }
}

/** A segment written later than its turn: out of order, a retransmission, or a resegmented copy. */
interface Delayed {
  conn: Conn;
  dir: number;
  off: number;
  len: number;
  /** True when this copy fills a hole (it is in conn.holes); false for a plain retransmission. */
  fillsHole: boolean;
}

/**
 * Writes TCP segments of connections with realistic headers: timestamps option, acknowledgements, IP ids,
 * a capture clock that advances with the bytes on the wire.
 */
export class Emitter {
  readonly spec = new SegmentSpec();
  /** Capture clock in microseconds since the epoch. */
  clockUs: number;
  readonly counts: TrafficCounts = {
    packets: 0, dataSegments: 0, connections: 0, streamBytes: 0, wirePayloadBytes: 0,
    outOfOrder: 0, retransmissions: 0, resegmented: 0,
  };

  constructor(
    readonly w: CaptureWriter,
    readonly pool: PayloadPool,
    /** Link speed that spaces packets in time. */
    readonly linkMbps: number,
    startSec = 1_700_000_000,
  ) {
    this.clockUs = startSec * 1e6;
  }

  /** Writes one segment of `c` in direction `dir`: payload at stream offset `off`, `len` bytes. */
  segment(c: Conn, dir: number, off: number, len: number, flags: number, seq = c.seqOf(dir, off)): void {
    const s = this.spec;
    const rev = dir ^ 1;
    if (dir === C2S) {
      s.srcIp = c.clientIp; s.dstIp = c.serverIp; s.srcPort = c.clientPort; s.dstPort = c.serverPort;
    } else {
      s.srcIp = c.serverIp; s.dstIp = c.clientIp; s.srcPort = c.serverPort; s.dstPort = c.clientPort;
    }
    s.seq = seq;
    s.ack = (flags & ACK) !== 0 ? c.ackFor(rev) : 0;
    s.flags = flags;
    s.ipId = c.ipId[dir]++;
    const tsVal = ((Math.floor(this.clockUs / 1000) + c.tsOffset[dir]) >>> 0);
    s.tsVal = tsVal;
    s.tsEcr = (flags & ACK) !== 0 ? c.lastTsVal[rev] : 0;
    c.lastTsVal[dir] = tsVal;
    s.poolAt = len > 0 ? this.pool.offsetOf(c.salt[dir], off) : 0;
    s.payloadLength = len;
    const us = this.clockUs;
    const sec = Math.floor(us / 1e6);
    const frameLen = writeSegment(this.w, this.pool, s, sec, us - sec * 1e6);
    this.clockUs += 1 + Math.floor((frameLen + 24) * 8 / this.linkMbps);
    this.counts.packets++;
    if (len > 0) {
      this.counts.dataSegments++;
      this.counts.wirePayloadBytes += len;
    }
  }
}

/** How a workload's connections behave. */
export interface TrafficProfile {
  seed: number;
  /** Connections open at once. */
  concurrency: number;
  /** Stop opening connections once this many bytes of capture are written... */
  maxCaptureBytes: number;
  /** ...or this many connections were opened... */
  maxConnections: number;
  /** ...or this many packets were written. */
  maxPackets: number;
  /** Message sizes for a new connection, alternating client, server. */
  messages(rng: Prng, id: number): number[];
  mss: number;
  /** Probability that a data segment is lost before the capture point and retransmitted later. */
  loss: number;
  /** Probability that a data segment arrives a little late (swapped with its successors). */
  reorder: number;
  /** Probability that a data segment the capture saw is retransmitted anyway. */
  duplicate: number;
  /** Share of retransmissions of lost segments that are cut differently (split in two, or merged with the next). */
  resegment: number;
  /** Share of connections whose ISN sits just below 2^32 so their sequence numbers wrap. */
  wrapShare: number;
  linkMbps: number;
  serverPort: number;
}

const RING = 1 << 16;

/**
 * Interleaves many connections into one capture: each step picks a random open connection and writes its next
 * packet, while segments held back for loss or reordering wait in a calendar ring until their step comes.
 */
export function generateTraffic(w: CaptureWriter, pool: PayloadPool, p: TrafficProfile): TrafficCounts {
  const rng = new Prng(p.seed);
  const em = new Emitter(w, pool, p.linkMbps);
  // The MSS option counts the 12 bytes of timestamp option every segment carries, as Linux does (1460 vs 1448).
  em.spec.mss = p.mss + 12;
  const active: Conn[] = [];
  const ring: Delayed[][] = [];
  for (let i = 0; i < RING; i++) ring.push([]);
  let step = 0;
  let opened = 0;

  const canOpen = (): boolean =>
    opened < p.maxConnections && w.pcapBytes < p.maxCaptureBytes && em.counts.packets < p.maxPackets;

  const open = (): void => {
    const id = opened++;
    // Client addresses 10.a.b.c and ports are unique per connection id, so no 4-tuple is reused.
    const clientIp = ((10 << 24) | (id & 0xffffff)) >>> 0;
    const serverIp = ((192 << 24) | (168 << 16) | (rng.int(16) << 8) | (1 + rng.int(254))) >>> 0;
    const c = new Conn(id, clientIp, serverIp, 32768 + ((id * 7919) % 28000), p.serverPort);
    c.msgs = p.messages(rng, id);
    for (const m of c.msgs) em.counts.streamBytes += m;
    const wraps = rng.float() < p.wrapShare;
    for (let d = 0; d < 2; d++) {
      c.isn[d] = wraps ? (0x100000000 - 1 - rng.int(Math.max(1, c.msgs[d] ?? 1))) >>> 0 : rng.next();
      c.salt[d] = rng.int(pool.size);
      c.tsOffset[d] = rng.next();
      c.ipId[d] = rng.int(65536);
    }
    c.msgLeft = c.msgs.length > 0 ? c.msgs[0] : 0;
    c.slot = active.length;
    active.push(c);
    em.counts.connections++;
  };

  const later = (c: Conn, dir: number, off: number, len: number, fillsHole: boolean, ownSteps: number): void => {
    const d = Math.min(RING - 1, Math.max(1, ownSteps * active.length));
    ring[(step + d) % RING].push({ conn: c, dir, off, len, fillsHole });
    c.delayed++;
    if (fillsHole) c.holes[dir].push(off);
  };

  const writeDelayed = (x: Delayed): void => {
    const c = x.conn;
    if (x.fillsHole) {
      const h = c.holes[x.dir];
      h.splice(h.indexOf(x.off), 1);
    }
    c.delayed--;
    em.segment(c, x.dir, x.off, x.len, ACK | PSH);
  };

  /** Writes a data segment, or holds it back according to the profile. */
  const data = (c: Conn, dir: number, len: number): void => {
    const off = c.sent[dir];
    c.sent[dir] += len;
    const r = rng.float();
    if (r < p.loss) {
      em.counts.outOfOrder++;
      const own = 3 + rng.int(28);
      if (rng.float() < p.resegment && len >= 2) {
        em.counts.resegmented++;
        if (rng.int(2) === 0 || c.msgLeft === 0) {
          // Retransmitted in two halves at different times.
          const half = len >> 1;
          later(c, dir, off, half, true, own);
          later(c, dir, off + half, len - half, true, own + 1 + rng.int(4));
        } else {
          // One retransmission covering this segment and the next, which the capture sees on time.
          const next = Math.min(p.mss, c.msgLeft);
          later(c, dir, off, len + next, true, own);
          em.counts.retransmissions++;
        }
      } else {
        later(c, dir, off, len, true, own);
      }
      return;
    }
    if (r < p.loss + p.reorder) {
      em.counts.outOfOrder++;
      later(c, dir, off, len, true, 1 + rng.int(3));
      return;
    }
    em.segment(c, dir, off, len, ACK | PSH);
    if (r < p.loss + p.reorder + p.duplicate) {
      em.counts.retransmissions++;
      later(c, dir, off, len, false, 3 + rng.int(28));
    }
  };

  /** Writes connection `c`'s next packet; returns false when it has finished. */
  const advance = (c: Conn): boolean => {
    switch (c.phase) {
      case 0: em.segment(c, C2S, 0, 0, SYN, c.isn[C2S]); c.phase = 1; return true;
      case 1: em.segment(c, S2C, 0, 0, SYN | ACK, c.isn[S2C]); c.phase = 2; return true;
      case 2: em.segment(c, C2S, 0, 0, ACK); c.phase = c.msgs.length > 0 ? 3 : 4; return true;
      case 3: {
        const dir = c.msgIndex & 1;
        if (c.msgLeft === 0 || c.segsSinceAck >= 2) {
          const last = c.msgLeft === 0 && c.msgIndex + 1 >= c.msgs.length;
          if (c.msgLeft === 0 && !last) {
            // The reply's first segment acknowledges the request: no separate ACK between messages.
            c.msgIndex++;
            c.msgLeft = c.msgs[c.msgIndex];
            c.segsSinceAck = 0;
            return true;
          }
          em.segment(c, dir ^ 1, c.sent[dir ^ 1], 0, ACK);
          c.segsSinceAck = 0;
          if (last) c.phase = 4;
          return true;
        }
        const len = Math.min(p.mss, c.msgLeft);
        c.msgLeft -= len;
        c.segsSinceAck++;
        data(c, dir, len);
        return true;
      }
      case 4:
        if (c.delayed > 0) return true; // the close waits for every retransmission to be on the wire
        c.finSent[C2S] = true;
        em.segment(c, C2S, c.sent[C2S], 0, FIN | ACK);
        c.phase = 5;
        return true;
      case 5:
        c.finSent[S2C] = true;
        em.segment(c, S2C, c.sent[S2C], 0, FIN | ACK);
        c.phase = 6;
        return true;
      case 6:
        em.segment(c, C2S, c.sent[C2S] + 1, 0, ACK);
        c.phase = 7;
        return false;
      default:
        return false;
    }
  };

  while (true) {
    while (active.length < p.concurrency && canOpen()) open();
    if (active.length === 0) break;
    step++;
    const due = ring[step % RING];
    if (due.length > 0) {
      for (let i = 0; i < due.length; i++) writeDelayed(due[i]);
      due.length = 0;
    }
    const c = active[rng.int(active.length)];
    if (!advance(c)) {
      const last = active.pop()!;
      if (last !== c) {
        active[c.slot] = last;
        last.slot = c.slot;
      }
    }
  }
  return em.counts;
}
