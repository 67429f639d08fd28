import { describe, expect, it } from 'vitest';
import { ACK, c2s, FIN, handshake, s2c, setup, SYN } from '../../test/support/engine-helpers.js';

const GiB = 2 ** 30;
const x = (n: number, c = 'x') => c.repeat(n);

/** Handshake, 'abc' from the client (nextSeq 4), then one client segment at 4 + `jump` (mod 2^32). */
function jumpBy(jump: number, payload = 'zzzz', opts = {}) {
  const r = setup(opts);
  handshake(r.asm, 0, 100);
  r.asm.assemble(c2s(1, 'abc', { ack: 101 }));
  r.asm.assemble(c2s((4 + jump) >>> 0, payload, { ack: 101 }));
  const s = r.factory.streams[0]!;
  return { ...r, s, st: s.conn.stats[0] };
}

describe('segments outside any plausible window are counted and dropped', () => {
  for (const [name, jump] of [
    ['2^31 ahead (behind in modulo-2^32 order)', 2 ** 31],
    ['2^31 - 1 ahead', 2 ** 31 - 1],
    ['1 GiB + 1 ahead', GiB + 1],
    // Measured from the receiver's acknowledgement too, which is 1 here (3 behind nextSeq).
    ['1 GiB + 4 behind', -(GiB + 4)],
  ] as const) {
    it(name, () => {
      const { asm, s, st } = jumpBy(jump);
      expect(st.outOfWindowPackets).toBe(1);
      expect(st.outOfWindowBytes).toBe(4);
      expect(st.retransmittedPackets).toBe(0);
      expect(st.overlapPackets).toBe(0);
      expect(st.overlapBytes).toBe(0);
      expect(st.queuedPackets).toBe(0);
      expect(asm.stats.bufferedPages).toBe(0);
      // The stream goes on where it really continues.
      asm.assemble(c2s(4, 'def', { ack: 101 }));
      asm.flushAll();
      expect(s.bytes(0).toString()).toBe('abcdef');
      expect(st.missingBytes).toBe(0);
      expect(st.packets).toBe(5);
    });
  }

  it('picked up mid-stream (no handshake), exactly 1 GiB ahead is still plausible: buffered, delivered over the gap', () => {
    const r = setup();
    r.factory.configure = (st) => (st.forceStart = true);
    r.asm.assemble(c2s(1, 'abc', { ack: 101 }));
    r.asm.assemble(c2s(4 + GiB, 'zzzz', { ack: 101 }));
    const s = r.factory.streams[0]!;
    const st = s.conn.stats[0];
    expect(st.outOfWindowPackets).toBe(0);
    expect(st.queuedPackets).toBe(1);
    r.asm.flushAll();
    expect(s.bytes(0).toString()).toBe('abczzzz');
    expect(st.missingBytes).toBe(GiB);
  });

  it('after a handshake with 64 KiB windows, 64 x 65535 ahead is plausible and one byte more is not', () => {
    expect(jumpBy(64 * 65535).st.outOfWindowPackets).toBe(0);
    const past = jumpBy(64 * 65535 + 1);
    expect(past.asm.stats.bufferedPages).toBe(0);
    // Held for the receiver to decide (doubtful.ts); the capture ends without its word: dropped.
    past.asm.flushAll();
    expect(past.st.outOfWindowPackets).toBe(1);
    expect(past.s.bytes(0).toString()).toBe('abc');
  });

  it('the window limit is at least 1 MiB, whatever the receiver advertised', () => {
    const r = setup();
    r.asm.assemble(c2s(0, '', { flags: SYN, window: 100 }));
    r.asm.assemble(s2c(100, '', { flags: SYN | ACK, ack: 1, window: 100 }));
    r.asm.assemble(c2s(1, 'abc', { ack: 101, window: 100 }));
    r.asm.assemble(c2s(4 + (1 << 20), 'z', { ack: 101 }));
    r.asm.assemble(c2s(4 + (1 << 20) + 2, 'y', { ack: 101 }));
    r.asm.flushAll();
    const st = r.factory.streams[0]!.conn.stats[0];
    expect(st.queuedPackets).toBe(1);
    expect(st.outOfWindowPackets).toBe(1);
  });

  it('once the receiver has been silent for 64 packets, the window is no evidence: the distance applies', () => {
    const r = setup();
    handshake(r.asm, 0, 100);
    let seq = 1;
    for (let i = 0; i < 64; i++, seq += 3) r.asm.assemble(c2s(seq, 'abc', { ack: 101 }));
    // The handshake's ACK and 64 data packets since the server's SYN-ACK: the receiver is not heard.
    r.asm.assemble(c2s(seq + (8 << 20), 'far', { ack: 101 }));
    const st = r.factory.streams[0]!.conn.stats[0];
    expect(st.outOfWindowPackets).toBe(0);
    expect(st.queuedPackets).toBe(1);
    // A packet from the server: it is heard again, and its window applies.
    r.asm.assemble(s2c(101, '', { ack: seq }));
    r.asm.assemble(c2s(seq + (16 << 20), 'far', { ack: 101 }));
    r.asm.flushAll();
    expect(st.outOfWindowPackets).toBe(1);
  });

  it('2^29 behind is a retransmission of old data, not out of window', () => {
    const { st } = jumpBy(-(2 ** 29));
    expect(st.outOfWindowPackets).toBe(0);
    expect(st.retransmittedPackets).toBe(1);
    expect(st.overlapBytes).toBe(4);
  });

  it('a FIN outside the window does not close the direction', () => {
    const { asm, s, st } = jumpBy(2 ** 31 - 1, '');
    // jumpBy sent a bare ACK: no sequence space, not counted. Now a FIN out there:
    expect(st.outOfWindowPackets).toBe(0);
    asm.assemble(c2s((4 + 2 ** 31 - 1) >>> 0, '', { flags: FIN | ACK, ack: 101 }));
    expect(st.outOfWindowPackets).toBe(1);
    expect(st.outOfWindowBytes).toBe(0);
    expect(st.fin).toBe(0);
    asm.assemble(c2s(4, '', { flags: FIN | ACK, ack: 101 }));
    asm.assemble(s2c(101, '', { flags: FIN | ACK, ack: 5 }));
    expect(s.conn.endReason).toBe('closed');
    expect(st.missingBytes).toBe(0);
  });

  it("data near the receiver's acknowledgement is plausible however far from nextSeq (the capture lost data)", () => {
    const r = setup();
    handshake(r.asm, 0, 100);
    r.asm.assemble(c2s(1, 'abc', { ack: 101 }));
    const far = 4 + 1.5 * GiB;
    r.asm.assemble(s2c(101, '', { ack: far }));
    r.asm.assemble(c2s(far, 'far', { ack: 101 }));
    const s = r.factory.streams[0]!;
    expect(s.conn.stats[0].outOfWindowPackets).toBe(0);
    r.asm.flushAll();
    expect(s.bytes(0).toString()).toBe('abcfar');
    expect(s.conn.stats[0].missingBytes).toBe(1.5 * GiB);
  });

  it('64 times the largest scaled window sets the limit, never past the distance (scale 14: 1 GiB)', () => {
    const scaled = (scale: number, jump: number) => {
      const r = setup();
      r.asm.assemble(c2s(0, '', { flags: SYN, windowScale: scale }));
      r.asm.assemble(s2c(100, '', { flags: SYN | ACK, ack: 1, windowScale: scale }));
      r.asm.assemble(s2c(101, '', { ack: 1, window: 65535 }));
      r.asm.assemble(c2s(1, 'abc', { ack: 101 }));
      r.asm.assemble(c2s((4 + jump) >>> 0, 'zz', { ack: 101 }));
      r.asm.flushAll();
      return r.factory.streams[0]!.conn.stats[0];
    };
    // Scale 14: 64 x 1 GiB is capped at the 1 GiB distance; 2^31 - 1 ahead is not read as plausible any more.
    expect(scaled(14, GiB).queuedPackets).toBe(1);
    expect(scaled(14, GiB + 1).outOfWindowPackets).toBe(1);
    expect(scaled(14, 2 ** 31 - 1).outOfWindowPackets).toBe(1);
    // Scale 7: 65535 x 128 x 64 = 512 MiB.
    expect(scaled(7, 64 * 65535 * 128).queuedPackets).toBe(1);
    expect(scaled(7, 64 * 65535 * 128 + 1).outOfWindowPackets).toBe(1);
  });

  it('outOfWindowDistance caps the limit; 2^31 turns the check off', () => {
    const near = jumpBy(1 << 19, 'zz', { outOfWindowDistance: 1 << 19 });
    expect(near.st.outOfWindowPackets).toBe(0);
    const past = jumpBy((1 << 19) + 1, 'zz', { outOfWindowDistance: 1 << 19 });
    expect(past.st.outOfWindowPackets).toBe(1);
    const off = jumpBy(2 ** 31 - 1, 'zz', { outOfWindowDistance: 2 ** 31 });
    expect(off.st.outOfWindowPackets).toBe(0);
    expect(off.st.queuedPackets).toBe(1);
  });

  it('a direction with no nextSeq yet is not checked', () => {
    const { asm, factory } = setup();
    asm.assemble(c2s(0, '', { flags: SYN }));
    // The server's first data, its SYN-ACK lost: nothing to measure against.
    asm.assemble(s2c(3_000_000_000, x(10), { ack: 1 }));
    const st = factory.streams[0]!.conn.stats[1];
    expect(st.outOfWindowPackets).toBe(0);
    expect(st.queuedPackets).toBe(1);
  });

  it('a segment past the window is taken when the receiver acknowledges up to it (the capture lost the stretch)', () => {
    const r = setup();
    handshake(r.asm, 0, 100);
    r.asm.assemble(c2s(1, 'abc', { ack: 101 }));
    const far = 4 + (8 << 20);
    r.asm.assemble(c2s(far, 'far', { ack: 101 }));
    const s = r.factory.streams[0]!;
    const st = s.conn.stats[0];
    expect(st.queuedPackets).toBe(0);
    r.asm.assemble(s2c(101, '', { ack: far }));
    expect(st.queuedPackets).toBe(1);
    r.asm.flushAll();
    expect(s.bytes(0).toString()).toBe('abcfar');
    expect(st.missingBytes).toBe(8 << 20);
    expect(st.outOfWindowPackets).toBe(0);
  });

  it('a FIN past the window counts once the receiver acknowledges up to it', () => {
    const r = setup();
    handshake(r.asm, 0, 100);
    r.asm.assemble(c2s(1, 'abc', { ack: 101 }));
    const far = 4 + (8 << 20);
    r.asm.assemble(c2s(far, 'end', { flags: FIN | ACK, ack: 101 }));
    const s = r.factory.streams[0]!;
    expect(s.conn.stats[0].fin).toBe(0);
    r.asm.assemble(s2c(101, '', { ack: far + 4 }));
    expect(s.conn.stats[0].fin).toBe(1);
    r.asm.flushAll();
    expect(s.bytes(0).toString()).toBe('abcend');
    expect(s.conn.stats[0].missingBytes).toBe(8 << 20);
    expect(s.conn.stats[0].outOfWindowPackets).toBe(0);
  });

  it('a segment past the window the stream reaches first is dropped, whatever is acknowledged later', () => {
    const r = setup();
    handshake(r.asm, 0, 100);
    // 10 bytes past 64 x 65535 ahead of the next byte (1).
    const forged = 1 + 64 * 65535 + 10;
    r.asm.assemble(c2s(forged, 'forged', { ack: 101 }));
    // 4 MiB + 2 kB of real data, each segment acknowledged, over the forged segment's place.
    const seg = Buffer.alloc(1024, 0x61);
    const n = 4098;
    for (let i = 0, seq = 1; i < n; i++, seq += 1024) {
      r.asm.assemble(c2s(seq, seg, { ack: 101 }));
      r.asm.assemble(s2c(101, '', { ack: seq + 1024 }));
    }
    const st = r.factory.streams[0]!.conn.stats[0];
    expect(st.outOfWindowPackets).toBe(1);
    r.asm.flushAll();
    expect(r.factory.streams[0]!.bytes(0).equals(Buffer.alloc(n * 1024, 0x61))).toBe(true);
    expect(st.outOfWindowPackets).toBe(1);
    expect(st.conflicts).toBe(0);
    expect(st.overlapPackets).toBe(0);
  });
});
