import { describe, expect, it } from 'vitest';
import { ACK, c2s, FIN, handshake, PSH, s2c, setup, SYN } from '../../test/support/engine-helpers.js';

describe('in-order delivery after a handshake', () => {
  it('delivers both directions, decides roles by SYN, completes on FIN both ways', () => {
    const { factory, asm, pool } = setup();
    handshake(asm, 1000, 5000);
    asm.assemble(c2s(1001, 'GET / HTTP/1.1\r\n\r\n', { flags: ACK | PSH, ack: 5001 }));
    asm.assemble(s2c(5001, 'HTTP/1.1 200 OK\r\n\r\nhello', { flags: ACK | PSH, ack: 1019 }));
    asm.assemble(c2s(1019, '', { flags: FIN | ACK, ack: 5025 }));
    asm.assemble(s2c(5025, '', { flags: FIN | ACK, ack: 1020 }));
    asm.assemble(c2s(1020, '', { flags: ACK, ack: 5026 }));
    expect(factory.streams).toHaveLength(1);
    const s = factory.streams[0]!;
    expect(s.bytes(0).toString()).toBe('GET / HTTP/1.1\r\n\r\n');
    expect(s.bytes(1).toString()).toBe('HTTP/1.1 200 OK\r\n\r\nhello');
    expect(s.conn.endReason).toBe('closed');
    expect(s.conn.midStream).toBe(false);
    expect(s.conn.serverGuessed).toBe(false);
    expect(s.conn.server.port).toBe(80);
    expect(s.completed).toBe(1);
    expect(s.calls[0]!.start).toBe(true);
    expect(s.calls[0]!.skip).toBe(0);
    expect(s.calls[0]!.seq).toBe(1001);
    expect(s.calls.filter((c) => c.end).map((c) => c.dir)).toEqual([0, 1]);
    // The last ACK hits the tombstone: no phantom connection.
    expect(pool.stats.connectionsCreated).toBe(1);
    expect(pool.stats.packetsToTombstones).toBe(1);
    expect(s.conn.stats[0].bytes).toBe(18);
    expect(s.conn.isn(0)).toBe(1000);
    expect(s.conn.isn(1)).toBe(5000);
  });

  it('decides roles from a SYN-ACK seen first (server is its source)', () => {
    const { factory, asm } = setup();
    asm.assemble(s2c(5000, '', { flags: SYN | ACK, ack: 1001 }));
    asm.assemble(c2s(1001, 'abc', { ack: 5001 }));
    const s = factory.streams[0]!;
    expect(s.conn.server.port).toBe(80);
    expect(s.conn.serverGuessed).toBe(false);
    // The client direction started at the SYN-ACK's ack although the client's SYN was not captured.
    expect(s.bytes(0).toString()).toBe('abc');
    expect(s.calls[0]!.skip).toBe(0);
  });

  it('numbers connections in order of first packet', () => {
    const { factory, asm } = setup();
    for (let i = 0; i < 5; i++) asm.assemble(c2s(100 * i, '', { flags: SYN, sport: 1000 + i }));
    asm.assemble(c2s(1, 'x', { sport: 1002 }));
    expect(factory.streams.map((s) => s.conn.id)).toEqual([0, 1, 2, 3, 4]);
    expect(factory.streams.map((s) => s.conn.client.port)).toEqual([1000, 1001, 1002, 1003, 1004]);
  });

  it('delivers a SYN payload (TCP Fast Open) in order', () => {
    const { factory, asm } = setup();
    asm.assemble(c2s(7000, 'early', { flags: SYN }));
    asm.assemble(c2s(7006, 'late'));
    expect(factory.streams[0]!.bytes(0).toString()).toBe('earlylate');
    expect(factory.streams[0]!.calls[0]!.start).toBe(true);
  });

  it('counts a repeated SYN once as a retransmission and delivers its payload once', () => {
    const { factory, asm } = setup();
    asm.assemble(c2s(7000, 'ab', { flags: SYN }));
    asm.assemble(c2s(7000, 'ab', { flags: SYN }));
    asm.assemble(c2s(7003, 'cd'));
    const s = factory.streams[0]!;
    expect(s.bytes(0).toString()).toBe('abcd');
    expect(s.conn.stats[0].syn).toBe(2);
    expect(s.conn.stats[0].synRetransmits).toBe(1);
    expect(s.conn.stats[0].retransmittedPackets).toBe(1);
    expect(factory.streams).toHaveLength(1);
  });

  it('delivers data carried by a FIN and ends the direction with it', () => {
    const { factory, asm } = setup();
    handshake(asm, 0, 0);
    asm.assemble(c2s(1, 'bye', { flags: FIN | ACK, ack: 1 }));
    const s = factory.streams[0]!;
    expect(s.bytes(0).toString()).toBe('bye');
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]!.end).toBe(true);
    // Data after the FIN in that direction is not delivered.
    asm.assemble(c2s(5, 'zzz', { ack: 1 }));
    expect(s.bytes(0).toString()).toBe('bye');
    expect(s.conn.stats[0].packetsAfterClose).toBe(1);
  });

  it('counts keep-alives (0 and 1 byte at nextSeq - 1) without delivering or conflicting', () => {
    const { factory, asm } = setup();
    handshake(asm, 100, 200);
    asm.assemble(c2s(101, 'hello', { ack: 201 }));
    asm.assemble(c2s(105, '', { ack: 201 }));
    asm.assemble(c2s(105, 'Z', { ack: 201 }));
    asm.assemble(c2s(106, '!', { ack: 201 }));
    const s = factory.streams[0]!;
    expect(s.bytes(0).toString()).toBe('hello!');
    expect(s.conn.stats[0].keepAlives).toBe(2);
    expect(s.conn.stats[0].conflicts).toBe(0);
    expect(s.conn.stats[0].retransmittedPackets).toBe(0);
  });

  it('counts zero-window probes and delivers the probe byte once', () => {
    const { factory, asm } = setup();
    handshake(asm, 100, 200);
    asm.assemble(c2s(101, 'abc', { ack: 201 }));
    asm.assemble(s2c(201, '', { ack: 104, window: 0 }));
    asm.assemble(c2s(104, 'd', { ack: 201 }));
    asm.assemble(c2s(104, 'd', { ack: 201 }));
    asm.assemble(s2c(201, '', { ack: 104, window: 1000 }));
    asm.assemble(c2s(104, 'def', { ack: 201 }));
    const s = factory.streams[0]!;
    expect(s.bytes(0).toString()).toBe('abcdef');
    expect(s.conn.stats[0].windowProbes).toBe(2);
    expect(s.conn.stats[0].keepAlives).toBe(0);
    expect(s.conn.stats[1].zeroWindows).toBe(1);
  });

  it('dump() lists open connections, their directions and queued pages', () => {
    const { asm } = setup();
    handshake(asm, 0, 100);
    asm.assemble(c2s(11, 'later', { recordNumber: 42 }));
    const text = asm.dump();
    expect(text).toContain('#0 10.0.0.1:40000 -> 10.0.0.2:80');
    expect(text).toContain('dir 0: nextSeq=1');
    expect(text).toContain('page seq=11 len=5 record=42');
  });
});
