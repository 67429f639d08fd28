import { describe, it, expect } from 'vitest';
import { TcpPacket, TcpFlag } from '../decode/packet.js';
import { TcpFsmStats, TcpOptionCheck, TcpOptionCheckStats, TcpSimpleFsm, TcpState } from './tcpcheck.js';

const { SYN, ACK, FIN, RST, PSH } = TcpFlag;

interface Seg {
  flags: number;
  seq?: number;
  ack?: number;
  window?: number;
  mss?: number;
  ws?: number;
  len?: number;
  /** Captured payload bytes, when cut by snaplen (default: len). */
  captured?: number;
}

function seg(s: Seg): TcpPacket {
  const p = new TcpPacket();
  p.flags = s.flags;
  p.seq = (s.seq ?? 0) >>> 0;
  p.ack = (s.ack ?? 0) >>> 0;
  p.window = s.window ?? 65535;
  p.mss = s.mss ?? -1;
  p.windowScale = s.ws ?? -1;
  p.wireLength = s.len ?? 0;
  p.payloadLength = s.captured ?? p.wireLength;
  return p;
}

describe('TcpSimpleFsm', () => {
  it('walks a normal connection: handshake, data, FIN/ACK from both sides', () => {
    const fsm = new TcpSimpleFsm();
    const steps: Array<[Seg, 0 | 1, TcpState]> = [
      [{ flags: SYN }, 0, TcpState.SynSent],
      [{ flags: SYN | ACK }, 1, TcpState.SynAckSent],
      [{ flags: ACK }, 0, TcpState.Established],
      [{ flags: ACK | PSH, len: 100 }, 0, TcpState.Established],
      [{ flags: ACK | PSH, len: 900 }, 1, TcpState.Established],
      [{ flags: FIN | ACK }, 0, TcpState.Closing],
      [{ flags: ACK }, 1, TcpState.Closing],
      [{ flags: ACK | PSH, len: 10 }, 1, TcpState.Closing], // half-close: the server may still send
      [{ flags: FIN | ACK }, 1, TcpState.Closing],
      [{ flags: ACK }, 0, TcpState.Closed],
    ];
    for (const [s, dir, state] of steps) {
      expect(fsm.checkState(seg(s), dir)).toBe(true);
      expect(fsm.state).toBe(state);
    }
    expect(fsm.toString()).toBe('Closed');
    expect(fsm.stats.accepted).toBe(steps.length);
    expect(fsm.stats.rejected).toBe(0);
  });

  it('accepts retransmitted SYN and SYN-ACK in the right directions', () => {
    const fsm = new TcpSimpleFsm();
    expect(fsm.checkState(seg({ flags: SYN }), 1)).toBe(true); // the client is direction 1 here
    expect(fsm.checkState(seg({ flags: SYN }), 1)).toBe(true);
    expect(fsm.checkState(seg({ flags: SYN | ACK }), 0)).toBe(true);
    expect(fsm.checkState(seg({ flags: SYN }), 1)).toBe(true);
    expect(fsm.checkState(seg({ flags: SYN | ACK }), 0)).toBe(true);
    expect(fsm.checkState(seg({ flags: ACK }), 1)).toBe(true);
    expect(fsm.checkState(seg({ flags: SYN | ACK }), 0)).toBe(true); // late duplicate
    expect(fsm.state).toBe(TcpState.Established);
    expect(fsm.stats.rejected).toBe(0);
  });

  it('without the handshake, rejects everything unless supportMissingEstablishment', () => {
    const strict = new TcpSimpleFsm();
    expect(strict.checkState(seg({ flags: ACK, len: 10 }), 0)).toBe(false);
    expect(strict.checkState(seg({ flags: ACK, len: 10 }), 1)).toBe(false);
    expect(strict.checkState(seg({ flags: FIN | ACK }), 1)).toBe(false);
    expect(strict.state).toBe(TcpState.NotConnected);
    expect(strict.stats.noHandshake).toBe(3);
    expect(strict.stats.rejected).toBe(3);

    const lenient = new TcpSimpleFsm({ supportMissingEstablishment: true });
    expect(lenient.checkState(seg({ flags: ACK, len: 10 }), 0)).toBe(true);
    expect(lenient.state).toBe(TcpState.Established);
    expect(lenient.checkState(seg({ flags: ACK, len: 10 }), 1)).toBe(true);
    expect(lenient.stats.rejected).toBe(0);
  });

  it('with supportMissingEstablishment, infers the state from the first segment', () => {
    const cases: Array<[Seg, TcpState]> = [
      [{ flags: SYN }, TcpState.SynSent],
      [{ flags: SYN | ACK }, TcpState.SynAckSent],
      [{ flags: ACK }, TcpState.Established],
      [{ flags: FIN | ACK }, TcpState.Closing],
      [{ flags: RST }, TcpState.Closed],
    ];
    for (const [s, state] of cases) {
      const fsm = new TcpSimpleFsm({ supportMissingEstablishment: true });
      expect(fsm.checkState(seg(s), 1)).toBe(true);
      expect(fsm.state).toBe(state);
    }
  });

  it('with supportMissingEstablishment, a SYN-ACK first makes the other side the client', () => {
    const fsm = new TcpSimpleFsm({ supportMissingEstablishment: true });
    expect(fsm.checkState(seg({ flags: SYN | ACK }), 1)).toBe(true);
    expect(fsm.checkState(seg({ flags: SYN }), 0)).toBe(true); // the client's SYN, retransmitted
    expect(fsm.checkState(seg({ flags: ACK }), 0)).toBe(true);
    expect(fsm.state).toBe(TcpState.Established);
  });

  it('rejects segments that do not fit the handshake, and counts them', () => {
    const fsm = new TcpSimpleFsm();
    fsm.checkState(seg({ flags: SYN }), 0);
    expect(fsm.checkState(seg({ flags: SYN | ACK }), 0)).toBe(false); // SYN-ACK from the client
    expect(fsm.checkState(seg({ flags: SYN }), 1)).toBe(false); // simultaneous open is not followed
    expect(fsm.checkState(seg({ flags: ACK, len: 5 }), 0)).toBe(false); // data before the SYN-ACK
    expect(fsm.checkState(seg({ flags: ACK, len: 5 }), 1)).toBe(false);
    expect(fsm.state).toBe(TcpState.SynSent);
    fsm.checkState(seg({ flags: SYN | ACK }), 1);
    expect(fsm.checkState(seg({ flags: ACK, len: 5 }), 1)).toBe(false); // server data before the client's ACK
    expect(fsm.checkState(seg({ flags: PSH, len: 5 }), 0)).toBe(false); // no ACK flag
    expect(fsm.checkState(seg({ flags: SYN | ACK }), 0)).toBe(false);
    expect(fsm.state).toBe(TcpState.SynAckSent);
    expect(fsm.stats.badHandshake).toBe(7);
    expect(fsm.stats.rejected).toBe(7);
  });

  it('with supportMissingEstablishment, tolerates a missed SYN-ACK or a missed third ACK', () => {
    const a = new TcpSimpleFsm({ supportMissingEstablishment: true });
    a.checkState(seg({ flags: SYN }), 0);
    expect(a.checkState(seg({ flags: ACK, len: 5 }), 0)).toBe(true);
    expect(a.state).toBe(TcpState.Established);

    const b = new TcpSimpleFsm({ supportMissingEstablishment: true });
    b.checkState(seg({ flags: SYN }), 0);
    b.checkState(seg({ flags: SYN | ACK }), 1);
    expect(b.checkState(seg({ flags: ACK, len: 5 }), 1)).toBe(true);
    expect(b.state).toBe(TcpState.Established);
  });

  it('rejects a SYN that is not a late duplicate once established', () => {
    const fsm = new TcpSimpleFsm();
    fsm.checkState(seg({ flags: SYN }), 0);
    fsm.checkState(seg({ flags: SYN | ACK }), 1);
    fsm.checkState(seg({ flags: ACK }), 0);
    expect(fsm.checkState(seg({ flags: SYN }), 1)).toBe(false);
    expect(fsm.checkState(seg({ flags: SYN | ACK }), 0)).toBe(false);
    expect(fsm.stats.unexpectedSyn).toBe(2);
    expect(fsm.state).toBe(TcpState.Established);
  });

  it('closes on RST in every state; afterwards accepts only RSTs and a new SYN', () => {
    const prefixes: Seg[][] = [
      [{ flags: SYN }],
      [{ flags: SYN }, { flags: SYN | ACK }],
      [{ flags: SYN }, { flags: SYN | ACK }, { flags: ACK }],
      [{ flags: SYN }, { flags: SYN | ACK }, { flags: ACK }, { flags: FIN | ACK }],
    ];
    for (const prefix of prefixes) {
      const fsm = new TcpSimpleFsm();
      prefix.forEach((s, i) => expect(fsm.checkState(seg(s), (i % 2) as 0 | 1)).toBe(true));
      expect(fsm.checkState(seg({ flags: RST | ACK }), 1)).toBe(true);
      expect(fsm.state).toBe(TcpState.Closed);
      expect(fsm.checkState(seg({ flags: ACK, len: 3 }), 0)).toBe(false);
      expect(fsm.checkState(seg({ flags: FIN | ACK }), 1)).toBe(false);
      expect(fsm.checkState(seg({ flags: RST }), 0)).toBe(true);
      expect(fsm.stats.afterClose).toBe(2);
      // Port reuse: a new SYN, from either side, starts over.
      expect(fsm.checkState(seg({ flags: SYN }), 1)).toBe(true);
      expect(fsm.state).toBe(TcpState.SynSent);
      expect(fsm.checkState(seg({ flags: SYN | ACK }), 0)).toBe(true);
      expect(fsm.state).toBe(TcpState.SynAckSent);
    }
  });

  it('closeOnRst false: accepts RSTs in every state without closing, so what follows an ignored RST passes', () => {
    const prefixes: Seg[][] = [
      [{ flags: SYN }],
      [{ flags: SYN }, { flags: SYN | ACK }],
      [{ flags: SYN }, { flags: SYN | ACK }, { flags: ACK }],
      [{ flags: SYN }, { flags: SYN | ACK }, { flags: ACK }, { flags: FIN | ACK }],
    ];
    for (const prefix of prefixes) {
      const fsm = new TcpSimpleFsm({ closeOnRst: false });
      prefix.forEach((s, i) => expect(fsm.checkState(seg(s), (i % 2) as 0 | 1)).toBe(true));
      const before = fsm.state;
      expect(fsm.checkState(seg({ flags: RST | ACK, seq: 2 ** 30 }), 1)).toBe(true);
      expect(fsm.state).toBe(before);
      expect(fsm.stats.afterClose).toBe(0);
    }
    // After a blind RST mid-connection: data both ways and the close go on as if it had not come.
    const fsm = new TcpSimpleFsm({ closeOnRst: false });
    const steps: Array<[Seg, 0 | 1]> = [
      [{ flags: SYN }, 0],
      [{ flags: SYN | ACK }, 1],
      [{ flags: ACK }, 0],
      [{ flags: RST | ACK }, 1],
      [{ flags: ACK | PSH, len: 100 }, 0],
      [{ flags: ACK | PSH, len: 50 }, 1],
      [{ flags: FIN | ACK }, 0],
      [{ flags: FIN | ACK }, 1],
      [{ flags: ACK }, 0],
    ];
    for (const [s, dir] of steps) expect(fsm.checkState(seg(s), dir)).toBe(true);
    expect(fsm.state).toBe(TcpState.Closed);
    expect(fsm.stats.rejected).toBe(0);
    // The default (gopacket's rule) closes on the same RST and rejects the data after it.
    const strict = new TcpSimpleFsm();
    const results = steps.map(([s, dir]) => strict.checkState(seg(s), dir));
    expect(results).toEqual([true, true, true, true, false, false, false, false, false]);
    expect(strict.stats.afterClose).toBe(5);
  });

  it('closeOnRst false with supportMissingEstablishment: an RST first leaves the machine waiting', () => {
    const fsm = new TcpSimpleFsm({ supportMissingEstablishment: true, closeOnRst: false });
    expect(fsm.checkState(seg({ flags: RST }), 1)).toBe(true);
    expect(fsm.state).toBe(TcpState.NotConnected);
    expect(fsm.checkState(seg({ flags: ACK, len: 10 }), 0)).toBe(true);
    expect(fsm.state).toBe(TcpState.Established);
  });

  it('adds to shared counters', () => {
    const stats = new TcpFsmStats();
    const a = new TcpSimpleFsm({ stats });
    const b = new TcpSimpleFsm({ stats });
    a.checkState(seg({ flags: SYN }), 0);
    b.checkState(seg({ flags: ACK }), 0);
    expect(stats.accepted).toBe(1);
    expect(stats.noHandshake).toBe(1);
    expect(a.stats).toBe(b.stats);
  });
});

/** A handshake: client ISN 1000, server ISN 5000. */
function handshake(check: TcpOptionCheck, client: Partial<Seg>, server: Partial<Seg>) {
  expect(check.accept(seg({ flags: SYN, seq: 1000, ...client }), 0, -1)).toBe(true);
  expect(check.accept(seg({ flags: SYN | ACK, seq: 5000, ack: 1001, ...server }), 1, -1)).toBe(true);
}

describe('TcpOptionCheck: MSS', () => {
  it('rejects payloads above the receiver MSS plus the slack, in each direction', () => {
    const check = new TcpOptionCheck();
    handshake(check, { mss: 1460 }, { mss: 1000 });
    expect(check.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 1000 }), 0, 1001)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 1040 }), 0, 1001)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 1041 }), 0, 1001)).toBe(false);
    expect(check.accept(seg({ flags: ACK, seq: 5001, ack: 1001, len: 1500 }), 1, 5001)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 5001, ack: 1001, len: 1501 }), 1, 5001)).toBe(false);
    expect(check.stats.exceedsMss).toBe(2);
    expect(check.stats.rejected).toBe(2);
    expect(check.stats.accepted).toBe(5);
  });

  it('uses the length on the wire, not what snaplen kept', () => {
    const check = new TcpOptionCheck({ mssSlack: 0, checkWindow: false });
    handshake(check, { mss: 1460 }, { mss: 536 });
    expect(check.accept(seg({ flags: ACK, seq: 1001, len: 1000, captured: 60 }), 0, 1001)).toBe(false);
    expect(check.accept(seg({ flags: ACK, seq: 1001, len: 536, captured: 60 }), 0, 1001)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 1001, len: 537 }), 0, 1001)).toBe(false);
  });

  it('accepts offload super-segments only when told to', () => {
    const plain = new TcpOptionCheck({ checkWindow: false });
    handshake(plain, { mss: 1460 }, { mss: 1460 });
    expect(plain.accept(seg({ flags: ACK, seq: 1001, len: 64000 }), 0, 1001)).toBe(false);
    const offload = new TcpOptionCheck({ checkWindow: false, maxSegmentsPerPacket: 45 });
    handshake(offload, { mss: 1460 }, { mss: 1460 });
    expect(offload.accept(seg({ flags: ACK, seq: 1001, len: 64000 }), 0, 1001)).toBe(true);
  });

  it('does not check the MSS when the receiver SYN was not captured, or announced none', () => {
    const missing = new TcpOptionCheck();
    expect(missing.accept(seg({ flags: ACK, seq: 1, len: 9000 }), 0, -1)).toBe(true);
    const none = new TcpOptionCheck();
    handshake(none, {}, {});
    expect(none.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 9000, window: 65535 }), 0, 1001)).toBe(true);
    const off = new TcpOptionCheck({ checkMss: false });
    handshake(off, { mss: 100 }, { mss: 100 });
    expect(off.accept(seg({ flags: ACK, seq: 1001, len: 5000 }), 0, 1001)).toBe(true);
  });
});

describe('TcpOptionCheck: receive window', () => {
  it('without scaling: the right edge is ack + window, with one byte of slack (zero-window probe)', () => {
    const check = new TcpOptionCheck();
    handshake(check, {}, { window: 1000 });
    // Server window from its SYN-ACK: [1001, 2001).
    expect(check.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 1000 }), 0, 1001)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 1001 }), 0, 1001)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 1002 }), 0, 1001)).toBe(false);
    expect(check.accept(seg({ flags: ACK, seq: 3000, ack: 5001, len: 1 }), 0, 1001)).toBe(false);
    expect(check.stats.outsideWindow).toBe(2);
    // The server acknowledges 1000 bytes and opens to 4000: the edge moves to 6001.
    expect(check.accept(seg({ flags: ACK, seq: 5001, ack: 2001, window: 4000 }), 1, 5001)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 2001, ack: 5001, len: 4000 }), 0, 2001)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 6000, ack: 5001, len: 3 }), 0, 6001)).toBe(false);
  });

  it('with scaling on both sides: windows after the SYNs are shifted, the SYN-ACK window is not', () => {
    const check = new TcpOptionCheck();
    handshake(check, { ws: 2 }, { ws: 7, window: 100 });
    // SYN-ACK window is unscaled: edge 1001 + 100.
    expect(check.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 101 }), 0, 1001)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 102 }), 0, 1001)).toBe(false);
    // Now the server advertises 10 << 7 = 1280: edge 1001 + 1280; slack is one scale unit (128).
    expect(check.accept(seg({ flags: ACK, seq: 5001, ack: 1001, window: 10 }), 1, 5001)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 1280 + 128 }), 0, 1001)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 1280 + 129 }), 0, 1001)).toBe(false);
    // The client's windows are shifted by its own scale (2): 100 << 2 = 400 for the server's data.
    expect(check.accept(seg({ flags: ACK, seq: 1001, ack: 5001, window: 100 }), 0, 1001)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 5001, ack: 1001, len: 404, window: 10 }), 1, 5001)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 5001, ack: 1001, len: 405, window: 10 }), 1, 5001)).toBe(false);
  });

  it('ignores a scale announced by one side only, and caps scales at 14', () => {
    const one = new TcpOptionCheck();
    handshake(one, {}, { ws: 7 });
    one.accept(seg({ flags: ACK, seq: 5001, ack: 1001, window: 10 }), 1, 5001);
    expect(one.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 11 }), 0, 1001)).toBe(true);
    expect(one.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 12 }), 0, 1001)).toBe(false);

    const capped = new TcpOptionCheck();
    handshake(capped, { ws: 14 }, { ws: 20 });
    capped.accept(seg({ flags: ACK, seq: 5001, ack: 1001, window: 1 }), 1, 5001);
    // 1 << 14 window plus one 1 << 14 unit.
    expect(capped.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 2 * 16384 }), 0, 1001)).toBe(true);
    expect(capped.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 2 * 16384 + 1 }), 0, 1001)).toBe(false);
  });

  it('compares across the sequence wrap', () => {
    const check = new TcpOptionCheck();
    check.accept(seg({ flags: SYN, seq: 0xfffffe00 }), 0, -1);
    check.accept(seg({ flags: SYN | ACK, seq: 7, ack: 0xffffff00, window: 0x200 }), 1, -1);
    // Edge: 0xffffff00 + 0x200 = 0x100 after the wrap.
    expect(check.accept(seg({ flags: ACK, seq: 0xffffff00, len: 0x200 }), 0, 0xffffff00)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 0x50, len: 0xb1 }), 0, 0x50)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 0x50, len: 0xb2 }), 0, 0x50)).toBe(false);
  });

  it('does not check the window when a SYN was missed (unknown scale)', () => {
    const check = new TcpOptionCheck();
    check.accept(seg({ flags: SYN | ACK, seq: 5000, ack: 1001, window: 10 }), 1, -1);
    expect(check.accept(seg({ flags: ACK, seq: 1001, len: 1400 }), 0, 1001)).toBe(true);
    expect(check.stats.rejected).toBe(0);
  });

  it('learns nothing from a rejected segment', () => {
    const check = new TcpOptionCheck();
    handshake(check, {}, { mss: 1000, window: 1000 });
    // Rejected for its size: its (huge) window must not move the client's edge.
    expect(check.accept(seg({ flags: ACK, seq: 1001, ack: 5001, len: 2000, window: 65535 }), 0, 1001)).toBe(false);
    expect(check.accept(seg({ flags: ACK, seq: 1001, ack: 5001, window: 100 }), 0, 1001)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 5001, ack: 1001, len: 102 }), 1, 5001)).toBe(false);
  });

  it('honours windowSlack and checkWindow: false', () => {
    const slack = new TcpOptionCheck({ windowSlack: 50 });
    handshake(slack, {}, { window: 100 });
    expect(slack.accept(seg({ flags: ACK, seq: 1001, len: 151 }), 0, 1001)).toBe(true);
    expect(slack.accept(seg({ flags: ACK, seq: 1001, len: 152 }), 0, 1001)).toBe(false);
    const off = new TcpOptionCheck({ checkWindow: false });
    handshake(off, {}, { window: 100 });
    expect(off.accept(seg({ flags: ACK, seq: 1001, len: 1000 }), 0, 1001)).toBe(true);
  });
});

describe('TcpOptionCheck: retransmissions (gopacket rule, opt-in)', () => {
  it('accepts segments before nextSeq by default', () => {
    const check = new TcpOptionCheck();
    expect(check.accept(seg({ flags: ACK, seq: 900, len: 100 }), 0, 1000)).toBe(true);
  });

  it('rejects them when asked, except keep-alives, and only when nextSeq is known', () => {
    const stats = new TcpOptionCheckStats();
    const check = new TcpOptionCheck({ rejectRetransmissions: true, stats });
    expect(check.accept(seg({ flags: ACK, seq: 900, len: 100 }), 0, 1000)).toBe(false);
    expect(check.accept(seg({ flags: ACK, seq: 999, len: 1 }), 0, 1000)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 999, len: 0 }), 0, 1000)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 999, len: 2 }), 0, 1000)).toBe(false);
    expect(check.accept(seg({ flags: ACK, seq: 1000, len: 100 }), 0, 1000)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 900, len: 100 }), 0, -1)).toBe(true);
    expect(check.accept(seg({ flags: ACK, seq: 0xfffffff0, len: 10 }), 0, 5)).toBe(false); // before, across the wrap
    expect(check.accept(seg({ flags: ACK, seq: 3, len: 10 }), 0, 0xfffffff0)).toBe(true); // after, across the wrap
    expect(stats.retransmission).toBe(3);
    expect(stats.rejected).toBe(3);
    expect(check.stats).toBe(stats);
  });
});
