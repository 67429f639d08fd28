import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TcpPacket } from '../decode/packet.js';
import { ACK, c2s, FIN, PSH, RST, s2c, setup, SYN } from '../../test/support/engine-helpers.js';

/**
 * A generated connection, handshake to FIN exchange, every segment acknowledged by the other side, with one
 * forged segment injected that the receiver ignored: an RST (its later acknowledgements of data sent after it
 * show the connection went on) or data outside the receiver's window (at any distance behind or ahead of it).
 * The reassembled streams must be the ones sent.
 */
const conversation = fc.record({
  ci: fc.integer({ min: 0, max: 0xffffffff }),
  si: fc.integer({ min: 0, max: 0xffffffff }),
  scale: fc.integer({ min: -1, max: 14 }),
  window: fc.integer({ min: 1024, max: 65535 }),
  request: fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 2, maxLength: 8 }),
  response: fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 0, maxLength: 8 }),
  // The capture ends before the FIN exchange (what is queued is then flushed over its gap).
  cut: fc.boolean(),
  forged: fc.record({
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    fromServer: fc.boolean(),
    rst: fc.boolean(),
    withAck: fc.boolean(),
    // Sequence number: any 32-bit value (for data, moved outside the window), or near the next expected byte.
    anywhere: fc.boolean(),
    near: fc.integer({ min: -70000, max: 70000 }),
    far: fc.integer({ min: 0, max: 0xffffffff }),
    payload: fc.uint8Array({ minLength: 1, maxLength: 200 }),
  }),
});

type Conversation = typeof conversation extends fc.Arbitrary<infer T> ? T : never;

interface Step {
  /** A real packet; or a slot where the forged one may go (with each side's next sequence number then). */
  pkt: TcpPacket | null;
  next: [number, number];
}

function concat(parts: Uint8Array[]): Buffer {
  return Buffer.concat(parts.map((p) => Buffer.from(p)));
}

/** The real packets, in order, with a slot for the forged one before every packet after the handshake. */
function steps(c: Conversation): Step[] {
  const out: Step[] = [];
  const ws = c.scale >= 0 ? { windowScale: c.scale } : {};
  let cs = (c.ci + 1) >>> 0;
  let ss = (c.si + 1) >>> 0;
  const push = (pkt: TcpPacket, slot: boolean) => {
    out.push({ pkt, next: [cs, ss] });
    if (slot) out.push({ pkt: null, next: [cs, ss] });
  };
  push(c2s(c.ci, '', { flags: SYN, window: c.window, ...ws }), false);
  push(s2c(c.si, '', { flags: SYN | ACK, ack: cs, window: c.window, ...ws }), false);
  push(c2s(cs, '', { ack: ss, window: c.window }), true);
  for (const d of c.request) {
    push(c2s(cs, d, { flags: ACK | PSH, ack: ss, window: c.window }), false);
    cs = (cs + d.length) >>> 0;
    push(s2c(ss, '', { ack: cs, window: c.window }), true);
  }
  for (const d of c.response) {
    push(s2c(ss, d, { flags: ACK | PSH, ack: cs, window: c.window }), false);
    ss = (ss + d.length) >>> 0;
    push(c2s(cs, '', { ack: ss, window: c.window }), true);
  }
  if (c.cut) return out;
  push(c2s(cs, '', { flags: FIN | ACK, ack: ss, window: c.window }), false);
  cs = (cs + 1) >>> 0;
  push(s2c(ss, '', { flags: FIN | ACK, ack: cs, window: c.window }), false);
  ss = (ss + 1) >>> 0;
  push(c2s(cs, '', { ack: ss, window: c.window }), false);
  return out;
}

/** The forged packet for a slot: its sequence number outside the receiver's window when it carries data. */
function forge(c: Conversation, slot: Step): TcpPacket {
  const f = c.forged;
  const dir = f.fromServer ? 1 : 0;
  const next = slot.next[dir]!;
  const peerNext = slot.next[dir ^ 1]!;
  // With an acknowledgement of what the peer sent so far, or one of nothing it sent.
  const ack = { ack: f.withAck ? peerNext : (peerNext + 0x40000000) >>> 0 };
  const make = f.fromServer ? s2c : c2s;
  if (f.rst) {
    const seq = f.anywhere ? f.far : (next + f.near) >>> 0;
    return make(seq, '', { flags: RST | (f.withAck ? ACK : 0), ack: f.withAck ? peerNext : 0 });
  }
  // Data the receiver drops: behind the next expected byte, or ahead of the window (modulo 2^32). Ahead by less
  // than 64 windows (the slack for lost window updates) only when a FIN ends the direction before it.
  const win = c.scale >= 0 ? c.window * 2 ** c.scale : c.window;
  // The engine cannot tell these from data after capture loss: 64 windows, at least 1 MiB, at most 1 GiB.
  const lim = Math.min(Math.max(64 * win, 1 << 20), 2 ** 30);
  const len = f.payload.length;
  let off: number;
  if (f.near < 0) off = f.anywhere ? -len - (f.far % 2 ** 30) : f.near - len;
  else if (f.anywhere || c.cut) off = lim + 1 + (f.far % (2 ** 32 - lim - 2 * len));
  else off = win + f.near;
  return make((next + off) >>> 0, f.payload, { flags: ACK | PSH, ...ack });
}

function run(c: Conversation, opts = {}) {
  const env = setup(opts);
  const all = steps(c);
  // A cut capture's last slot has nothing after it to show an RST was not taken: not used.
  const slots = all.filter((s) => s.pkt === null).slice(0, c.cut ? -1 : undefined);
  const chosen = slots[Math.min(slots.length - 1, Math.floor(c.forged.at * slots.length))]!;
  let rec = 1;
  for (const s of all) {
    const pkt = s.pkt ?? (s === chosen ? forge(c, s) : null);
    if (pkt === null) continue;
    pkt.recordNumber = rec++;
    env.asm.assemble(pkt);
  }
  env.asm.flushAll();
  return env.factory.streams;
}

describe('property: a forged segment the receiver ignored never changes the reassembled streams', () => {
  it('an RST at any sequence number, or data outside the window, injected anywhere after the handshake', () => {
    // FORGED_OPTS (JSON assembler options) lets the check be seen failing, e.g. {"outOfWindowDistance":2147483648}.
    fc.assert(
      fc.property(conversation, (c) => {
        const streams = run(c, JSON.parse(process.env.FORGED_OPTS ?? '{}'));
        expect(streams).toHaveLength(1);
        const s = streams[0]!;
        expect(s.bytes(0).equals(concat(c.request))).toBe(true);
        expect(s.bytes(1).equals(concat(c.response))).toBe(true);
        expect(s.conn.stats[0].missingBytes + s.conn.stats[1].missingBytes).toBe(0);
        if (!c.cut) expect(s.conn.endReason).toBe('closed');
      }),
      { numRuns: 1000 },
    );
  });
});
