import { describe, expect, it } from 'vitest';
import { ACK, c2s, FIN, handshake, RST, s2c, setup, SYN } from '../../test/support/engine-helpers.js';

const T0 = 1_700_000_000;

describe("rstPolicy 'evidence' (default): an in-window RST ends the connection only if the receiver stops", () => {
  it('the receiver acknowledges data sent after the RST: not taken, the data is part of the stream, the RST listed', () => {
    // suricata-verify security-4710-02: the client resets, sends 54 bytes, the server acknowledges them.
    const { asm, factory } = setup();
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, '', { flags: RST | ACK, ack: 101, recordNumber: 7, fileOffset: 700 }));
    const s = factory.streams[0]!;
    expect(s.conn.endReason).toBeNull();
    asm.assemble(c2s(1, 'after the reset', { ack: 101, recordNumber: 8 }));
    // Held until the evidence: nothing delivered yet.
    expect(s.bytes(0).toString()).toBe('');
    asm.assemble(s2c(101, '', { ack: 16, recordNumber: 9 }));
    expect(s.bytes(0).toString()).toBe('after the reset');
    asm.assemble(s2c(101, 'reply', { ack: 16, recordNumber: 10 }));
    expect(s.bytes(1).toString()).toBe('reply');
    const st = s.conn.stats[0];
    expect(st.rst).toBe(1);
    expect(st.rstNotTaken).toBe(1);
    expect(st.rstIgnored).toBe(0);
    expect(s.conn.suspiciousRsts).toBe(1);
    expect(s.conn.suspiciousRstRecords.map((r) => [r.kind, r.recordNumber, r.fileOffset, r.evidenceRecord])).toEqual([['not-taken', 7, 700, 9]]);
    asm.flushAll();
    expect(s.conn.endReason).toBe('open-at-end');
    expect(st.packetsAfterClose).toBe(0);
  });

  it('the receiver answers with its own RST: taken; what came after is not delivered and counts after the close', () => {
    // Zeek rst-inject-rae.pcap, records 7-9: the server resets, the client sends 150 bytes, the server resets again.
    const { asm, factory, pool } = setup();
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'first', { ack: 101 }));
    asm.assemble(s2c(101, '', { ack: 6 }));
    asm.assemble(s2c(101, '', { flags: RST | ACK, ack: 6, tsSec: T0 + 1 }));
    asm.assemble(c2s(6, 'x'.repeat(150), { ack: 101, tsSec: T0 + 2 }));
    asm.assemble(s2c(101, '', { flags: RST, tsSec: T0 + 3 }));
    const s = factory.streams[0]!;
    expect(s.conn.endReason).toBe('reset');
    expect(s.bytes(0).toString()).toBe('first');
    expect(s.conn.stats[0].packetsAfterClose).toBe(1);
    expect(s.conn.stats[1].rstNotTaken).toBe(0);
    // The connection ended at the first RST.
    expect(s.conn.lastTsSec).toBe(T0 + 1);
    expect(pool.stats.ended.reset).toBe(1);
    expect(asm.stats.bufferedPages).toBe(0);
  });

  it('the same sender repeating its RST with nothing in between proves nothing: still pending', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 100);
    asm.assemble(s2c(101, '', { flags: RST | ACK, ack: 1 }));
    asm.assemble(s2c(101, '', { flags: RST | ACK, ack: 1 }));
    expect(factory.streams[0]!.conn.endReason).toBeNull();
    asm.assemble(c2s(1, 'on', { ack: 101 }));
    asm.assemble(s2c(101, '', { ack: 3 }));
    expect(factory.streams[0]!.bytes(0).toString()).toBe('on');
    expect(factory.streams[0]!.conn.stats[1].rstNotTaken).toBe(1);
  });

  it('an acknowledgement that does not go past the RST is no evidence; the end of the capture takes it', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'abc', { ack: 101 }));
    asm.assemble(c2s(4, '', { flags: RST, ack: 101 }));
    asm.assemble(s2c(101, '', { ack: 4 }));
    asm.assemble(c2s(4, 'late', { ack: 101 }));
    const s = factory.streams[0]!;
    expect(s.conn.endReason).toBeNull();
    asm.flushAll();
    expect(s.conn.endReason).toBe('reset');
    expect(s.bytes(0).toString()).toBe('abc');
    // The pure ACK and the late data came while the RST was pending: after the close.
    expect(s.conn.stats[0].packetsAfterClose).toBe(1);
    expect(s.conn.stats[1].packetsAfterClose).toBe(1);
  });

  it('a new SYN on the 4-tuple takes the pending RST and starts the next connection', () => {
    const { asm, factory, pool } = setup();
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, '', { flags: RST, ack: 101 }));
    asm.assemble(c2s(5000, '', { flags: SYN, tsSec: T0 + 1 }));
    expect(factory.streams[0]!.conn.endReason).toBe('reset');
    expect(pool.stats.connectionsCreated).toBe(2);
    expect(pool.stats.portReuses).toBe(1);
  });

  it('rstEvidenceSec (5 s) after the RST with no evidence, the next packet of any connection takes it', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, '', { flags: RST, ack: 101 }));
    asm.assemble(c2s(1, '', { sport: 41000, flags: SYN, tsSec: T0 + 4 }));
    expect(factory.streams[0]!.conn.endReason).toBeNull();
    asm.assemble(c2s(1, '', { sport: 41000, flags: SYN, tsSec: T0 + 6 }));
    expect(factory.streams[0]!.conn.endReason).toBe('reset');
  });

  it('a flush past the RST takes it (the flush time bounds the wait)', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, '', { flags: RST, ack: 101 }));
    asm.flushWithOptions({ t: T0 - 1 });
    expect(factory.streams[0]!.conn.endReason).toBeNull();
    asm.flushWithOptions({ t: T0 + 1 });
    expect(factory.streams[0]!.conn.endReason).toBe('reset');
  });

  it('data from the RST sender below the RST, arriving later (reordered), was sent before it: delivered', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'abc', { ack: 101 }));
    asm.assemble(c2s(7, '', { flags: RST, ack: 101 }));
    asm.assemble(c2s(4, 'def', { ack: 101 }));
    asm.flushAll();
    const s = factory.streams[0]!;
    expect(s.bytes(0).toString()).toBe('abcdef');
    expect(s.conn.stats[0].missingBytes).toBe(0);
    expect(s.conn.endReason).toBe('reset');
  });

  it('a hole before the RST that nothing fills counts as missing', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'abc', { ack: 101 }));
    asm.assemble(c2s(2404, '', { flags: RST, ack: 101 }));
    asm.flushAll();
    const st = factory.streams[0]!.conn.stats[0];
    expect(st.missingBytes).toBe(2400);
    expect(st.gaps).toBe(1);
  });

  it('payload on an RST is counted and never delivered', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'abc', { ack: 101 }));
    asm.assemble(s2c(101, 'diagnostic text', { flags: RST | ACK, ack: 4 }));
    asm.flushAll();
    const s = factory.streams[0]!;
    expect(s.bytes(1).toString()).toBe('');
    expect(s.conn.stats[1].rstPayloadBytes).toBe(15);
  });
});

describe('an RST in SYN-SENT must acknowledge the SYN (RFC 9293)', () => {
  it('one that does not is ignored and listed; the real handshake goes on in the same connection', () => {
    // Zeek rst-inject-rae.pcap, records 1-3: SYN, then RST|ACK acknowledging the ISN itself, then the SYN-ACK.
    const { asm, factory, pool } = setup();
    asm.assemble(c2s(1000, '', { flags: SYN }));
    asm.assemble(s2c(0, '', { flags: RST | ACK, ack: 1000, recordNumber: 2 }));
    asm.assemble(s2c(5000, '', { flags: SYN | ACK, ack: 1001 }));
    asm.assemble(c2s(1001, 'hello', { ack: 5001 }));
    const s = factory.streams[0]!;
    expect(pool.stats.connectionsCreated).toBe(1);
    expect(s.conn.endReason).toBeNull();
    expect(s.bytes(0).toString()).toBe('hello');
    expect(s.conn.stats[1].rstIgnored).toBe(1);
    expect(s.conn.suspiciousRstRecords.map((r) => [r.kind, r.recordNumber, r.expected])).toEqual([['not-acknowledging-syn', 2, 1001]]);
  });

  it('one that acknowledges the SYN is a refusal: the connection ends reset', () => {
    const { asm, factory } = setup();
    asm.assemble(c2s(1000, '', { flags: SYN }));
    asm.assemble(s2c(0, '', { flags: RST | ACK, ack: 1001 }));
    asm.flushAll();
    expect(factory.streams[0]!.conn.endReason).toBe('reset');
    expect(factory.streams[0]!.conn.stats[1].rstIgnored).toBe(0);
  });
});

describe('an RST from the side in SYN-SENT answering an unacceptable ACK (RFC 9293 3.10.7.3)', () => {
  it('does not end its attempt: the retransmitted SYN, the SYN-ACK and the data are one connection', () => {
    // suricata-verify tls-subjectaltname, port 59819: SYN, a stray ACK from old state, RST <SEQ=SEG.ACK>, SYN again.
    const { asm, factory, pool } = setup();
    asm.assemble(c2s(1000, '', { flags: SYN }));
    asm.assemble(s2c(777777, '', { flags: ACK, ack: 123456 }));
    asm.assemble(c2s(123456, '', { flags: RST }));
    asm.assemble(c2s(1000, '', { flags: SYN, tsSec: T0 + 3 }));
    asm.assemble(s2c(5000, '', { flags: SYN | ACK, ack: 1001, tsSec: T0 + 3 }));
    asm.assemble(c2s(1001, 'req', { ack: 5001, tsSec: T0 + 3 }));
    asm.assemble(s2c(5001, 'resp', { ack: 1004, tsSec: T0 + 3 }));
    const s = factory.streams[0]!;
    expect(pool.stats.connectionsCreated).toBe(1);
    expect(s.bytes(0).toString()).toBe('req');
    // The stray ACK started nothing: the SYN-ACK starts the server's direction.
    expect(s.bytes(1).toString()).toBe('resp');
    expect(s.conn.stats[0].rst).toBe(1);
    expect(s.conn.stats[0].missingBytes).toBe(0);
    expect(s.conn.endReason).toBeNull();
  });
});

describe('a segment with SYN and RST set is an RST (RFC 9293 checks RST first)', () => {
  it('never starts a new connection; in the window it waits for evidence like any RST', () => {
    // suricata-verify transform-base64-7296 record 36: every flag set, the conversation goes on after it.
    const { asm, factory, pool } = setup();
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'req', { ack: 101 }));
    asm.assemble(s2c(101, '', { flags: SYN | RST | ACK | FIN, ack: 4 }));
    asm.assemble(c2s(4, 'more', { ack: 101 }));
    asm.assemble(s2c(101, 'resp', { ack: 8 }));
    asm.flushAll();
    expect(pool.stats.connectionsCreated).toBe(1);
    const s = factory.streams[0]!;
    expect(s.bytes(0).toString()).toBe('reqmore');
    expect(s.bytes(1).toString()).toBe('resp');
    expect(s.conn.stats[1].rstNotTaken).toBe(1);
  });
});

describe('RFC 5961: an RST not at the next expected sequence number is challenged', () => {
  it('mid-stream pickup, one-way capture: a forged RST inside the assumed window, the sender goes on: not taken, nothing lost', () => {
    const { asm, factory } = setup();
    factory.configure = (st) => (st.forceStart = true); // the pass starts a direction picked up mid-stream
    // Only client-to-server traffic is captured, picked up mid-stream: the window is assumed.
    asm.assemble(c2s(5000, 'one ', { ack: 9000, recordNumber: 1 }));
    asm.assemble(c2s(5004, 'two ', { ack: 9000, recordNumber: 2 }));
    // 1 MB ahead of the next byte: inside the assumed 16 MiB window, not the next expected (5008).
    asm.assemble(c2s(5008 + 1_000_000, '', { flags: RST | ACK, ack: 9000, recordNumber: 3 }));
    asm.assemble(c2s(5008, 'three', { ack: 9000, recordNumber: 4 }));
    asm.flushAll();
    const s = factory.streams[0]!;
    expect(s.bytes(0).toString()).toBe('one two three');
    expect(s.conn.endReason).toBe('open-at-end');
    expect(s.conn.stats[0].rstNotTaken).toBe(1);
    // Decided at the end: the sender's data after the RST never reached it (-1: no single record showed it).
    expect(s.conn.suspiciousRstRecords.map((r) => [r.kind, r.recordNumber, r.evidenceRecord])).toEqual([['not-taken', 3, -1]]);
  });

  it('an RST at exactly the next sequence number, the sender going on with nothing acknowledged: taken (the receiver resets)', () => {
    const { asm, factory } = setup();
    factory.configure = (st) => (st.forceStart = true);
    asm.assemble(c2s(5000, 'one ', { ack: 9000 }));
    asm.assemble(c2s(5004, '', { flags: RST | ACK, ack: 9000 }));
    asm.assemble(c2s(5004, 'after', { ack: 9000 }));
    asm.flushAll();
    const s = factory.streams[0]!;
    expect(s.bytes(0).toString()).toBe('one ');
    expect(s.conn.endReason).toBe('reset');
    expect(s.conn.stats[0].rstNotTaken).toBe(0);
  });

  it('a challenged RST with nothing after it from its sender: taken when the evidence time passes', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'abc', { ack: 101, tsSec: T0 }));
    asm.assemble(c2s(50, '', { flags: RST, ack: 101, tsSec: T0 }));
    asm.assemble(s2c(101, '', { ack: 4, tsSec: T0 })); // the challenge ACK: no evidence either way
    asm.assemble(c2s(1, 'abc', { ack: 101, tsSec: T0 + 1 })); // a retransmission below the RST: sent before it
    asm.flushAll();
    const s = factory.streams[0]!;
    expect(s.conn.endReason).toBe('reset');
    expect(s.bytes(0).toString()).toBe('abc');
  });
});

describe('a one-way capture: an RST from the direction never seen', () => {
  /** Client data every 200 ms, one RST "from the server" after the tenth segment, then `after` more segments. */
  function oneWay(after: number) {
    const r = setup();
    r.factory.configure = (st) => (st.forceStart = true);
    let seq = 1000;
    const at = (i: number) => ({ tsSec: T0 + Math.floor(i / 5), tsNsec: (i % 5) * 200_000_000 });
    for (let i = 0; i < 10 + after; i++, seq += 100) {
      r.asm.assemble(c2s(seq, 'x'.repeat(100), { ack: 5000, ...at(i), recordNumber: i + 1 }));
      if (i === 9) r.asm.assemble(s2c(5000, '', { flags: RST | ACK, ack: seq + 100, ...at(i), recordNumber: 100 }));
    }
    r.asm.flushAll();
    return r.factory.streams[0]!;
  }

  it('its target sends new data a second after it: not taken, nothing lost, the RST listed with that record', () => {
    const s = oneWay(10);
    expect(s.conn.endReason).toBe('open-at-end');
    expect(s.bytes(0).length).toBe(2000);
    expect(s.conn.stats[1].rstNotTaken).toBe(1);
    expect(s.conn.suspiciousRstRecords[0]).toMatchObject({ kind: 'not-taken', recordNumber: 100, evidenceRecord: 15 });
  });

  it('data within a second of it may have been in flight: proves nothing, the RST is taken', () => {
    const s = oneWay(4);
    expect(s.conn.endReason).toBe('reset');
    expect(s.bytes(0).length).toBe(1000);
    expect(s.conn.stats[0].packetsAfterClose).toBe(4);
  });
});
