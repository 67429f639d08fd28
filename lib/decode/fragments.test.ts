import { describe, it, expect } from 'vitest';
import { Decoder, type DecoderOptions } from './decoder.js';
import { TcpPacket } from './packet.js';
import {
  captureRecord,
  evenPieces,
  fragmentIpv4,
  fragmentIpv6,
  ipv4Packet,
  linkFrame,
  tcpPacket,
  tcpFrame,
  TCP_ACK,
  type FragmentPiece,
  type TcpSegmentSpec,
  type IpSpec,
} from '../../test/support/frame-builder.js';
import { expectBalanced, nonZero } from '../../test/support/decode-assert.js';

/** Deterministic payload bytes, different at every position so misplaced bytes are noticed. */
function pattern(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const spec4: TcpSegmentSpec & IpSpec = {
  src: '172.16.0.1',
  dst: '172.16.0.2',
  srcPort: 4444,
  dstPort: 443,
  seq: 1000,
  ack: 2000,
  flags: TCP_ACK,
  ipId: 0x4242,
  payload: pattern(3000),
};
const spec6: TcpSegmentSpec & IpSpec = {
  ...spec4,
  src: '2001:db8::10',
  dst: '2001:db8::20',
  extHeaders: [{ type: 'hop-by-hop' }, { type: 'destination', length: 16 }],
};

class Run {
  readonly dec: Decoder;
  readonly out = new TcpPacket();
  results: boolean[] = [];
  constructor(options: DecoderOptions = {}) {
    this.dec = new Decoder(options);
  }
  feed(ipPackets: Buffer[], tsSec = 100): this {
    for (const p of ipPackets) this.results.push(this.dec.decode(captureRecord(linkFrame(p, { linkType: 1 }), 1, { tsSec }), this.out));
    return this;
  }
  get stats() {
    return this.dec.stats;
  }
}

function shuffled<T>(items: T[], seed: number): T[] {
  const a = items.slice();
  let x = seed;
  for (let i = a.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const j = x % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

function orders(n: number): Array<[string, number[]]> {
  const idx = [...Array(n).keys()];
  return [
    ['in order', idx],
    ['reversed', idx.slice().reverse()],
    ['shuffled (seed 1)', shuffled(idx, 1)],
    ['shuffled (seed 2)', shuffled(idx, 2)],
    ['shuffled (seed 3)', shuffled(idx, 3)],
  ];
}

for (const [version, spec, cut] of [
  ['IPv4', spec4, (p: Buffer, pieces: FragmentPiece[] | number) => fragmentIpv4(p, pieces)],
  ['IPv6', spec6, (p: Buffer, pieces: FragmentPiece[] | number) => fragmentIpv6(p, pieces)],
] as const) {
  describe(`${version} fragment reassembly`, () => {
    const packet = tcpPacket(spec);
    const frags = cut(packet, 504);

    for (const [name, order] of orders(frags.length)) {
      it(`delivers the whole segment once, ${name}`, () => {
        const run = new Run({ verifyChecksums: true }).feed(order.map((i) => frags[i]!));
        expect(run.results).toEqual([...Array(frags.length - 1).fill(false), true]);
        const out = run.out;
        expect(out.reassembled).toBe(true);
        expect(out.checksumOk).toBe(1);
        expect(out.seq).toBe(1000);
        expect(out.ack).toBe(2000);
        expect(out.srcPort).toBe(4444);
        expect(out.payload().equals(spec.payload as Buffer)).toBe(true);
        expect(out.wireLength).toBe(3000);
        expect(run.stats.fragments).toBe(frags.length);
        expect(run.stats.reassembled).toBe(1);
        expect(run.stats.fragmentsHeld).toBe(frags.length - 1);
        expect(run.stats.fragmentBytesHeld).toBe(0);
        expect(run.stats.fragmentOverlaps).toBe(0);
        expectBalanced(run.stats);
      });
    }

    it('keeps the first copy of overlapping bytes and counts overlaps that agree', () => {
      const pieces: FragmentPiece[] = [
        { offset: 0, length: 1600 },
        { offset: 800, length: 1600 }, // overlaps [800, 1600) with the same bytes
        { offset: 2400, length: 800 }, // reaches past the end of the TCP segment? no: clipped below
      ];
      const total = packet.length - (version === 'IPv4' ? 20 : 48);
      pieces[2] = { offset: 2400, length: total - 2400 };
      const run = new Run({ verifyChecksums: true }).feed(cut(packet, pieces));
      expect(run.results).toEqual([false, false, true]);
      expect(run.out.payload().equals(spec.payload as Buffer)).toBe(true);
      expect(run.stats.fragmentOverlaps).toBe(1);
      expect(run.stats.fragmentOverlapConflicts).toBe(0);
      expect(run.stats.fragmentDuplicates).toBe(0);
      expectBalanced(run.stats);
    });

    it('keeps the first copy when overlapping bytes differ, and counts the conflict', () => {
      const total = packet.length - (version === 'IPv4' ? 20 : 48);
      const good = cut(packet, [
        { offset: 0, length: 1600 },
        { offset: 1600, length: total - 1600 },
      ]);
      // A forgery inside the first genuine piece, after it: the genuine bytes stay.
      const inside = cut(packet, [{ offset: 800, length: 600, more: true, fill: 0x41 }]);
      let run = new Run().feed([good[0]!, inside[0]!, good[1]!]);
      expect(run.results).toEqual([false, false, true]);
      expect(run.out.payload().equals(spec.payload as Buffer)).toBe(true);
      expect(run.stats.fragmentOverlaps).toBe(1);
      expect(run.stats.fragmentOverlapConflicts).toBe(1);

      // A forgery across both genuine pieces, first: its bytes are the first copy, and they stay.
      const forged = cut(packet, [{ offset: 1000, length: 1200, more: true, fill: 0x41 }]);
      run = new Run().feed([forged[0]!, good[0]!, good[1]!]);
      expect(run.results).toEqual([false, false, true]);
      const expected = Buffer.from(packet.subarray(packet.length - total));
      expected.fill(0x41, 1000, 2200);
      const tcpStart = version === 'IPv4' ? 0 : 16; // IPv6: after the 16-byte destination options header
      expect(run.out.payload().equals(expected.subarray(tcpStart + 20))).toBe(true);
      expect(run.stats.fragmentOverlaps).toBe(2);
      expect(run.stats.fragmentOverlapConflicts).toBe(2);
      expectBalanced(run.stats);
    });

    it('counts exact duplicates and still completes', () => {
      const run = new Run().feed([frags[0]!, frags[0]!, ...frags.slice(1, 3), frags[2]!, ...frags.slice(3)]);
      expect(run.results.filter(Boolean).length).toBe(1);
      expect(run.results[run.results.length - 1]).toBe(true);
      expect(run.stats.fragmentDuplicates).toBe(2);
      expect(run.stats.fragmentOverlaps).toBe(2);
      expect(run.stats.fragmentOverlapConflicts).toBe(0);
      expect(run.out.payload().equals(spec.payload as Buffer)).toBe(true);
      expectBalanced(run.stats);
    });

    it('drops a datagram whose missing fragment does not come within the timeout (capture time)', () => {
      const run = new Run();
      run.feed(frags.slice(0, -1), 100);
      expect(run.stats.fragmentBytesHeld).toBeGreaterThan(0);
      run.feed([tcpPacket({ ...spec4, payload: 'x' })], 130); // 30 s later: not expired yet
      expect(run.stats.fragmentTimeouts).toBe(0);
      run.feed([tcpPacket({ ...spec4, payload: 'x' })], 131);
      expect(run.stats.fragmentTimeouts).toBe(1);
      expect(run.stats.fragmentBytesHeld).toBe(0);
      run.feed(frags.slice(-1), 132); // the late fragment starts a new datagram that never completes
      expect(run.results[run.results.length - 1]).toBe(false);
      run.dec.finish();
      expect(run.stats.fragmentsUnfinished).toBe(1);
      expect(run.stats.reassembled).toBe(0);
      expectBalanced(run.stats);
    });

    it('completes a datagram whose last fragment comes just within the timeout', () => {
      const run = new Run({ fragmentTimeoutSec: 5 });
      run.feed(frags.slice(0, -1), 100);
      run.feed(frags.slice(-1), 105);
      expect(run.results[run.results.length - 1]).toBe(true);
      expect(run.stats.fragmentTimeouts).toBe(0);
    });
  });
}

describe('fragment reassembly limits and damage', () => {
  const packet = tcpPacket(spec4);
  const datagram = (id: number) => fragmentIpv4(tcpPacket({ ...spec4, ipId: id }), 1024);

  it('evicts the oldest datagram when the datagram cap is reached', () => {
    const a = datagram(1);
    const b = datagram(2);
    const c = datagram(3);
    const run = new Run({ maxFragmentDatagrams: 2 }).feed([a[0]!, b[0]!, c[0]!]);
    expect(run.stats.fragmentEvictions).toBe(1);
    run.feed(a.slice(1)); // a was evicted: its rest starts over and cannot complete
    run.feed(c.slice(1)); // c completes
    expect(run.stats.reassembled).toBe(1);
    expect(run.out.payload().equals(spec4.payload as Buffer)).toBe(true);
    expectBalanced(run.stats);
  });

  it('never holds more bytes than the byte cap, evicting the oldest datagram', () => {
    // Buffers grow 2048 -> 4096 bytes: four first fragments fill 8192 exactly. Datagram 1 grows by evicting the
    // oldest other one (2) and completes; the rest of 2 starts a new, newest datagram; 3 grows by evicting the
    // oldest other one (4) and completes; the rest of 4 starts over. Two complete, two remain.
    const cap = 8192;
    const run = new Run({ maxFragmentBytes: cap });
    const lists = [1, 2, 3, 4].map(datagram);
    run.feed(lists.map((l) => l[0]!));
    expect(run.stats.fragmentBytesHeld).toBe(cap);
    for (const l of lists) run.feed(l.slice(1));
    expect(run.stats.fragmentBytesPeak).toBe(cap);
    expect(run.stats.fragmentEvictions).toBe(2);
    expect(run.stats.reassembled).toBe(2);
    run.dec.finish();
    expect(run.stats.fragmentsUnfinished).toBe(2);
    expectBalanced(run.stats);
  });

  it('drops a datagram that alone exceeds the byte cap', () => {
    const run = new Run({ maxFragmentBytes: 1000 }).feed(fragmentIpv4(packet, 1024));
    expect(run.stats.reassembled).toBe(0);
    expect(run.stats.fragmentBytesHeld).toBe(0);
    expect(run.stats.fragmentEvictions).toBeGreaterThan(0);
    expectBalanced(run.stats);
  });

  it('drops a datagram cut into more pieces than the cap', () => {
    // Every other 8-byte piece: each one is a new disjoint range.
    const pieces: FragmentPiece[] = [];
    for (let o = 0; o < 80; o += 16) pieces.push({ offset: o, length: 8 });
    const run = new Run({ maxFragmentPieces: 4 }).feed(fragmentIpv4(packet, pieces));
    expect(nonZero(run.stats.malformedByKind())).toEqual({ tooManyFragmentPieces: 1 });
    expect(run.stats.fragmentBytesHeld).toBe(0);
    expectBalanced(run.stats);
  });

  it('rejects fragments that cannot be right', () => {
    const base = fragmentIpv4(packet, [{ offset: 0, length: 1000 }])[0]!;
    const beyond = Buffer.from(base);
    beyond.writeUInt16BE(0x2000 | 8190, 6); // 65520 + 1000 > 65535
    const odd = fragmentIpv4(packet, [{ offset: 0, length: 1001, more: true }])[0]!;
    const run = new Run().feed([beyond, odd]);
    expect(nonZero(run.stats.malformedByKind())).toEqual({ badFragment: 2 });

    const last1 = fragmentIpv4(packet, [{ offset: 1000 - (1000 % 8), length: 500, more: false }])[0]!;
    const last2 = fragmentIpv4(packet, [{ offset: 2000, length: 300, more: false }])[0]!;
    const after = fragmentIpv4(packet, [{ offset: 1600, length: 800, more: true }])[0]!;
    const run2 = new Run().feed([last1, last2, after]);
    expect(nonZero(run2.stats.malformedByKind())).toEqual({ inconsistentFragment: 2 });
    expectBalanced(run2.stats);
  });

  it('does not buffer fragments of protocols that cannot lead to TCP, but counts them', () => {
    // UDP is buffered (a tunnel may be behind it); SCTP is not.
    const sctp = ipv4Packet('1.2.3.4', '5.6.7.8', 132, pattern(3000));
    const run = new Run().feed(fragmentIpv4(sctp, 1024));
    expect(run.stats.fragments).toBe(3);
    expect(nonZero(run.stats.nonTcpByKind())).toEqual({ otherIp: 3 });
    expect(run.stats.fragmentBytesHeld).toBe(0);
    expectBalanced(run.stats);
  });

  it('counts a fragment cut by snaplen as unusable', () => {
    const dec = new Decoder();
    const frag = linkFrame(fragmentIpv4(packet, 1024)[0]!, { linkType: 1 });
    expect(dec.decode(captureRecord(frag, 1, { snaplen: 100 }), new TcpPacket())).toBe(false);
    expect(nonZero(dec.stats.malformedByKind())).toEqual({ fragmentCutBySnaplen: 1 });
    expectBalanced(dec.stats);
  });

  it('keeps two interleaved datagrams of different flows apart', () => {
    const other = tcpPacket({ ...spec4, src: '172.16.0.9', payload: pattern(3000, 99) });
    const a = fragmentIpv4(packet, 1024);
    const b = fragmentIpv4(other, 1024);
    const run = new Run();
    const payloads: Buffer[] = [];
    for (let i = 0; i < a.length; i++) {
      for (const f of [a[i]!, b[i]!]) {
        run.feed([f]);
        if (run.results[run.results.length - 1]) payloads.push(Buffer.from(run.out.payload()));
      }
    }
    expect(payloads.length).toBe(2);
    expect(payloads[0]!.equals(pattern(3000))).toBe(true);
    expect(payloads[1]!.equals(pattern(3000, 99))).toBe(true);
  });

  it('verifies the TCP checksum of a reassembled segment', () => {
    const bad = tcpPacket({ ...spec4, tcpChecksum: 'bad' });
    const run = new Run({ verifyChecksums: true }).feed(fragmentIpv4(bad, 1024));
    expect(run.results).toEqual([false, false, false]);
    expect(run.stats.reassembled).toBe(1);
    expect(run.stats.badTcpChecksums).toBe(1);
    expect(run.stats.checksumFailed).toBe(1);
    expectBalanced(run.stats);
  });

  it('leaves an unfragmented packet alone (DF set, offset 0)', () => {
    const dec = new Decoder();
    const out = new TcpPacket();
    expect(dec.decode(captureRecord(tcpFrame({ ...spec4, dontFragment: true }), 1), out)).toBe(true);
    expect(out.reassembled).toBe(false);
    expect(dec.stats.fragments).toBe(0);
  });

  it('splits evenly', () => {
    expect(evenPieces(20, 8)).toEqual([
      { offset: 0, length: 8 },
      { offset: 8, length: 8 },
      { offset: 16, length: 4 },
    ]);
  });
});
