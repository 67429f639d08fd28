import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CaptureReadBack } from '../capture/read-back.js';
import { overlapsCapture } from '../pipeline/index.js';
import { c2s, handshake, s2c, setup } from '../../test/support/engine-helpers.js';
import type { Connection } from './connection.js';
import { MAX_FREE_RUNS } from './delivered-runs.js';
import type { Page } from './memory.js';

/**
 * Delivered bytes that can be read back from the capture file are kept as file positions, not copies; a
 * retransmission of them is compared with the bytes read back.
 */

/** A "capture file" in memory: `text` at position `at`; counts the reads; fails every read when `broken`. */
function fakeFile(text: string, at: number, broken = false) {
  const file = Buffer.alloc(at + text.length);
  file.write(text, at, 'latin1');
  const reads: number[] = [];
  const readBack: CaptureReadBack = {
    readAt(dst, dstOffset, length, position) {
      reads.push(position);
      if (broken) return -1;
      return file.copy(dst, dstOffset, position, Math.min(file.length, position + length));
    },
  };
  return { readBack, reads };
}

/** Client ISN 0: delivers `first` at seq 1 (read back from `file` when given), then the retransmission `again`. */
function retransmit(first: string, again: string, file?: { readBack: CaptureReadBack; at: number }) {
  const env = setup();
  handshake(env.asm, 0, 0);
  const p = c2s(1, first, { recordNumber: 10, ack: 1 });
  if (file) {
    p.readBack = file.readBack;
    p.payloadFileOffset = file.at;
  }
  env.asm.assemble(p);
  env.asm.assemble(c2s(1, again, { recordNumber: 11, ack: 1 }));
  const s = env.factory.streams[0]!;
  return { out: s.bytes(0).toString(), st: s.conn.stats[0], conflicts: s.conn.conflicts.map((c) => ({ ...c })) };
}

/**
 * Delivers `n` segments of `size` bytes from the client (ISN 0) on connection `port`, read back from a file of
 * the same bytes or copied; `mark` changes each segment's first byte, to tell segments apart.
 */
function deliver(env: ReturnType<typeof setup>, n: number, readBack: boolean, size = 100, port = 40000) {
  handshake(env.asm, 0, 0, 1_700_000_000, port);
  const bytes = Buffer.alloc(size * n);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + port) & 0xff;
  const f = fakeFile(bytes.toString('latin1'), 0);
  for (let i = 0; i < n; i++) {
    const p = c2s(1 + size * i, bytes.subarray(size * i, size * (i + 1)), { recordNumber: 10 + i, ack: 1, sport: port });
    if (readBack) {
      p.readBack = f.readBack;
      p.payloadFileOffset = size * i;
    }
    env.asm.assemble(p);
  }
  const conn = env.factory.streams.at(-1)!.conn as unknown as Connection;
  return { conn, bytes, reads: f.reads };
}

/** A retransmission of [from, from + len) of `bytes`, its first byte changed, on connection `port`. */
function resend(env: ReturnType<typeof setup>, bytes: Buffer, from: number, len: number, port = 40000) {
  const again = Buffer.from(bytes.subarray(from, from + len));
  again[0] = again[0]! ^ 0xff;
  env.asm.assemble(c2s(1 + from, again, { recordNumber: 99, ack: 1, sport: port }));
}

describe('delivered window kept as file positions', () => {
  it('is a ring of runs with no page at all (a copied window fills pages)', () => {
    const env = setup();
    const read = deliver(env, 40, true);
    expect(read.conn.half0.runCount).toBe(40);
    expect(read.conn.half0.deliveredFirst).toBeNull();
    expect(env.asm.stats.windowPagesPeak).toBe(0);
    // Rings double from 8 runs: 8, 16, 32, 64.
    expect(env.asm.stats.windowRuns).toBe(64);
    const copy = setup();
    const copied = deliver(copy, 40, false);
    expect(copied.conn.half0.runCount).toBe(0);
    expect(copy.asm.stats.windowPages).toBeGreaterThan(2);
    const pages: Page[] = [];
    for (let p = copied.conn.half0.deliveredFirst; p !== null; p = p.next) pages.push(p);
    // The copies are the delivered bytes themselves.
    expect(Buffer.concat(pages.map((p) => p.buf.subarray(p.off, p.off + p.len))).equals(copied.bytes)).toBe(true);
    expect(copy.asm.stats.windowRunsPeak).toBe(0);
  });

  it('a retransmission over many runs reads each back at its own position, one conflict per old packet', () => {
    const env = setup();
    const { conn, bytes, reads } = deliver(env, 5, true);
    // Bytes 150..349: the second half of packet 11, all of 12, the first half of 13; only 11's copy differs.
    resend(env, bytes, 150, 200);
    expect(reads).toEqual([150, 200, 300]);
    expect(conn.conflicts).toMatchObject([{ seq: 151, length: 50, oldRecordNumber: 11, newRecordNumber: 99 }]);
    expect(conn.stats[0].conflictChecksImpossible).toBe(0);
  });

  it('an ACK that cuts into a run moves its file position with it', () => {
    const env = setup();
    const { conn, bytes, reads } = deliver(env, 2, true);
    env.asm.assemble(s2c(1, '', { ack: 131 }));
    expect(conn.half0.deliveredStart).toBe(131);
    resend(env, bytes, 100, 100);
    // Bytes 100..129 were released: unchecked; 130.. are read back from position 130.
    expect(reads).toEqual([130]);
    expect(conn.stats[0].conflictUncheckedBytes).toBe(30);
    expect(conn.conflicts).toEqual([]);
    resend(env, bytes, 130, 70);
    expect(conn.conflicts).toMatchObject([{ seq: 131, length: 70, oldRecordNumber: 11 }]);
  });

  it('a direction keeps at most 512 runs: the oldest go, and checks of them count as impossible', () => {
    const env = setup();
    const { conn, bytes } = deliver(env, 600, true, 1);
    expect(conn.half0.runCount).toBe(512);
    expect(conn.half0.deliveredStart).toBe(1 + 88);
    expect(conn.half0.deliveredBytes).toBe(512);
    resend(env, bytes, 50, 1);
    expect(conn.stats[0].conflictChecksImpossible).toBe(1);
    // Not the very last byte: a 1-byte segment just before the next is a keep-alive, not compared.
    resend(env, bytes, 590, 1);
    expect(conn.conflicts).toMatchObject([{ seq: 591, length: 1, oldRecordNumber: 600 }]);
  });

  it('runs in all are bounded: past the bound a direction keeps nothing and says so; an end gives its ring back', () => {
    // Two pages' worth of descriptors in all: 16 runs.
    const env = setup({ maxWindowPagesTotal: 2 });
    const a = deliver(env, 16, true, 10, 40000);
    expect(env.asm.stats.windowRuns).toBe(16);
    const b = deliver(env, 4, true, 10, 40001);
    expect(b.conn.half0.runs).toBeNull();
    expect(env.asm.stats.windowPageLimitHits).toBeGreaterThan(0);
    resend(env, b.bytes, 0, 10, 40001);
    expect(b.conn.stats[0].conflictChecksImpossible).toBe(1);
    expect(b.conn.conflicts).toEqual([]);
    // The first connection's checks are untouched.
    resend(env, a.bytes, 0, 10, 40000);
    expect(a.conn.conflicts).toHaveLength(1);
    env.asm.flushAll();
    expect(env.asm.stats.windowRuns).toBe(0);
    expect(env.asm.stats.windowRunsPeak).toBe(16);
  });

  it('rings given back are kept for reuse only up to a bound (a burst does not pin its peak)', () => {
    const env = setup();
    // 80 connections each at a 512-run ring: 2.6 MB of runs, more than the free rings may keep.
    for (let c = 0; c < 80; c++) deliver(env, 600, true, 1, 41000 + c);
    expect(env.asm.stats.windowRuns).toBe(80 * 512);
    env.asm.flushAll();
    expect(env.asm.stats.windowRuns).toBe(0);
    const runs = (env.asm as unknown as { delivered: { runs: { freeRunSlots: number } } }).delivered.runs;
    expect(runs.freeRunSlots).toBeGreaterThan(0);
    expect(runs.freeRunSlots).toBeLessThanOrEqual(MAX_FREE_RUNS);
  });

  it('an emptied ring is kept for the next data, and given back once rings fill half the bound', () => {
    const roomy = setup();
    const kept = deliver(roomy, 3, true);
    roomy.asm.assemble(s2c(1, '', { ack: 301 }));
    expect(kept.conn.half0.runCount).toBe(0);
    expect(kept.conn.half0.runs).not.toBeNull();
    const tight = setup({ maxWindowPagesTotal: 1 });
    const given = deliver(tight, 8, true, 10);
    tight.asm.assemble(s2c(1, '', { ack: 81 }));
    expect(given.conn.half0.runs).toBeNull();
    expect(tight.asm.stats.windowRuns).toBe(0);
  });

  it('runs from two files in one window (captures read as one timeline) are read back each from its own', () => {
    const env = setup();
    handshake(env.asm, 0, 0);
    const one = fakeFile('first-half', 100);
    const two = fakeFile('second-half', 7);
    const a = c2s(1, 'first-half', { recordNumber: 10, ack: 1 });
    a.readBack = one.readBack;
    a.payloadFileOffset = 100;
    const b = c2s(11, 'second-half', { recordNumber: 11, ack: 1 });
    b.readBack = two.readBack;
    b.payloadFileOffset = 7;
    env.asm.assemble(a);
    env.asm.assemble(b);
    // Record numbers run across the timeline of the set: each old packet is a span, read from its own file.
    env.asm.assemble(c2s(1, 'first-halF' + 'second-halF', { recordNumber: 99, ack: 1 }));
    expect(one.reads).toEqual([100]);
    expect(two.reads).toEqual([7]);
    const c = env.factory.streams[0]!.conn.conflicts;
    expect(c).toMatchObject([
      { seq: 1, length: 10, firstDifferenceSeq: 10, oldRecordNumber: 10 },
      { seq: 11, length: 11, firstDifferenceSeq: 21, oldRecordNumber: 11 },
    ]);
  });

  it('a copied run after runs in the file starts the window over (and the other way round)', () => {
    const env = setup();
    const { conn, bytes } = deliver(env, 3, true);
    // A segment with no file behind it (a reassembled datagram, say): the window now holds it alone.
    env.asm.assemble(c2s(301, bytes.subarray(0, 100), { recordNumber: 50, ack: 1 }));
    expect(conn.half0.runCount).toBe(0);
    expect(conn.half0.deliveredStart).toBe(301);
    expect(conn.half0.deliveredBytes).toBe(100);
    resend(env, bytes, 0, 100);
    expect(conn.stats[0].conflictChecksImpossible).toBe(1);
    const p = c2s(401, bytes.subarray(100, 200), { recordNumber: 51, ack: 1 });
    p.readBack = fakeFile(bytes.subarray(100, 200).toString('latin1'), 0).readBack;
    p.payloadFileOffset = 0;
    env.asm.assemble(p);
    expect(conn.half0.deliveredFirst).toBeNull();
    expect(conn.half0.runCount).toBe(1);
    expect(conn.half0.deliveredStart).toBe(401);
  });

  it('a conflicting retransmission is found by reading the old bytes back, exactly as from a copy', () => {
    const f = fakeFile('hello world', 500);
    const read = retransmit('hello world', 'hellO world', { readBack: f.readBack, at: 500 });
    const copied = retransmit('hello world', 'hellO world');
    expect(read.out).toBe('hello world');
    expect(read.conflicts).toEqual(copied.conflicts);
    expect(read.conflicts).toMatchObject([{ seq: 1, length: 11, firstDifferenceSeq: 5, against: 'delivered', winner: 'old', oldRecordNumber: 10 }]);
    expect(f.reads).toEqual([500]);
    expect(read.st.conflictChecksImpossible).toBe(0);
  });

  it('the bytes compared are the file\'s, not a copy of the packet', () => {
    // The file holds what the retransmission carries: read back, the two agree; a copy would have differed.
    const f = fakeFile('HELLO', 40);
    const read = retransmit('hello', 'HELLO', { readBack: f.readBack, at: 40 });
    expect(read.conflicts).toEqual([]);
    expect(retransmit('hello', 'HELLO').conflicts).toHaveLength(1);
  });

  it('a retransmission of the second half reads back from the right position', () => {
    const f = fakeFile('0123456789', 1000);
    const env = setup();
    handshake(env.asm, 0, 0);
    const p = c2s(1, '0123456789', { recordNumber: 10, ack: 1 });
    p.readBack = f.readBack;
    p.payloadFileOffset = 1000;
    env.asm.assemble(p);
    env.asm.assemble(c2s(6, '56X89', { recordNumber: 11, ack: 1 }));
    const c = env.factory.streams[0]!.conn.conflicts;
    expect(f.reads).toEqual([1005]);
    expect(c).toMatchObject([{ seq: 6, length: 5, firstDifferenceSeq: 8 }]);
  });

  it('a read that fails leaves the bytes unchecked and counted, never compared with garbage', () => {
    const f = fakeFile('hello world', 0, true);
    const read = retransmit('hello world', 'hellO world', { readBack: f.readBack, at: 0 });
    expect(read.conflicts).toEqual([]);
    expect(read.st.conflictChecksImpossible).toBe(1);
    expect(read.st.conflictUncheckedBytes).toBe(11);
    expect(read.out).toBe('hello world');
  });

  it('a real capture gives the same conflicts by path (read back) as through a pipe (copied)', async () => {
    for (const sample of ['samples/crafted/conflicting-retransmission.pcap', 'samples/ipv4-heavyloss.pcap', 'samples/ipv4-loss.pcapng']) {
      const byPath = await overlapsCapture(sample);
      const piped = await overlapsCapture(fs.createReadStream(sample));
      expect(piped.events, sample).toEqual(byPath.events);
      expect(piped.byConnection, sample).toEqual(byPath.byConnection);
      expect(piped.summary.conflicts, sample).toBe(byPath.summary.conflicts);
      expect(piped.summary.bytesReassembled, sample).toBe(byPath.summary.bytesReassembled);
    }
    const crafted = await overlapsCapture('samples/crafted/conflicting-retransmission.pcap');
    expect(crafted.summary.conflicts).toBe(2);
    // One of the two is against delivered bytes: the path run found it by reading them back.
    expect(JSON.stringify(crafted.events)).toContain('vs delivered');
  });
});
