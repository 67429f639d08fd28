import { describe, expect, it } from 'vitest';
import { ACK, c2s, FIN, handshake, RST, s2c, setup, SYN } from '../../test/support/engine-helpers.js';

const T0 = 1_700_000_000;

/** RSTs end the connection at once ('in-window'); the default waits for evidence (rst-evidence.test.ts). */
const AT_ONCE = { rstPolicy: 'in-window' } as const;

describe('RST ends the connection in both directions', () => {
  it('in order: both directions end, reason reset, complete called once', () => {
    const { asm, factory } = setup(AT_ONCE);
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'abc', { ack: 101 }));
    asm.assemble(s2c(101, '', { flags: RST | ACK, ack: 4 }));
    const s = factory.streams[0]!;
    expect(s.conn.endReason).toBe('reset');
    expect(s.completed).toBe(1);
    expect(s.calls.filter((c) => c.end).map((c) => c.dir).sort()).toEqual([0, 1]);
    // Later packets of either direction hit the tombstone.
    asm.assemble(c2s(4, 'def', { ack: 101 }));
    expect(s.bytes(0).toString()).toBe('abc');
    expect(factory.streams).toHaveLength(1);
  });

  it('as the first packet of a connection (gopacket buffers it forever)', () => {
    const { asm, factory, pool } = setup(AT_ONCE);
    asm.assemble(s2c(555, '', { flags: RST | ACK, ack: 1 }));
    const s = factory.streams[0]!;
    expect(s.conn.endReason).toBe('reset');
    expect(s.completed).toBe(1);
    expect(pool.stats.connectionsOpen).toBe(0);
    expect(pool.stats.ended.reset).toBe(1);
  });

  it('out of order, ahead of missing data: buffered data is delivered over the gap, then the end', () => {
    const { asm, factory } = setup(AT_ONCE);
    handshake(asm, 0, 100);
    asm.assemble(c2s(11, 'later', { ack: 101 }));
    asm.assemble(c2s(30, '', { flags: RST, ack: 101 }));
    const s = factory.streams[0]!;
    expect(s.conn.endReason).toBe('reset');
    expect(s.bytes(0).toString()).toBe('later');
    expect(s.calls[0]!.skip).toBe(10);
    // The RST at 30 proves bytes 16..30 were sent too: the hole before it counts as missing.
    expect(s.calls.filter((c) => c.dir === 0).at(-1)!.skip).toBe(14);
    expect(s.conn.stats[0].missingBytes).toBe(24);
    expect(s.conn.stats[0].gaps).toBe(2);
    expect(asm.stats.bufferedPages).toBe(0);
  });
});

describe('tombstones and port reuse', () => {
  it('the last ACK after close creates no phantom connection; the tombstone expires with tc', () => {
    const { asm, factory, pool } = setup();
    handshake(asm, 0, 100, T0);
    asm.assemble(c2s(1, '', { flags: FIN | ACK, ack: 101, tsSec: T0 + 1 }));
    asm.assemble(s2c(101, '', { flags: FIN | ACK, ack: 2, tsSec: T0 + 1 }));
    asm.assemble(c2s(2, '', { flags: ACK, ack: 102, tsSec: T0 + 2 }));
    expect(pool.stats.connectionsCreated).toBe(1);
    expect(pool.stats.tombstones).toBe(1);
    asm.flushWithOptions({ t: T0 + 100, tc: T0 + 10 });
    expect(pool.stats.tombstones).toBe(0);
    expect(factory.streams[0]!.conn.endReason).toBe('closed');
  });

  it('a new SYN with a new ISN on the same 4-tuple is a new connection with its own id and reuse index', () => {
    const { asm, factory, pool } = setup();
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'first', { flags: FIN | ACK, ack: 101 }));
    asm.assemble(s2c(101, '', { flags: FIN | ACK, ack: 7 }));
    // Retransmitted old SYN: still the old connection's tombstone.
    asm.assemble(c2s(0, '', { flags: SYN }));
    expect(factory.streams).toHaveLength(1);
    handshake(asm, 9000, 200);
    asm.assemble(c2s(9001, 'second', { ack: 201 }));
    expect(factory.streams).toHaveLength(2);
    const [a, b] = factory.streams;
    expect(a!.bytes(0).toString()).toBe('first');
    expect(b!.bytes(0).toString()).toBe('second');
    expect([a!.conn.id, b!.conn.id]).toEqual([0, 1]);
    expect([a!.conn.reuseIndex, b!.conn.reuseIndex]).toEqual([0, 1]);
    expect(pool.stats.portReuses).toBe(1);
  });

  it('port reuse while the old connection is still open supersedes it', () => {
    const { asm, factory, pool } = setup();
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'old', { ack: 101 }));
    asm.assemble(c2s(50_000, '', { flags: SYN }));
    expect(factory.streams).toHaveLength(2);
    expect(factory.streams[0]!.conn.endReason).toBe('superseded');
    expect(factory.streams[1]!.conn.reuseIndex).toBe(1);
    expect(pool.stats.ended.superseded).toBe(1);
  });

  it('complete() returning false keeps the stream seeing late packets on the tombstone', () => {
    const { asm, factory } = setup(AT_ONCE);
    factory.configure = (s) => (s.completeReturns = false);
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, '', { flags: RST }));
    const s = factory.streams[0]!;
    const before = s.accepted;
    asm.assemble(s2c(101, '', { flags: ACK, ack: 1 }));
    expect(s.accepted).toBe(before + 1);
    expect(s.conn.stats[1].packetsAfterClose).toBe(1);
  });
});

describe('mid-stream pickup', () => {
  it('guesses the server as the well-known port, flags it, waits for a start until flushed (skip -1)', () => {
    const { asm, factory } = setup();
    // First packet seen: server to client (port 80 -> 40000).
    asm.assemble(s2c(5000, 'response', { ack: 100, tsSec: T0 }));
    asm.assemble(c2s(100, 'request', { ack: 5008, tsSec: T0 }));
    const s = factory.streams[0]!;
    expect(s.conn.midStream).toBe(true);
    expect(s.conn.serverGuessed).toBe(true);
    expect(s.conn.server.port).toBe(80);
    expect(s.calls).toHaveLength(0);
    asm.flushWithOptions({ t: T0 + 1 });
    expect(s.bytes(1).toString()).toBe('response');
    expect(s.bytes(0).toString()).toBe('request');
    expect(s.calls.map((c) => c.skip)).toEqual([-1, -1]);
    expect(s.conn.stats[0].startMissing).toBe(true);
    // Afterwards the direction is in order: the fast path.
    asm.assemble(c2s(107, 'more', { ack: 5008, tsSec: T0 + 2 }));
    expect(s.bytes(0).toString()).toBe('requestmore');
  });

  it('guesses the lower port when neither is well known', () => {
    const { asm, factory } = setup();
    asm.assemble(c2s(1, 'x', { sport: 50000, dport: 8080 }));
    expect(factory.streams[0]!.conn.server.port).toBe(8080);
    expect(factory.streams[0]!.conn.client.port).toBe(50000);
  });

  it('a stream may force the start at the first packet', () => {
    const { asm, factory } = setup();
    factory.configure = (s) => (s.forceStart = true);
    asm.assemble(c2s(100, 'abc'));
    asm.assemble(c2s(103, 'def'));
    expect(factory.streams[0]!.bytes(0).toString()).toBe('abcdef');
  });

  it('a reordered handshake arriving after the first packet decides the roles (nothing delivered yet)', () => {
    const { asm, factory, pool } = setup();
    // First packet: client data from a high port to another high port where the client has the lower port.
    asm.assemble(makeMid('10.0.0.1', '10.0.0.2', 2000, 3000, 1, 'hi'));
    let s = factory.streams[0]!;
    expect(s.conn.server.port).toBe(2000); // guessed wrong: the lower port
    asm.assemble(makeMid('10.0.0.1', '10.0.0.2', 2000, 3000, 0, '', SYN));
    s = factory.streams[0]!;
    expect(s.conn.client.port).toBe(2000);
    expect(s.conn.server.port).toBe(3000);
    expect(s.conn.serverGuessed).toBe(false);
    expect(s.conn.midStream).toBe(false);
    expect(s.bytes(0).toString()).toBe('hi');
    expect(pool.stats.midStreamPickups).toBe(0);
  });
});

function makeMid(src: string, dst: string, sport: number, dport: number, seq: number, payload: string, flags: number = ACK) {
  return c2s(seq, payload, { src, dst, sport, dport, flags });
}

describe('FIN', () => {
  it('a FIN that arrives before the data it follows closes only once that data is complete', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 100);
    asm.assemble(c2s(6, '', { flags: FIN | ACK, ack: 101 }));
    const s = factory.streams[0]!;
    expect(s.calls.some((c) => c.end)).toBe(false);
    asm.assemble(c2s(1, 'abcde', { ack: 101 }));
    expect(s.bytes(0).toString()).toBe('abcde');
    expect(s.calls.at(-1)!.end).toBe(true);
  });

  it('a FIN behind data that never comes closes the direction when flushed, with the gap as skip', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 100, T0);
    asm.assemble(c2s(6, '', { flags: FIN | ACK, ack: 101, tsSec: T0 }));
    const s = factory.streams[0]!;
    asm.flushWithOptions({ t: T0 + 1 });
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]).toMatchObject({ end: true, skip: 5 });
    expect(s.conn.stats[0].missingBytes).toBe(5);
  });
});

describe('flush by capture time', () => {
  it('t pushes out buffered data older than t; tc closes idle connections (separately)', () => {
    const { asm, factory, pool } = setup();
    handshake(asm, 0, 100, T0);
    asm.assemble(c2s(11, 'late', { ack: 101, tsSec: T0 + 5 }));
    const s = factory.streams[0]!;
    // t before the page's time: nothing happens.
    let r = asm.flushWithOptions({ t: T0 + 5 });
    expect(r).toEqual({ flushed: 0, closed: 0 });
    expect(s.calls).toHaveLength(0);
    r = asm.flushWithOptions({ t: T0 + 6, tc: T0 });
    expect(r).toEqual({ flushed: 1, closed: 0 });
    expect(s.bytes(0).toString()).toBe('late');
    expect(s.calls[0]!.skip).toBe(10);
    expect(s.conn.endReason).toBe(null);
    // tc after the last packet closes it as timed-out.
    r = asm.flushWithOptions({ t: T0 + 6, tc: T0 + 5.5 });
    expect(r.closed).toBe(1);
    expect(s.conn.endReason).toBe('timed-out');
    expect(pool.stats.ended.timedOut).toBe(1);
    expect(s.completed).toBe(1);
  });

  it('flushCloseOlderThan and flushAll deliver what is buffered and close with their reasons', () => {
    const { asm, factory, pool } = setup();
    handshake(asm, 0, 100, T0);
    asm.assemble(c2s(1, 'a', { sport: 1, flags: SYN, tsSec: T0 }));
    asm.assemble(c2s(11, 'x', { ack: 101, tsSec: T0 + 9 }));
    expect(asm.flushCloseOlderThan(T0 + 5)).toBe(1); // the sport 1 connection
    expect(factory.streams[1]!.conn.endReason).toBe('timed-out');
    expect(asm.flushAll()).toBe(1);
    expect(factory.streams[0]!.conn.endReason).toBe('open-at-end');
    expect(factory.streams[0]!.bytes(0).toString()).toBe('x');
    expect(pool.stats.connectionsOpen).toBe(0);
    expect(pool.stats.tombstones).toBe(0);
  });
});

describe('bounds', () => {
  it('per-connection page limit: the oldest gap is skipped and skip reports the bytes lost', () => {
    const { asm, factory } = setup({ pageSize: 64, maxBufferedPagesPerConnection: 4 });
    handshake(asm, 0, 100);
    // Gap at [1, 11); then 5 one-page segments.
    for (let i = 0; i < 5; i++) asm.assemble(c2s(11 + i * 10, String(i).repeat(10), { ack: 101 }));
    const s = factory.streams[0]!;
    expect(s.bytes(0).toString()).toBe('0000000000111111111122222222223333333333' + '4444444444');
    expect(s.calls[0]!.skip).toBe(10);
    expect(s.conn.stats[0].bytesSkippedByLimits).toBe(10);
    expect(s.conn.stats[0].missingBytes).toBe(10);
    expect(asm.stats.limitHitsPerConnection).toBe(1);
    expect(s.conn.stats[0].pagesPeak).toBeLessThanOrEqual(5 + 1);
  });

  it('total page limit across connections', () => {
    const { asm, factory } = setup({ pageSize: 64, maxBufferedPagesTotal: 3 });
    for (let c = 0; c < 3; c++) {
      asm.assemble(c2s(0, '', { sport: 1000 + c, flags: SYN }));
      asm.assemble(c2s(11, 'q', { sport: 1000 + c }));
    }
    expect(asm.stats.bufferedPages).toBe(3);
    asm.assemble(c2s(0, '', { sport: 2000, flags: SYN }));
    asm.assemble(c2s(21, 'z', { sport: 2000 }));
    expect(asm.stats.limitHitsTotal).toBe(1);
    expect(asm.stats.bufferedPages).toBe(3);
    expect(factory.streams[3]!.calls[0]!.skip).toBe(20);
    expect(asm.stats.bufferedPagesPeak).toBe(4);
  });

  it('open connections are bounded: the idlest is evicted', () => {
    const { asm, factory, pool } = setup({}, { maxConnections: 2 });
    asm.assemble(c2s(0, '', { sport: 1, flags: SYN }));
    asm.assemble(c2s(0, '', { sport: 2, flags: SYN }));
    asm.assemble(c2s(1, 'x', { sport: 1 }));
    asm.assemble(c2s(0, '', { sport: 3, flags: SYN }));
    expect(factory.streams.map((s) => s.conn.endReason)).toEqual([null, 'evicted', null]);
    expect(pool.stats.ended.evicted).toBe(1);
    expect(pool.stats.connectionsPeakOpen).toBe(2);
  });

  it('tombstones are bounded', () => {
    const { asm, pool } = setup(AT_ONCE, { maxTombstones: 2 });
    for (let i = 0; i < 5; i++) asm.assemble(c2s(0, '', { sport: 100 + i, flags: RST }));
    expect(pool.stats.tombstones).toBe(2);
    expect(pool.stats.tombstonesExpired).toBe(3);
  });
});
