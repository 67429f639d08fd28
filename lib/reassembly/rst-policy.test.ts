import { describe, expect, it } from 'vitest';
import { ACK, c2s, FIN, handshake, RST, s2c, setup, SYN } from '../../test/support/engine-helpers.js';

const T0 = 1_700_000_000;
const BLIND = 0x40000000; // 2^30: far outside any window

/** The window check alone, the RST taking effect at once (the default, 'evidence', adds the wait: rst-evidence.test.ts). */
const IN_WINDOW = { rstPolicy: 'in-window' } as const;

describe("rstPolicy 'in-window': an RST the receiver would drop does not end the connection", () => {
  it('a blind RST mid-data is ignored, counted and listed; the data after it is delivered', () => {
    const { asm, factory, pool } = setup(IN_WINDOW);
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'abc', { ack: 101 }));
    asm.assemble(s2c(101 + BLIND, '', { flags: RST | ACK, ack: 4, recordNumber: 7, fileOffset: 900, tsNsec: 5 }));
    const s = factory.streams[0]!;
    expect(s.conn.endReason).toBeNull();
    expect(s.completed).toBe(0);
    asm.assemble(c2s(4, 'def', { ack: 101 }));
    asm.assemble(s2c(101, 'ok', { ack: 7 }));
    expect(s.bytes(0).toString()).toBe('abcdef');
    expect(s.bytes(1).toString()).toBe('ok');
    const st = s.conn.stats[1];
    expect(st.rst).toBe(1);
    expect(st.rstIgnored).toBe(1);
    expect(s.conn.stats[0].rstIgnored).toBe(0);
    expect(s.conn.suspiciousRsts).toBe(1);
    expect(s.conn.suspiciousRstRecords.map((r) => ({ ...r }))).toEqual([
      { direction: 1, seq: 101 + BLIND, expected: 101, window: 65535, tsSec: T0, tsNsec: 5, recordNumber: 7, fileOffset: 900, kind: 'outside-window', evidenceRecord: 0 },
    ]);
    expect(s.conn.stats[0].packetsAfterClose).toBe(0);
    expect(pool.stats.ended.reset).toBe(0);
    // The connection ends normally later.
    asm.assemble(c2s(7, '', { flags: FIN | ACK, ack: 103 }));
    asm.assemble(s2c(103, '', { flags: FIN | ACK, ack: 8 }));
    expect(s.conn.endReason).toBe('closed');
  });

  it('a blind RST far behind nextSeq is ignored too', () => {
    const { asm, factory } = setup(IN_WINDOW);
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'abc', { ack: 101 }));
    asm.assemble(c2s((4 - BLIND) >>> 0, '', { flags: RST }));
    const s = factory.streams[0]!;
    expect(s.conn.endReason).toBeNull();
    expect(s.conn.stats[0].rstIgnored).toBe(1);
    expect(s.conn.suspiciousRstRecords[0]!.expected).toBe(4);
  });

  it('an ignored RST|ACK does not act as an acknowledgement (its ack releases no delivered-data window)', () => {
    const { asm, factory } = setup(IN_WINDOW);
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'abc', { ack: 101 }));
    asm.assemble(s2c(101 + BLIND, '', { flags: RST | ACK, ack: 4 }));
    // Still unacknowledged, so the window still holds 'abc': a changed copy is a conflict, not an unchecked overlap.
    asm.assemble(c2s(1, 'abX', { ack: 101 }));
    const st = factory.streams[0]!.conn.stats[0];
    expect(st.conflicts).toBe(1);
    expect(st.conflictChecksImpossible).toBe(0);
  });

  it('an RST at exactly nextSeq ends the connection in both directions', () => {
    const { asm, factory, pool } = setup(IN_WINDOW);
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'abc', { ack: 101 }));
    asm.assemble(s2c(101, '', { flags: RST | ACK, ack: 4 }));
    const s = factory.streams[0]!;
    expect(s.conn.endReason).toBe('reset');
    expect(s.completed).toBe(1);
    expect(s.conn.stats[1].rst).toBe(1);
    expect(s.conn.stats[1].rstIgnored).toBe(0);
    expect(s.conn.suspiciousRsts).toBe(0);
    asm.assemble(c2s(4, 'def', { ack: 101 }));
    expect(s.bytes(0).toString()).toBe('abc');
    expect(s.conn.stats[0].packetsAfterClose).toBe(1);
    expect(pool.stats.packetsToTombstones).toBe(1);
  });

  it('an RST out of order but in the window ends the connection now: buffered data goes out over the gap', () => {
    const { asm, factory } = setup(IN_WINDOW);
    handshake(asm, 0, 100);
    asm.assemble(c2s(11, 'later', { ack: 101 }));
    asm.assemble(c2s(1000, '', { flags: RST, ack: 101 }));
    const s = factory.streams[0]!;
    expect(s.conn.endReason).toBe('reset');
    expect(s.bytes(0).toString()).toBe('later');
    expect(s.calls[0]!.skip).toBe(10);
    expect(s.conn.stats[0].rstIgnored).toBe(0);
  });

  it('an RST as the first packet of a connection ends it (no next sequence number to check against)', () => {
    const { asm, factory, pool } = setup(IN_WINDOW);
    asm.assemble(s2c(555, '', { flags: RST | ACK, ack: 1 }));
    const s = factory.streams[0]!;
    expect(s.conn.endReason).toBe('reset');
    expect(pool.stats.ended.reset).toBe(1);
    expect(s.conn.suspiciousRsts).toBe(0);
  });

  it('an RST from a direction that has sent nothing yet ends the connection whatever its sequence number', () => {
    const { asm, factory } = setup(IN_WINDOW);
    asm.assemble(c2s(0, '', { flags: SYN }));
    // Mid-handshake, the server's direction has no nextSeq: an RST|ACK refusing the SYN.
    asm.assemble(s2c(123456789, '', { flags: RST | ACK, ack: 1 }));
    expect(factory.streams[0]!.conn.endReason).toBe('reset');
  });

  it('the window is scaled when both SYNs carried the option', () => {
    const run = (serverScale: number, clientScale: number, rstOffset: number) => {
      const { asm, factory } = setup(IN_WINDOW);
      asm.assemble(c2s(0, '', { flags: SYN, windowScale: clientScale }));
      asm.assemble(s2c(100, '', { flags: SYN | ACK, ack: 1, windowScale: serverScale }));
      // The server (receiver of the client's RST) advertises 1000 units: 128000 bytes with scale 7.
      asm.assemble(s2c(101, '', { ack: 1, window: 1000 }));
      asm.assemble(c2s(1 + rstOffset, '', { flags: RST }));
      const c = factory.streams[0]!.conn;
      return { end: c.endReason, ignored: c.stats[0].rstIgnored, window: c.suspiciousRstRecords[0]?.window };
    };
    expect(run(7, 2, 100_000)).toEqual({ end: 'reset', ignored: 0, window: undefined });
    expect(run(7, 2, 128_000)).toEqual({ end: 'reset', ignored: 0, window: undefined });
    expect(run(7, 2, 128_001)).toEqual({ end: null, ignored: 1, window: 128_000 });
    // The client's SYN had no option: no scaling either way, 1000 bytes.
    expect(run(7, -1, 1000)).toEqual({ end: 'reset', ignored: 0, window: undefined });
    expect(run(7, -1, 100_000)).toEqual({ end: null, ignored: 1, window: 1000 });
  });

  it('a zero window accepts the RST only at nextSeq', () => {
    const run = (off: number) => {
      const { asm, factory } = setup(IN_WINDOW);
      handshake(asm, 0, 100);
      asm.assemble(s2c(101, '', { ack: 1, window: 0 }));
      asm.assemble(c2s(1 + off, '', { flags: RST }));
      return factory.streams[0]!.conn.endReason;
    };
    expect(run(0)).toBe('reset');
    expect(run(1)).toBeNull();
  });

  it('an unknown window (handshake not captured) uses rstUnknownWindow', () => {
    const run = (off: number, rstUnknownWindow?: number) => {
      const { asm, factory } = setup(rstUnknownWindow === undefined ? IN_WINDOW : { ...IN_WINDOW, rstUnknownWindow });
      factory.configure = (s) => {
        s.forceStart = true;
      };
      asm.assemble(c2s(5000, 'abc', { ack: 9000 }));
      asm.assemble(s2c(9000, '', { ack: 5003, window: 10 }));
      asm.assemble(c2s(5003 + off, '', { flags: RST }));
      const c = factory.streams[0]!.conn;
      return { end: c.endReason, window: c.suspiciousRstRecords[0]?.window };
    };
    expect(run(1 << 20)).toEqual({ end: 'reset', window: undefined });
    expect(run(1 << 24)).toEqual({ end: 'reset', window: undefined });
    expect(run((1 << 24) + 1)).toEqual({ end: null, window: 1 << 24 });
    expect(run(1 << 20, 1000)).toEqual({ end: null, window: 1000 });
  });

  it("the receiver's acknowledgement leading the data seen (capture loss) moves the window along", () => {
    const { asm, factory } = setup(IN_WINDOW);
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'abc', { ack: 101 }));
    // The capture missed 500000 bytes the server received and acknowledged.
    asm.assemble(s2c(101, '', { ack: 500_004 }));
    asm.assemble(c2s(500_004 + 60_000, '', { flags: RST }));
    expect(factory.streams[0]!.conn.endReason).toBe('reset');
  });

  it("the end of queued data moves the window along (the sender's RST follows what it sent)", () => {
    const { asm, factory } = setup(IN_WINDOW);
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'abc', { ack: 101 }));
    asm.assemble(c2s(200_000, 'x'.repeat(100), { ack: 101 }));
    asm.assemble(c2s(200_100 + 65535, '', { flags: RST }));
    expect(factory.streams[0]!.conn.endReason).toBe('reset');
  });

  it("an RST behind nextSeq is accepted back to the receiver's last acknowledgement, not before it", () => {
    const run = (rstSeq: number) => {
      const { asm, factory } = setup(IN_WINDOW);
      handshake(asm, 0, 100);
      asm.assemble(c2s(1, 'x'.repeat(1000), { ack: 101 }));
      // The server acknowledged only the first 400 bytes so far: its rcv_nxt may be anywhere in [401, 1001].
      asm.assemble(s2c(101, '', { ack: 401 }));
      asm.assemble(c2s(rstSeq, '', { flags: RST }));
      return factory.streams[0]!.conn.endReason;
    };
    expect(run(401)).toBe('reset');
    expect(run(700)).toBe('reset');
    expect(run(400)).toBeNull();
  });

  it('the list of suspicious RSTs is bounded; all of them are counted', () => {
    const { asm, factory } = setup({ ...IN_WINDOW, maxSuspiciousRstsPerConnection: 2 });
    handshake(asm, 0, 100);
    for (let i = 0; i < 5; i++) asm.assemble(s2c(101 + BLIND + i, '', { flags: RST, recordNumber: 10 + i }));
    const c = factory.streams[0]!.conn;
    expect(c.suspiciousRsts).toBe(5);
    expect(c.stats[1].rstIgnored).toBe(5);
    expect(c.suspiciousRstRecords.map((r) => r.recordNumber)).toEqual([10, 11]);
    expect(c.endReason).toBeNull();
  });
});

describe("rstPolicy 'any': every RST ends the connection (the old behaviour)", () => {
  it('a blind RST ends it; the data after it is counted as after close, not delivered', () => {
    const { asm, factory, pool } = setup({ rstPolicy: 'any' });
    handshake(asm, 0, 100);
    asm.assemble(c2s(1, 'abc', { ack: 101 }));
    asm.assemble(s2c(101 + BLIND, '', { flags: RST | ACK, ack: 4 }));
    const s = factory.streams[0]!;
    expect(s.conn.endReason).toBe('reset');
    asm.assemble(c2s(4, 'def', { ack: 101 }));
    expect(s.bytes(0).toString()).toBe('abc');
    expect(s.conn.stats[1].rst).toBe(1);
    expect(s.conn.stats[1].rstIgnored).toBe(0);
    expect(s.conn.suspiciousRsts).toBe(0);
    expect(pool.stats.packetsToTombstones).toBe(1);
  });

  it('nonsense policy values fall back to the default', () => {
    const { asm } = setup({ rstPolicy: 'bogus' as 'any' });
    expect(asm.options.rstPolicy).toBe('evidence');
  });
});
