import { describe, expect, it } from 'vitest';
import { fnv1a32, FNV1A_INIT } from './hash.js';
import type { OverlapEvent } from './stream.js';
import { c2s, handshake, setup } from '../../test/support/engine-helpers.js';

const fill = (n: number, ch = 'a') => ch.repeat(n);
const hash = (s: string) => fnv1a32(FNV1A_INIT, Buffer.from(s), 0, s.length);

/** Client ISN 0: stream byte i has sequence number i + 1. Bytes at [1, 21) are the gap filled last. */
function scenario(queued: [number, string][], late: [number, string], fillLen = 20) {
  const env = setup();
  const events: string[] = [];
  env.asm.observer = {
    onOverlap: (ev: OverlapEvent) => events.push(`${ev.kind}@${ev.seq}+${ev.length}/${ev.overlapBytes}`),
  };
  handshake(env.asm, 0, 0);
  let rec = 10;
  for (const [seq, data] of queued) env.asm.assemble(c2s(seq, data, { recordNumber: rec++, ack: 1 }));
  env.asm.assemble(c2s(late[0], late[1], { recordNumber: rec, ack: 1 }));
  env.asm.assemble(c2s(1, fill(fillLen), { recordNumber: 99, ack: 1 }));
  const s = env.factory.streams[0]!;
  return { ...env, s, out: s.bytes(0).toString(), st: s.conn.stats[0], events };
}

describe('overlap with buffered data: newer data replaces it (gopacket checkOverlap cases)', () => {
  it('case 1 and 5: no overlap, before and after', () => {
    const r = scenario([[31, 'CCCCC']], [21, fill(10, 'B')]);
    expect(r.out).toBe(fill(20) + 'BBBBBBBBBB' + 'CCCCC');
    expect(r.st.overlapBytes).toBe(0);
    expect(r.st.queuedPackets).toBe(2);
    expect(r.st.queuedBytes).toBe(15);
    expect(r.events).toEqual(['out-of-order@31+5/0', 'out-of-order@21+10/0']);
  });

  it("case 2: new bytes cover the buffered page's tail", () => {
    const r = scenario([[21, fill(10, 'X')]], [26, fill(10, 'Y')]);
    expect(r.out).toBe(fill(20) + 'XXXXX' + 'YYYYYYYYYY');
    expect(r.st.overlapBytes).toBe(5);
    expect(r.st.overlapPackets).toBe(1);
    expect(r.st.conflicts).toBe(1);
    const c = r.s.conn.conflicts[0]!;
    expect(c).toMatchObject({ seq: 26, length: 5, against: 'buffered', winner: 'new', oldRecordNumber: 10, newRecordNumber: 11 });
    expect(c.oldHash).toBe(hash('XXXXX'));
    expect(c.newHash).toBe(hash('YYYYY'));
    expect(c.oldSegmentLength).toBe(10);
    expect(c.newSegmentLength).toBe(10);
    expect(r.events).toEqual(['out-of-order@21+10/0', 'conflict@26+5/5', 'partial-overlap@26+10/5']);
  });

  it('case 3: new bytes cover the whole buffered page', () => {
    const r = scenario([[21, 'XXXXX']], [16, fill(15, 'Y')], 15);
    expect(r.out).toBe(fill(15) + fill(15, 'Y'));
    expect(r.st.overlapBytes).toBe(5);
    expect(r.st.retransmittedPackets).toBe(0);
    expect(r.s.conn.conflicts.map((c) => [c.seq, c.length, c.winner])).toEqual([[21, 5, 'new']]);
    expect(r.asm.stats.bufferedPages).toBe(0);
    expect(r.s.conn.stats[0].pagesInUse).toBe(r.asm.stats.windowPages);
  });

  it("case 4: new bytes cover the buffered page's head", () => {
    const r = scenario([[21, fill(10, 'X')]], [16, fill(10, 'Y')], 15);
    expect(r.out).toBe(fill(15) + fill(10, 'Y') + 'XXXXX');
    expect(r.s.conn.conflicts.map((c) => [c.seq, c.length, c.winner])).toEqual([[21, 5, 'new']]);
  });

  it('the gap filler is newest too: it replaces buffered bytes it overlaps', () => {
    const r = scenario([[16, fill(10, 'X')]], [40, 'Z'], 20);
    expect(r.out).toBe(fill(20) + 'XXXXX');
    expect(r.s.conn.conflicts.map((c) => [c.seq, c.length, c.against, c.winner])).toEqual([[16, 5, 'buffered', 'new']]);
  });

  it('case 6: new bytes inside a buffered page split it', () => {
    const r = scenario([[21, fill(20, 'X')]], [26, 'YYYYY']);
    expect(r.out).toBe(fill(20) + 'XXXXX' + 'YYYYY' + fill(10, 'X'));
    expect(r.st.overlapBytes).toBe(5);
    expect(r.st.retransmittedPackets).toBe(1);
    expect(r.events).toEqual(['out-of-order@21+20/0', 'conflict@26+5/5', 'retransmission@26+5/5']);
  });

  it('an identical retransmission of buffered data is a retransmission, not a conflict', () => {
    const r = scenario([[21, 'XXXXX']], [21, 'XXXXX']);
    expect(r.out).toBe(fill(20) + 'XXXXX');
    expect(r.st.retransmittedPackets).toBe(1);
    expect(r.st.retransmittedBytes).toBe(5);
    expect(r.st.conflicts).toBe(0);
  });

  it('new bytes spanning several buffered packets replace all of them, one conflict record per old packet', () => {
    const r = scenario(
      [
        [21, 'XXXXX'],
        [26, 'VVVVV'],
        [31, 'WWWWW'],
      ],
      [23, fill(10, 'Y')],
    );
    expect(r.out).toBe(fill(20) + 'XX' + fill(10, 'Y') + 'WWW');
    expect(r.st.overlapBytes).toBe(10);
    expect(r.s.conn.conflicts.map((c) => [c.seq, c.length, c.oldRecordNumber])).toEqual([
      [31, 2, 12],
      [26, 5, 11],
      [23, 3, 10],
    ]);
  });
});

describe('overlap with delivered data: delivered data wins', () => {
  it('trims the overlap, delivers the new part, reports a conflict against delivered bytes', () => {
    const { asm, factory } = setup();
    const evs: string[] = [];
    asm.observer = { onOverlap: (ev) => evs.push(ev.kind) };
    handshake(asm, 0, 0);
    asm.assemble(c2s(1, 'abcdefghij', { recordNumber: 5, tsSec: 1_700_000_001 }));
    asm.assemble(c2s(6, 'FGHIJklmno', { recordNumber: 6, tsSec: 1_700_000_002 }));
    const s = factory.streams[0]!;
    expect(s.bytes(0).toString()).toBe('abcdefghijklmno');
    const st = s.conn.stats[0];
    expect(st.overlapBytes).toBe(5);
    expect(st.overlapPackets).toBe(1);
    expect(st.conflicts).toBe(1);
    expect(st.conflictBytes).toBe(5);
    expect(s.conn.conflicts[0]).toMatchObject({
      seq: 6,
      length: 5,
      firstDifferenceSeq: 6,
      against: 'delivered',
      winner: 'old',
      oldRecordNumber: 5,
      oldTsSec: 1_700_000_001,
      newRecordNumber: 6,
      newTsSec: 1_700_000_002,
      oldHash: hash('fghij'),
      newHash: hash('FGHIJ'),
    });
    expect(evs).toEqual(['conflict', 'partial-overlap']);
  });

  it('a full retransmission of delivered data is counted, not delivered, and matches', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 0);
    asm.assemble(c2s(1, 'abcdefghij'));
    asm.assemble(c2s(1, 'abcdefghij'));
    asm.assemble(c2s(3, 'cde'));
    const st = factory.streams[0]!.conn.stats[0];
    expect(factory.streams[0]!.bytes(0).toString()).toBe('abcdefghij');
    expect(st.retransmittedPackets).toBe(2);
    expect(st.retransmittedBytes).toBe(13);
    expect(st.overlapBytes).toBe(13);
    expect(st.conflicts).toBe(0);
  });

  it('says a check was impossible once the peer acknowledged the bytes (window released)', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 0);
    asm.assemble(c2s(1, 'abcdefghij', { ack: 1 }));
    asm.assemble(c2s(1, '', { flags: 0x10, ack: 11, src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000 }));
    asm.assemble(c2s(6, 'XXXXX', { ack: 1 }));
    const st = factory.streams[0]!.conn.stats[0];
    expect(st.conflicts).toBe(0);
    expect(st.conflictChecksImpossible).toBe(1);
    expect(st.conflictUncheckedBytes).toBe(5);
  });

  it('checks against delivered data beyond the ack, bounded by deliveredWindowBytes', () => {
    const { asm, factory } = setup({ deliveredWindowBytes: 8 });
    handshake(asm, 0, 0);
    asm.assemble(c2s(1, 'abcdefghij'));
    // Window keeps [3, 11): bytes 1..2 unchecked, 3..5 checked and differing.
    asm.assemble(c2s(1, 'abXXX'));
    const s = factory.streams[0]!;
    expect(s.conn.stats[0].conflictUncheckedBytes).toBe(2);
    expect(s.conn.conflicts.map((c) => [c.seq, c.length])).toEqual([[3, 3]]);
  });
});

describe('conflict records name the old copy and travel with their event', () => {
  it('against delivered data: the old segment length comes from the window, per packet', () => {
    const { asm, factory } = setup({ releaseWindowOnAck: false });
    handshake(asm, 0, 0);
    asm.assemble(c2s(1, 'abcdefghij', { recordNumber: 5 }));
    // Queued behind a hole, then delivered from pages: its length is the page's packet's.
    asm.assemble(c2s(16, 'pqrstu', { recordNumber: 7 }));
    asm.assemble(c2s(11, 'klmno', { recordNumber: 6 }));
    // Conflicts with all three packets: one record each, each naming its own packet.
    asm.assemble(c2s(9, 'IJKLMNOPQR', { recordNumber: 8 }));
    const c = factory.streams[0]!.conn;
    expect(c.conflicts.map((r) => [r.seq, r.length, r.against, r.oldRecordNumber, r.oldSegmentLength, r.newSegmentLength])).toEqual([
      [9, 2, 'delivered', 5, 10, 10],
      [11, 5, 'delivered', 6, 5, 10],
      [16, 3, 'delivered', 7, 6, 10],
    ]);
  });

  it('a snaplen-truncated packet: the old segment length is its length on the wire', () => {
    const { asm, factory } = setup({ releaseWindowOnAck: false });
    handshake(asm, 0, 0);
    asm.assemble(c2s(1, 'abcde', { recordNumber: 5, wireLength: 50 }));
    asm.assemble(c2s(1, 'abXde', { recordNumber: 6 }));
    expect(factory.streams[0]!.conn.conflicts.map((r) => [r.oldRecordNumber, r.oldSegmentLength, r.newSegmentLength])).toEqual([[5, 50, 5]]);
  });

  it('the conflict event carries its record (the kept one, or a scratch copy past the bound); other events none', () => {
    const { asm, factory } = setup({ maxConflictRecordsPerConnection: 1, releaseWindowOnAck: false });
    const seen: { kind: string; seq: number; rec: unknown; recSeq?: number; recNew?: number }[] = [];
    asm.observer = {
      onOverlap: (ev) => seen.push({ kind: ev.kind, seq: ev.seq, rec: ev.conflict, recSeq: ev.conflict?.seq, recNew: ev.conflict?.newRecordNumber }),
    };
    handshake(asm, 0, 0);
    asm.assemble(c2s(1, 'abcdefghij', { recordNumber: 5 }));
    asm.assemble(c2s(1, 'Xbc', { recordNumber: 6 }));
    asm.assemble(c2s(5, 'Yfg', { recordNumber: 7 }));
    const c = factory.streams[0]!.conn;
    expect(c.conflicts).toHaveLength(1);
    expect(c.conflictsDropped).toBe(1);
    expect(seen.map((e) => [e.kind, e.seq, e.recSeq, e.recNew])).toEqual([
      ['conflict', 1, 1, 6],
      ['retransmission', 1, undefined, undefined],
      ['conflict', 5, 5, 7],
      ['retransmission', 5, undefined, undefined],
    ]);
    expect(seen[0]!.rec).toBe(c.conflicts[0]);
    expect(seen[2]!.rec).not.toBe(c.conflicts[0]);
  });
});

describe('sequence wrap (gopacket is off by one here)', () => {
  it('a 1-byte gap across 2^32 waits for its byte', () => {
    const { asm, factory } = setup();
    asm.assemble(c2s(0xfffffff0, '', { flags: 0x02 }));
    asm.assemble(c2s(0xfffffff1, fill(14))); // up to 0xfffffffe inclusive
    asm.assemble(c2s(0x00000000, 'BC')); // gap of one byte at 0xffffffff
    const s = factory.streams[0]!;
    expect(s.bytes(0).toString()).toBe(fill(14));
    asm.assemble(c2s(0xffffffff, 'A'));
    expect(s.bytes(0).toString()).toBe(fill(14) + 'ABC');
    expect(s.conn.stats[0].missingBytes).toBe(0);
    expect(s.conn.stats[0].overlapBytes).toBe(0);
  });

  it('a 1-byte overlap across 2^32 is trimmed to exactly one byte', () => {
    const { asm, factory } = setup();
    asm.assemble(c2s(0xfffffffd, '', { flags: 0x02 }));
    asm.assemble(c2s(0xfffffffe, 'AB')); // 0xfffffffe, 0xffffffff
    asm.assemble(c2s(0xffffffff, 'BCD')); // overlaps 0xffffffff only
    const s = factory.streams[0]!;
    expect(s.bytes(0).toString()).toBe('ABCD');
    expect(s.conn.stats[0].overlapBytes).toBe(1);
    expect(s.conn.stats[0].conflicts).toBe(0);
  });

  it('out-of-order pages straddling the wrap are delivered in sequence order', () => {
    const { asm, factory } = setup();
    asm.assemble(c2s(0xfffffff9, '', { flags: 0x02 }));
    asm.assemble(c2s(0x00000003, 'GH'));
    asm.assemble(c2s(0xfffffffe, 'BCDEF')); // 0xfffffffe..0x2
    asm.assemble(c2s(0xfffffffa, 'xxxx')); // fills up to 0xfffffffd
    expect(factory.streams[0]!.bytes(0).toString()).toBe('xxxxBCDEFGH');
  });
});
