import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CaptureReadBack } from '../capture/read-back.js';
import { overlapsCapture } from '../pipeline/index.js';
import { c2s, handshake, setup } from '../../test/support/engine-helpers.js';
import type { Connection } from './connection.js';
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

/** The window pages of the client direction after delivering `n` segments of 100 bytes, read back or copied. */
function windowPages(n: number, readBack: boolean) {
  const env = setup();
  handshake(env.asm, 0, 0);
  const f = fakeFile('x'.repeat(100 * n), 0);
  for (let i = 0; i < n; i++) {
    const p = c2s(1 + 100 * i, 'x'.repeat(100), { recordNumber: 10 + i, ack: 1 });
    if (readBack) {
      p.readBack = f.readBack;
      p.payloadFileOffset = 100 * i;
    }
    env.asm.assemble(p);
  }
  const conn = env.factory.streams[0]!.conn as unknown as Connection;
  const pages: Page[] = [];
  for (let p = conn.half0.deliveredFirst; p !== null; p = p.next) pages.push(p);
  return pages;
}

describe('delivered window kept as file positions', () => {
  it('its pages hold no bytes at all: only the positions (a copied window fills its pages)', () => {
    const read = windowPages(40, true);
    expect(read.length).toBeGreaterThan(2);
    expect(read.filter((p) => p.holdsBytes)).toEqual([]);
    const copied = windowPages(40, false);
    expect(copied.length).toBeGreaterThan(2);
    expect(copied.every((p) => p.holdsBytes)).toBe(true);
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
