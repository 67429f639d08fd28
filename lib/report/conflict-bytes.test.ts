import { describe, expect, it } from 'vitest';
import { conflictBytesText } from './conflict-bytes.js';
import type { ConflictJson, OverlapRow } from './rows.js';

const copy = (text: string, recordNumber: number, hash: string) => ({
  time: '2023-11-14T22:13:20.000000000Z',
  epoch: '1700000000.000000000',
  recordNumber,
  segmentLength: text.length,
  hash,
  sample: Buffer.from(text, 'latin1').toString('hex'),
});

describe('conflict bytes dump', () => {
  const conflict: ConflictJson = {
    direction: 'c2s',
    seq: 1001,
    length: 20,
    firstDifferenceSeq: 1006,
    against: 'delivered',
    kept: 'old',
    hashName: 'fnv1a32',
    sampleOffset: 0,
    old: copy('GET /evidence HTTP/1\x00', 4, '0a0b0c0d'),
    new: copy('GET /tampered HTTP/1\x01', 5, '01020304'),
  };
  const row: OverlapRow = { tsSec: 1_700_000_000, tsNsec: 0, connectionId: 3, direction: 'c2s', seqStart: 1001, seqEnd: 1021, bytes: 20, seqBase: 1000, kind: 'conflict', conflict };

  it('hex and ASCII of both copies, 16 a line, a caret under each differing byte; relative seq by default', () => {
    expect(conflictBytesText(row, conflict, false).split('\n')).toEqual([
      'conn 3 c2s, seq 1, 20 B: first difference at +5',
      '  kept the old copy (compared against delivered data)',
      '  old: record 4, fnv1a32 0a0b0c0d',
      '  new: record 5, fnv1a32 01020304',
      '     +0  old 47 45 54 20 2f 65 76 69 64 65 6e 63 65 20 48 54  GET /evidence HT',
      '         new 47 45 54 20 2f 74 61 6d 70 65 72 65 64 20 48 54  GET /tampered HT',
      '                            ^^ ^^ ^^ ^^    ^^ ^^ ^^                ^^^^ ^^^',
      '    +16  old 54 50 2f 31 00                                   TP/1.',
      '         new 54 50 2f 31 01                                   TP/1.',
      '                         ^^                                       ^',
    ]);
  });

  it('--absolute: the raw sequence number; without a SYN seen the number is marked (abs)', () => {
    expect(conflictBytesText(row, conflict, true).split('\n')[0]).toMatch(/^conn 3 c2s, seq 1001, 20 B/);
    expect(conflictBytesText({ ...row, seqBase: null }, conflict, false).split('\n')[0]).toMatch(/^conn 3 c2s, seq 1001 \(abs\), 20 B/);
  });

  it('a line whose bytes all agree has no caret line', () => {
    const same = { ...conflict, old: copy('A'.repeat(16) + 'x', 4, '1'), new: copy('A'.repeat(16) + 'y', 5, '2') };
    const lines = conflictBytesText(row, same, false).split('\n');
    expect(lines[6]).toMatch(/^\s+\+16\s+old/);
  });
});
