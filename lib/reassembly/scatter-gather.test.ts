import { describe, expect, it } from 'vitest';
import type { ScatterGather } from './scatter-gather.js';
import { makePacket } from '../../test/support/engine-streams.js';
import { c2s, CLIENT, handshake, setup } from '../../test/support/engine-helpers.js';

const bytes = (n: number, from = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) & 0xff));

describe('captureInfo', () => {
  it('is right for every offset, also inside multi-page buffered packets (gopacket #483)', () => {
    const { asm, factory } = setup({ pageSize: 100 });
    factory.configure = (s) => (s.recordCaptureInfo = true);
    handshake(asm, 0, 0);
    // A 350-byte packet queued out of order spans 4 pages; then a 50-byte packet fills the gap.
    asm.assemble(c2s(51, bytes(350, 50), { recordNumber: 7, tsNsec: 700 }));
    asm.assemble(c2s(1, bytes(50), { recordNumber: 6, tsNsec: 600 }));
    const s = factory.streams[0]!;
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]!.bytes.equals(bytes(400))).toBe(true);
    const rec = s.calls[0]!.records;
    expect(rec.slice(0, 50).every((r) => r === 6)).toBe(true);
    expect(rec.slice(50).every((r) => r === 7)).toBe(true);
    expect(rec).toHaveLength(400);
  });

  it('clamps out-of-range offsets instead of throwing and reports the sequence number of the byte', () => {
    const { asm, factory } = setup();
    const seen: number[] = [];
    factory.configure = (s) => {
      s.reassembled = (sg: ScatterGather) => {
        seen.push(sg.captureInfo(-5).seq, sg.captureInfo(3).seq, sg.captureInfo(1e9).recordNumber);
      };
    };
    asm.assemble(c2s(99, '', { flags: 0x02 }));
    asm.assemble(c2s(100, 'abcd', { recordNumber: 3 }));
    expect(seen).toEqual([100, 103, 3]);
  });
});

describe('fetch, lengths, chunks', () => {
  it('fetch is zero-copy within one chunk and copies across chunks', () => {
    const { asm, factory } = setup();
    const got: { same: boolean; text: string; chunks: number; copy: string }[] = [];
    factory.configure = (s) => {
      s.reassembled = (sg: ScatterGather) => {
        const one = sg.fetch(2);
        const all = sg.fetch(sg.lengths().available);
        const target = Buffer.alloc(4);
        sg.copyTo(target, 0, 2, 4);
        got.push({ same: one.buffer === sg.chunkBuffer(0).buffer, text: all.toString(), chunks: sg.chunkCount(), copy: target.toString() });
      };
    };
    handshake(asm, 0, 0);
    asm.assemble(c2s(4, 'def'));
    asm.assemble(c2s(1, 'abc'));
    expect(got).toEqual([{ same: true, text: 'abcdef', chunks: 2, copy: 'cdef' }]);
  });
});

describe('keepFrom', () => {
  it('hands kept bytes back at the front of the next call, across several deliveries', () => {
    const { asm, factory } = setup();
    const seen: { text: string; saved: number }[] = [];
    factory.configure = (s) => {
      s.reassembled = (sg: ScatterGather) => {
        const { available, saved } = sg.lengths();
        const text = sg.fetch(available).toString();
        seen.push({ text, saved });
        // A line parser: keep everything after the last newline.
        const nl = text.lastIndexOf('\n');
        sg.keepFrom(nl + 1);
      };
    };
    handshake(asm, 0, 0);
    asm.assemble(c2s(1, 'GET /a'));
    asm.assemble(c2s(7, 'bc\nHo'));
    asm.assemble(c2s(12, 'st: x\n'));
    expect(seen).toEqual([
      { text: 'GET /a', saved: 0 },
      { text: 'GET /abc\nHo', saved: 6 },
      { text: 'Host: x\n', saved: 2 },
    ]);
    expect(factory.streams[0]!.conn.stats[0].bytes).toBe(17);
    expect(asm.stats.bufferedPages).toBe(0);
  });

  it('kept bytes keep their capture info', () => {
    const { asm, factory } = setup();
    const recs: number[][] = [];
    factory.configure = (s) => {
      s.reassembled = (sg: ScatterGather) => {
        const n = sg.lengths().available;
        recs.push(Array.from({ length: n }, (_, i) => sg.captureInfo(i).recordNumber));
        sg.keepFrom(0);
      };
    };
    asm.assemble(c2s(0, '', { flags: 0x02 }));
    asm.assemble(c2s(1, 'ab', { recordNumber: 1 }));
    asm.assemble(c2s(3, 'c', { recordNumber: 2 }));
    expect(recs).toEqual([
      [1, 1],
      [1, 1, 2],
    ]);
  });
});

describe('snaplen: bytes on the wire but not captured are a gap, never a shift', () => {
  it('in order: the missing tail is reported as skip before the next data', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 0);
    asm.assemble(c2s(1, 'abcd', { wireLength: 10 }));
    asm.assemble(c2s(11, 'KLMN'));
    const s = factory.streams[0]!;
    expect(s.calls.map((c) => [c.bytes.toString(), c.skip, c.seq])).toEqual([
      ['abcd', 0, 1],
      ['KLMN', 6, 11],
    ]);
    expect(s.conn.stats[0].missingBytes).toBe(6);
    expect(s.conn.stats[0].truncatedBytes).toBe(6);
    expect(s.conn.stats[0].wireBytes).toBe(14);
  });

  it('a full retransmission fills what snaplen cut, if it comes before later data', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 0);
    asm.assemble(c2s(1, 'abcd', { wireLength: 10 }));
    asm.assemble(c2s(1, 'abcdefghij'));
    expect(factory.streams[0]!.bytes(0).toString()).toBe('abcdefghij');
    expect(factory.streams[0]!.conn.stats[0].missingBytes).toBe(0);
  });

  it('out of order: a truncated queued packet lets the next data follow after its hole', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 0);
    asm.assemble(c2s(11, 'KLMNO', { wireLength: 10 }));
    asm.assemble(c2s(21, 'UVW'));
    asm.assemble(c2s(1, 'abcdefghij'));
    const s = factory.streams[0]!;
    expect(s.calls.map((c) => [c.bytes.toString(), c.skip])).toEqual([
      ['abcdefghijKLMNO', 0],
      ['UVW', 5],
    ]);
  });

  it('a FIN on a truncated packet ends the direction after the hole', () => {
    const { asm, factory } = setup();
    handshake(asm, 0, 0);
    asm.assemble(makePacket({ ...CLIENT, seq: 1, payload: 'ab', wireLength: 5, flags: 0x11 }));
    const s = factory.streams[0]!;
    expect(s.calls.map((c) => [c.bytes.toString(), c.skip, c.end])).toEqual([
      ['ab', 0, false],
      ['', 3, true],
    ]);
  });
});
