import { describe, expect, it } from 'vitest';
import { ACK, c2s, FIN, s2c, setup, SYN } from '../../test/support/engine-helpers.js';

describe('data on a SYN (TCP Fast Open) is delivered only when the receiver took it', () => {
  it('the SYN-ACK acknowledges the data: one connection, the data at the start of the stream', () => {
    // suricata-verify tcp-fastopen-13: 86 bytes on the SYN, the SYN-ACK acknowledges ISN + 87.
    const { asm, factory, pool } = setup();
    asm.assemble(c2s(1000, 'GET / HTTP/1.1\r\n', { flags: SYN }));
    asm.assemble(s2c(5000, '', { flags: SYN | ACK, ack: 1017 }));
    asm.assemble(c2s(1017, 'Host: x\r\n', { ack: 5001 }));
    asm.assemble(s2c(5001, 'HTTP/1.1 200 OK\r\n', { ack: 1026 }));
    const s = factory.streams[0]!;
    expect(pool.stats.connectionsCreated).toBe(1);
    expect(s.bytes(0).toString()).toBe('GET / HTTP/1.1\r\nHost: x\r\n');
    expect(s.bytes(1).toString()).toBe('HTTP/1.1 200 OK\r\n');
    const st = s.conn.stats[0];
    expect(st.synDataBytes).toBe(16);
    expect(st.synDataRefused).toBe(0);
    // Held, not out of order.
    expect(st.queuedBytes).toBe(0);
    expect(s.calls[0]!.start).toBe(true);
  });

  it('the SYN-ACK acknowledges only the SYN: the data was dropped; its retransmission appears once', () => {
    const { asm, factory } = setup();
    asm.assemble(c2s(1000, 'hello', { flags: SYN }));
    asm.assemble(s2c(5000, '', { flags: SYN | ACK, ack: 1001 }));
    asm.assemble(c2s(1001, 'hello', { ack: 5001 }));
    asm.flushAll();
    const s = factory.streams[0]!;
    expect(s.bytes(0).toString()).toBe('hello');
    expect(s.conn.stats[0].synDataRefused).toBe(5);
    expect(s.conn.stats[0].synDataBytes).toBe(0);
    expect(s.conn.stats[0].retransmittedPackets).toBe(0);
  });

  it('without the SYN-ACK in the capture, the sender\'s next segment tells: after the data, it was taken', () => {
    const { asm, factory } = setup();
    asm.assemble(c2s(1000, 'abc', { flags: SYN }));
    asm.assemble(c2s(1004, 'def', { ack: 5001 }));
    asm.flushAll();
    expect(factory.streams[0]!.bytes(0).toString()).toBe('abcdef');
    expect(factory.streams[0]!.conn.stats[0].synDataBytes).toBe(3);
  });

  it('with nothing after the SYN, its data is delivered at the end, without a hole before it', () => {
    const { asm, factory } = setup();
    asm.assemble(c2s(1000, 'lonely', { flags: SYN }));
    asm.flushAll();
    const s = factory.streams[0]!;
    expect(s.bytes(0).toString()).toBe('lonely');
    expect(s.conn.stats[0].startMissing).toBe(false);
    expect(s.conn.stats[0].missingBytes).toBe(0);
  });
});

describe('simultaneous open: two SYNs crossing are one connection', () => {
  it('SYN, SYN, SYN-ACK, SYN-ACK, then data both ways', () => {
    const { asm, factory, pool } = setup();
    asm.assemble(c2s(1000, '', { flags: SYN }));
    asm.assemble(s2c(5000, '', { flags: SYN }));
    asm.assemble(c2s(1000, '', { flags: SYN | ACK, ack: 5001 }));
    asm.assemble(s2c(5000, '', { flags: SYN | ACK, ack: 1001 }));
    asm.assemble(c2s(1001, 'ping', { ack: 5001 }));
    asm.assemble(s2c(5001, 'pong', { ack: 1005 }));
    asm.assemble(c2s(1005, '', { flags: FIN | ACK, ack: 5005 }));
    asm.assemble(s2c(5005, '', { flags: FIN | ACK, ack: 1006 }));
    const s = factory.streams[0]!;
    expect(pool.stats.connectionsCreated).toBe(1);
    expect(s.conn.client.port).toBe(40000);
    expect(s.bytes(0).toString()).toBe('ping');
    expect(s.bytes(1).toString()).toBe('pong');
    expect(s.conn.endReason).toBe('closed');
  });

  it('SYNs carrying data on both sides (suricata-verify util-action-10) stay one connection', () => {
    const { asm, pool, factory } = setup();
    asm.assemble(c2s(0, 'client-hi', { flags: SYN }));
    asm.assemble(s2c(0, 'server-hi', { flags: SYN }));
    asm.flushAll();
    expect(pool.stats.connectionsCreated).toBe(1);
    expect(factory.streams[0]!.bytes(0).toString()).toBe('client-hi');
    expect(factory.streams[0]!.bytes(1).toString()).toBe('server-hi');
  });
});

describe('a FIN with a hole before it proves the bytes existed', () => {
  it('the hole counts as missing at the end (2,400 bytes before a FIN)', () => {
    const { asm, factory } = setup();
    asm.assemble(c2s(1000, '', { flags: SYN }));
    asm.assemble(s2c(5000, '', { flags: SYN | ACK, ack: 1001 }));
    asm.assemble(c2s(1001, 'abc', { ack: 5001 }));
    asm.assemble(c2s(3404, '', { flags: FIN | ACK, ack: 5001 }));
    asm.flushAll();
    const st = factory.streams[0]!.conn.stats[0];
    expect(st.missingBytes).toBe(2400);
    expect(st.gaps).toBe(1);
    expect(factory.streams[0]!.bytes(0).toString()).toBe('abc');
  });
});
