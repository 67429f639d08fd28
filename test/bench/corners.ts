import type { CaptureWriter } from './capture-writer.js';
import { ACK, FIN, PSH, SYN } from './frame.js';
import type { PayloadPool } from './payload-pool.js';
import { Prng } from './prng.js';
import { C2S, Conn, Emitter, S2C, type TrafficCounts } from './traffic.js';

/** Adversarial shapes for the "no quadratic corner" check; each scales with `n`. */
export type CornerKind = 'open-conns' | 'ooo-queue' | 'ooo-reverse' | 'overlaps';

/** Segment payload of the corner workloads: small, so the 100k sizes stay tens of MB. */
const SEG = 512;

function newConn(rng: Prng, pool: PayloadPool, id: number): Conn {
  const c = new Conn(id, ((10 << 24) | (id & 0xffffff)) >>> 0, 0xc0a80101, 32768 + ((id * 7919) % 28000), 443);
  for (let d = 0; d < 2; d++) {
    c.isn[d] = rng.next();
    c.salt[d] = rng.int(pool.size);
    c.tsOffset[d] = rng.next();
  }
  return c;
}

function handshake(em: Emitter, c: Conn): void {
  em.segment(c, C2S, 0, 0, SYN, c.isn[C2S]);
  em.segment(c, S2C, 0, 0, SYN | ACK, c.isn[S2C]);
  em.segment(c, C2S, 0, 0, ACK);
}

function close(em: Emitter, c: Conn): void {
  c.finSent[C2S] = true;
  em.segment(c, C2S, c.sent[C2S], 0, FIN | ACK);
  c.finSent[S2C] = true;
  em.segment(c, S2C, c.sent[S2C], 0, FIN | ACK);
  em.segment(c, C2S, c.sent[C2S] + 1, 0, ACK);
}

/**
 * Writes one corner workload of size `n`:
 * - open-conns: n connections all open at once (n handshakes, then a request and a response on each, then n closes);
 * - ooo-queue: one connection whose first segment is lost, then n segments arrive in order and queue behind the
 *   hole, then the retransmission fills it;
 * - ooo-reverse: the same, with the n queued segments arriving in reverse order;
 * - overlaps: one connection with a hole, then n segments each followed by a retransmission that overlaps it and
 *   its predecessor by half a segment (every fourth with different bytes: a conflicting overlap).
 */
export function generateCorner(w: CaptureWriter, pool: PayloadPool, kind: CornerKind, n: number, seed: number): TrafficCounts {
  const rng = new Prng(seed);
  const em = new Emitter(w, pool, 10000);
  em.spec.mss = 1460;
  const count = (c: Conn): void => {
    em.counts.connections++;
    em.counts.streamBytes += c.sent[0] + c.sent[1];
  };
  if (kind === 'open-conns') {
    const conns: Conn[] = [];
    for (let i = 0; i < n; i++) {
      const c = newConn(rng, pool, i);
      conns.push(c);
      em.segment(c, C2S, 0, 0, SYN, c.isn[C2S]);
    }
    for (const c of conns) em.segment(c, S2C, 0, 0, SYN | ACK, c.isn[S2C]);
    for (const c of conns) em.segment(c, C2S, 0, 0, ACK);
    for (const c of conns) {
      c.sent[C2S] = 200;
      em.segment(c, C2S, 0, 200, ACK | PSH);
    }
    for (const c of conns) {
      c.sent[S2C] = SEG;
      em.segment(c, S2C, 0, SEG, ACK | PSH);
    }
    for (const c of conns) close(em, c);
    for (const c of conns) count(c);
    return em.counts;
  }

  const c = newConn(rng, pool, 0);
  handshake(em, c);
  const total = (n + 1) * SEG;
  c.sent[C2S] = total;
  // While the first segment is missing the receiver keeps acknowledging the hole.
  c.holes[C2S].push(0);
  if (kind === 'ooo-queue') {
    for (let i = 1; i <= n; i++) em.segment(c, C2S, i * SEG, SEG, ACK | PSH);
  } else if (kind === 'ooo-reverse') {
    for (let i = n; i >= 1; i--) em.segment(c, C2S, i * SEG, SEG, ACK | PSH);
  } else {
    const salt = c.salt[C2S];
    for (let i = 1; i <= n; i++) {
      em.segment(c, C2S, i * SEG, SEG, ACK | PSH);
      if (i >= 2) {
        if ((i & 3) === 0) c.salt[C2S] = (salt + 7) % pool.size;
        em.segment(c, C2S, i * SEG - SEG / 2, SEG, ACK | PSH);
        c.salt[C2S] = salt;
        em.counts.retransmissions++;
      }
    }
  }
  em.counts.outOfOrder += n;
  c.holes[C2S].length = 0;
  em.segment(c, C2S, 0, SEG, ACK | PSH);
  em.segment(c, S2C, 0, 0, ACK);
  close(em, c);
  count(c);
  return em.counts;
}
