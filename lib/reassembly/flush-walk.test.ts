import { describe, expect, it } from 'vitest';
import { ACK, FIN, RST, setup, SYN } from '../../test/support/engine-helpers.js';
import { makePacket } from '../../test/support/engine-streams.js';

const T0 = 1_700_000_000;

/** A packet of connection `n` (client port 40000 + n), client to server. */
function pkt(n: number, seq: number, flags: number, tsSec: number, payload = '') {
  return makePacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000 + n, dport: 80, seq, payload, flags, tsSec });
}

describe('flushes visit only what they must, with the same result as a full scan', () => {
  it('times out idle connections in LRU order and stops at the first recent one', () => {
    const { asm, pool, factory } = setup();
    for (let n = 0; n < 5; n++) asm.assemble(pkt(n, 0, SYN, T0 + n));
    const r = asm.flushWithOptions({ t: T0 - 1, tc: T0 + 3 });
    expect(r.closed).toBe(3);
    expect(factory.streams.map((s) => s.conn.endReason)).toEqual(['timed-out', 'timed-out', 'timed-out', null, null]);
    expect(pool.lruUnsorted).toBe(false);
  });

  it('still finds an idle connection behind a recent one when a timestamp went backwards', () => {
    const { asm, pool, factory } = setup();
    asm.assemble(pkt(0, 0, SYN, T0 + 10));
    // Arrives later in the file but carries an older time: the LRU list is no longer in time order.
    asm.assemble(pkt(1, 0, SYN, T0 + 1));
    expect(pool.lruUnsorted).toBe(true);
    const r = asm.flushWithOptions({ t: T0, tc: T0 + 5 });
    expect(r.closed).toBe(1);
    expect(factory.streams[1]!.conn.endReason).toBe('timed-out');
    expect(factory.streams[0]!.conn.endReason).toBeNull();
    // What is left is sorted again: the next flush may stop early.
    expect(pool.lruUnsorted).toBe(false);
  });

  it('expires tombstones behind a newer one when timestamps went backwards', () => {
    const { asm, pool } = setup({ rstPolicy: 'in-window' });
    asm.assemble(pkt(0, 0, SYN, T0 + 10));
    asm.assemble(pkt(0, 1, RST, T0 + 10));
    asm.assemble(pkt(1, 0, SYN, T0 + 1));
    asm.assemble(pkt(1, 1, RST, T0 + 1));
    expect(pool.stats.tombstones).toBe(2);
    expect(pool.tombUnsorted).toBe(true);
    asm.flushWithOptions({ t: T0, tc: T0 + 5 });
    expect(pool.stats.tombstones).toBe(1);
    expect(pool.tombstones()[0]!.clientPort).toBe(40000);
    expect(pool.tombUnsorted).toBe(false);
  });

  it('pushes out old buffered data and closes over a waiting FIN on busy connections too', () => {
    const { asm, factory } = setup();
    asm.assemble(pkt(0, 0, SYN, T0));
    asm.assemble(pkt(0, 11, ACK, T0, 'late'));
    asm.assemble(pkt(1, 0, SYN, T0));
    asm.assemble(pkt(1, 1, ACK, T0, 'ab'));
    asm.assemble(pkt(1, 10, FIN | ACK, T0));
    // Both stay busy (seen recently); only their gaps are old.
    for (let n = 0; n < 2; n++) asm.assemble(pkt(n, 50, ACK, T0 + 100));
    const r = asm.flushWithOptions({ t: T0 + 50, tc: T0 + 60 });
    expect(r.closed).toBe(0);
    expect(r.flushed).toBe(2);
    const [a, b] = factory.streams;
    expect(a!.bytes(0).toString()).toBe('late');
    expect(a!.calls[0]!.skip).toBe(10);
    expect(b!.calls.at(-1)!.end).toBe(true);
    expect(b!.calls.at(-1)!.skip).toBe(7);
    // Nothing is left to flush: a second flush does nothing.
    expect(asm.flushWithOptions({ t: T0 + 50, tc: T0 + 60 })).toEqual({ flushed: 0, closed: 0 });
  });
});

describe('compact tombstones', () => {
  it('keep the ISNs: a retransmitted SYN is absorbed, a SYN with a new ISN starts the next connection', () => {
    const { asm, pool, factory } = setup({ rstPolicy: 'in-window' });
    asm.assemble(pkt(0, 1000, SYN, T0));
    asm.assemble(makePacket({ src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000, seq: 5000, ack: 1001, flags: SYN | ACK, tsSec: T0 }));
    asm.assemble(pkt(0, 1001, RST, T0));
    expect(pool.tombstones()).toEqual([{ clientPort: 40000, serverPort: 80, lastSeen: T0, isn: [1000, 5000] }]);
    asm.assemble(pkt(0, 1000, SYN, T0 + 1));
    expect(pool.stats.connectionsCreated).toBe(1);
    expect(pool.stats.packetsToTombstones).toBe(1);
    expect(factory.streams[0]!.conn.stats[0].packetsAfterClose).toBe(1);
    expect(pool.tombstones()[0]!.lastSeen).toBe(T0 + 1);
    asm.assemble(pkt(0, 9000, SYN, T0 + 2));
    expect(pool.stats.connectionsCreated).toBe(2);
    expect(pool.stats.portReuses).toBe(1);
    expect(pool.stats.tombstones).toBe(0);
    expect(factory.streams[1]!.conn.reuseIndex).toBe(1);
  });
});

describe('the context of what a flush delivers or closes', () => {
  /** Connection 0: SYN at T0, data queued behind a hole at T0 + 1 (record 2). */
  function queued() {
    const env = setup();
    env.asm.assemble(makePacket({ seq: 0, flags: SYN, tsSec: T0, recordNumber: 1 }));
    env.asm.assemble(makePacket({ seq: 11, payload: 'later', flags: ACK, tsSec: T0 + 1, recordNumber: 2 }));
    return { ...env, s: env.factory.streams[0]! };
  }

  it('carries FlushOptions.now (the current capture time) when given', () => {
    const { asm, s } = queued();
    asm.flushWithOptions({ t: T0 + 2, tc: T0 + 1.5, now: T0 + 30.25 });
    expect(s.bytes(0).toString()).toBe('later');
    expect(s.contexts).toEqual([{ tsSec: T0 + 30, tsNsec: 250_000_000, recordNumber: 0, fileOffset: -1 }]);
    expect(s.conn.endReason).toBe('timed-out');
    expect(s.completeContext).toEqual({ tsSec: T0 + 30, tsNsec: 250_000_000, recordNumber: 0, fileOffset: -1 });
  });

  it('carries the later flush threshold without now (as before), also for a non-finite now', () => {
    const a = queued();
    a.asm.flushWithOptions({ t: T0 + 2, tc: T0 + 1.5 });
    expect(a.s.contexts).toEqual([{ tsSec: T0 + 2, tsNsec: 0, recordNumber: 0, fileOffset: -1 }]);
    const b = queued();
    b.asm.flushWithOptions({ t: T0 + 2, tc: T0 + 3, now: Number.NaN });
    expect(b.s.contexts).toEqual([{ tsSec: T0 + 3, tsNsec: 0, recordNumber: 0, fileOffset: -1 }]);
    expect(b.s.completeContext!.tsSec).toBe(T0 + 3);
  });
});
