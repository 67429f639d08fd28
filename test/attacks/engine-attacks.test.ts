import { ENCAPSULATIONS, MAX_ENCAPSULATIONS } from '../../lib/decode/encapsulation.js';
import { MAX_ENCAPSULATION_DEPTH } from '../../lib/decode/stats.js';
import { captureRecord } from '../support/frame-builder.js';
import { describe, it, expect } from 'vitest';
import * as g from './generators.js';
import { engine, heapUsed, decoderEngine } from './harness.js';

const MiB = 1 << 20;

describe('SYN flood (half-open connections) with a small maxConnections', () => {
  const run = (n: number) => {
    const e = engine(undefined, { maxConnections: 1000, maxTombstones: 1000, maxRememberedTuples: 10_000 });
    const before = heapUsed();
    g.synFlood(n, e.feed);
    const growth = heapUsed() - before;
    return { e, growth };
  };

  it('100k SYNs: open connections never exceed the bound, every eviction is counted, memory does not grow with n', () => {
    const small = run(10_000);
    const { e, growth } = run(100_000);
    const ps = e.pool.stats;
    expect(ps.connectionsCreated).toBe(100_000);
    expect(e.peaks.open).toBe(1000);
    expect(ps.connectionsPeakOpen).toBe(1000);
    expect(ps.ended.evicted).toBe(99_000);
    expect(e.peaks.tombstones).toBe(1000);
    expect(ps.tombstonesExpired).toBe(98_000);
    expect(ps.midStreamPickups).toBe(0);
    expect(e.totals.completed).toBe(99_000);
    expect(e.totals.endReasons).toEqual({ evicted: 99_000 });
    // Retained memory is that of 1000 connections + 1000 tombstones + 10k remembered tuples, whatever n is.
    expect(growth).toBeLessThan(64 * MiB);
    expect(growth - small.growth).toBeLessThan(16 * MiB);
    e.asm.flushAll();
    expect(e.totals.endReasons).toEqual({ evicted: 99_000, 'open-at-end': 1000 });
    expect(e.totals.bytesDelivered).toBe(0);
  });
});

describe('sequence number jump by 2^31', () => {
  // Segments further than max(1 GiB, 64 x the receiver's largest window) from nextSeq (and from the receiver's
  // acknowledgement) are outside any plausible window: counted as out-of-window and dropped, as the receiver
  // drops them; never buffered, never counted as retransmissions or overlaps.
  it('data 2^31 ahead: every segment counted as out of window, never buffered, never delivered', () => {
    const e = engine({ maxBufferedPagesPerConnection: 64 });
    g.seqJump(10_000, e.feed);
    const st = e.asm.pool.openConnections()[0]!.stats[0];
    expect(st.bytes).toBe(4000);
    expect(st.outOfWindowPackets).toBe(10_000);
    expect(st.outOfWindowBytes).toBe(10_000 * 1000);
    expect(st.retransmittedPackets).toBe(0);
    expect(st.overlapBytes).toBe(0);
    expect(e.peaks.bufferedPages).toBe(0);
    e.asm.flushAll();
    expect(e.totals.bytesDelivered).toBe(4000);
    expect(e.totals.bytesSkipped).toBe(0);
  });

  it('a jump of 2^31 - 1 (ahead in modulo-2^32 order) is out of window too: nothing queued, no 2 GiB gap', () => {
    const e = engine({ maxBufferedPagesPerConnection: 64 });
    g.seqJump(10_000, e.feed, 0x7fffffff);
    const st = e.asm.pool.openConnections()[0]!.stats[0];
    expect(st.queuedPackets).toBe(0);
    expect(st.outOfWindowPackets).toBe(10_000);
    expect(st.retransmittedPackets).toBe(0);
    e.asm.flushAll();
    expect(e.totals.bytesDelivered).toBe(4000);
    expect(e.totals.bytesSkipped).toBe(0);
    expect(st.missingBytes).toBe(0);
    expect(e.peaks.bufferedPages).toBe(0);
  });

  it('a jump of 2^29 past a 64 KiB window is outside it: every segment after the jump is dropped', () => {
    const e = engine({ maxBufferedPagesPerConnection: 64 });
    g.seqJump(10, e.feed, 0x20000000);
    const st = e.asm.pool.openConnections()[0]!.stats[0];
    // Each replaces the one held for the receiver to decide; nothing acknowledged the last one either.
    expect(st.outOfWindowPackets).toBe(9);
    expect(st.queuedPackets).toBe(0);
    e.asm.flushAll();
    expect(st.outOfWindowPackets).toBe(10);
    expect(e.totals.bytesDelivered).toBe(4000);
    expect(e.totals.bytesSkipped).toBe(0);
  });

  it('a jump of 2^29 within 1 GiB windows (scale 14) is plausible: queued, the rest follow, one 2^29 gap', () => {
    const e = engine({ maxBufferedPagesPerConnection: 64 });
    g.seqJump(10, e.feed, 0x20000000, 1000, 4000, 14);
    const st = e.asm.pool.openConnections()[0]!.stats[0];
    expect(st.outOfWindowPackets).toBe(0);
    expect(st.queuedPackets).toBe(10);
    e.asm.flushAll();
    expect(e.totals.bytesDelivered).toBe(4000 + 10 * 1000);
    expect(e.totals.bytesSkipped).toBe(0x20000000);
    expect(st.missingBytes).toBe(0x20000000);
  });

  it('a jump of 2^31 is outside even a 1 GiB window: not read as old data', () => {
    const e = engine({ maxBufferedPagesPerConnection: 64 });
    g.seqJump(10, e.feed, 0x80000000, 1000, 4000, 14);
    const st = e.asm.pool.openConnections()[0]!.stats[0];
    expect(st.outOfWindowPackets).toBe(10);
    expect(st.retransmittedPackets).toBe(0);
    e.asm.flushAll();
    expect(e.totals.bytesDelivered).toBe(4000);
  });

  it('forged data just inside a 1 GiB window: what is queued stays within the page bound', () => {
    const e = engine({ maxBufferedPagesPerConnection: 64 });
    g.seqJump(1000, e.feed, 0x3fff0000, 1000, 4000, 14);
    const st = e.asm.pool.openConnections()[0]!.stats[0];
    expect(st.outOfWindowPackets).toBe(0);
    expect(e.peaks.bufferedPages).toBeLessThanOrEqual(65);
    expect(e.asm.stats.limitHitsPerConnection).toBe(1);
  });
});

describe('overlapping retransmissions with different data', () => {
  it('5000 conflicting copies of buffered data: every conflict counted, records bounded, one page held', () => {
    const e = engine({ maxConflictRecordsPerConnection: 32 });
    g.conflictingRetransmissions(5000, e.feed);
    e.asm.flushAll();
    expect(e.totals.conflicts).toBe(5000);
    expect(e.totals.conflictRecords).toBe(32);
    expect(e.totals.conflictsDropped).toBe(4968);
    expect(e.peaks.bufferedPages).toBe(1);
    expect(e.totals.bytesDelivered).toBe(200);
  });

  it('5000 conflicting copies of delivered data: checked against the window, which stays bounded', () => {
    const e = engine({ maxConflictRecordsPerConnection: 32, deliveredWindowBytes: 65536, releaseWindowOnAck: false });
    g.conflictingDelivered(5000, e.feed);
    e.asm.flushAll();
    expect(e.totals.conflicts).toBe(5000);
    expect(e.totals.conflictRecords).toBe(32);
    expect(e.totals.conflictsDropped).toBe(4968);
    expect(e.totals.bytesDelivered).toBe(500_000);
    // 64 KiB of window in 1900-byte pages (one page more while the oldest is being trimmed).
    expect(e.peaks.pagesInUse).toBeLessThanOrEqual(Math.ceil(65536 / 1900) + 2);
  });
});

describe('a 100k-segment out-of-order queue', () => {
  const MAX = 4096;
  it('in order behind one hole: the page bound forces the hole out once, nothing else is lost', () => {
    const e = engine({ maxBufferedPagesPerConnection: MAX });
    const before = heapUsed();
    g.oooQueue(100_000, e.feed);
    const growth = heapUsed() - before;
    expect(e.peaks.bufferedPages).toBeLessThanOrEqual(MAX + 1);
    expect(e.asm.stats.limitHitsPerConnection).toBe(1);
    expect(e.asm.stats.bytesSkippedByLimits).toBe(100);
    e.asm.flushAll();
    expect(e.totals.bytesDelivered).toBe(100_000 * 100);
    expect(e.totals.bytesSkipped).toBe(100);
    expect(growth).toBeLessThan(96 * MiB);
  });

  it('in reverse order: skipped bytes are reported, and delivered + skipped covers the whole stream', () => {
    const e = engine({ maxBufferedPagesPerConnection: MAX });
    g.oooQueue(100_000, e.feed, 100, true);
    expect(e.peaks.bufferedPages).toBeLessThanOrEqual(MAX + 1);
    const skipped = e.asm.stats.bytesSkippedByLimits;
    e.asm.flushAll();
    // The queue reached MAX + 1 pages: the hole before the lowest of them (all lower data not yet seen) went.
    expect(skipped).toBe((100_000 - MAX) * 100);
    expect(e.totals.bytesDelivered + skipped).toBe(100_001 * 100);
    expect(e.totals.bytesSkipped).toBe(skipped);
  });

  it('every other segment lost: each hole is skipped (by the bound, then by flushAll), every byte sent is delivered', () => {
    const e = engine({ maxBufferedPagesPerConnection: MAX });
    g.everyOtherLost(100_000, e.feed);
    expect(e.peaks.bufferedPages).toBeLessThanOrEqual(MAX + 1);
    const byLimits = e.asm.stats.bytesSkippedByLimits;
    expect(e.asm.stats.limitHitsPerConnection).toBe(100_000 - MAX);
    expect(byLimits).toBe((100_000 - MAX) * 100);
    e.asm.flushAll();
    expect(e.totals.bytesDelivered).toBe(100_000 * 100);
    expect(e.totals.bytesSkipped).toBe(100_000 * 100);
  });
});

describe('tiny segments', () => {
  it('100k one-byte segments in order: delivered without buffering', () => {
    const e = engine();
    g.tinySegments(100_000, e.feed);
    e.asm.flushAll();
    expect(e.totals.bytesDelivered).toBe(100_000);
    expect(e.peaks.bufferedPages).toBe(0);
  });

  it('100k one-byte segments out of order (blocks of 16 reversed): a page per byte, bounded by the reorder depth', () => {
    const e = engine();
    g.tinySegments(100_000, e.feed, true);
    e.asm.flushAll();
    expect(e.totals.bytesDelivered).toBe(100_000);
    expect(e.totals.bytesSkipped).toBe(0);
    expect(e.peaks.bufferedPages).toBe(15);
  });

  it('one-byte segments past the page bound: the bound holds and the cost is reported', () => {
    const e = engine({ maxBufferedPagesPerConnection: 100 });
    g.everyOtherLost(10_000, e.feed, 1);
    expect(e.peaks.bufferedPages).toBeLessThanOrEqual(101);
    expect(e.asm.stats.bytesSkippedByLimits).toBe(10_000 - 100);
  });
});

describe('port reuse in quick succession', () => {
  it('10k connections on one 4-tuple: each a new connection with its own id and reuse index', () => {
    const ids = new Set<number>();
    const reuse: number[] = [];
    const e = engine();
    const orig = e.pool.factory.new.bind(e.pool.factory);
    (e.pool.factory as { new: typeof orig }).new = (p, c, conn) => {
      ids.add(conn.id);
      reuse.push(conn.reuseIndex);
      return orig(p, c, conn);
    };
    g.portReuse(10_000, e.feed);
    e.asm.flushAll();
    expect(e.pool.stats.connectionsCreated).toBe(10_000);
    expect(ids.size).toBe(10_000);
    expect(reuse.every((r, i) => r === i)).toBe(true);
    expect(e.pool.stats.portReuses).toBe(9_999);
    expect(e.totals.endReasons).toEqual({ closed: 5000, superseded: 4999, 'open-at-end': 1 });
    expect(e.totals.bytesDelivered).toBe(10_000 * 10);
    expect(e.peaks.open).toBe(1);
  });
});

describe('RSTs with wrong sequence numbers', () => {
  // Policy (rstPolicy 'in-window', the default): an RST ends the connection only when the receiver could have
  // accepted it (RFC 793 / 5961). A blind RST 2^30 outside the window is dropped by the endpoint, so the engine
  // counts it (rstIgnored, suspiciousRsts) and goes on delivering the data after it.
  it('a blind RST (2^30 outside the window) is ignored and counted; the data after it is delivered', () => {
    const e = engine(undefined, { maxConnections: 2000 });
    g.blindRst(1000, e.feed);
    const open = e.pool.openConnections();
    expect(open.length).toBe(1000);
    expect(open.every((c) => c.suspiciousRsts === 1 && c.stats[1].rstIgnored === 1 && c.stats[1].rst === 1)).toBe(true);
    expect(e.pool.stats.ended.reset).toBe(0);
    expect(e.pool.stats.packetsToTombstones).toBe(0);
    e.asm.flushAll();
    expect(e.totals.endReasons).toEqual({ 'open-at-end': 1000 });
    expect(e.totals.bytesDelivered).toBe(1000 * 200);
  });

  it("with rstPolicy 'any' the blind RST ends the connection; the data after it is counted as after-close", () => {
    const e = engine({ rstPolicy: 'any' });
    g.blindRst(1000, e.feed);
    expect(e.pool.stats.ended.reset).toBe(1000);
    expect(e.pool.stats.packetsToTombstones).toBe(1000);
    e.asm.flushAll();
    expect(e.totals.endReasons).toEqual({ reset: 1000 });
    expect(e.totals.bytesDelivered).toBe(1000 * 100);
  });
});

describe('IP fragment floods and overlapping fragments (decoder caps)', () => {
  it('100k first fragments never completed: held bytes and datagrams stay under the caps, evictions counted', () => {
    const e = decoderEngine({ maxFragmentBytes: 4 * MiB, maxFragmentDatagrams: 1024 });
    g.fragmentFlood(100_000, e.feedRecord);
    const s = e.decoder.stats;
    expect(s.fragments).toBe(100_000);
    expect(s.fragmentBytesPeak).toBeLessThanOrEqual(4 * MiB);
    expect(s.fragmentEvictions).toBe(100_000 - 1024);
    expect(s.fragmentsHeld).toBe(100_000);
    e.decoder.finish();
    expect(s.fragmentsUnfinished).toBe(1024);
    expect(s.tcp).toBe(0);
    expect(s.packets).toBe(s.tcp + s.nonTcp + s.malformed + s.checksumFailed + s.fragmentsHeld);
  });

  it('10k datagrams with overlapping fragments that differ: every conflict counted, the first copy kept', () => {
    const e = decoderEngine();
    e.keepPayloads(true);
    g.overlappingFragments(10_000, e.feedRecord);
    const s = e.decoder.stats;
    expect(s.reassembled).toBe(10_000);
    expect(s.fragmentOverlaps).toBe(10_000);
    expect(s.fragmentOverlapConflicts).toBe(10_000);
    expect(e.payloads.length).toBe(10_000);
    for (const i of [0, 1, 4999, 9999]) expect(e.payloads[i]!.equals(g.overlappingFragmentPayload(i))).toBe(true);
  });
});

describe('tunnels (decoder and encapsulation bounds)', () => {
  it('100k distinct VXLAN tunnels around the same inner 4-tuple: the encapsulation table stays at its bound', () => {
    const e = decoderEngine();
    g.tunnelFlood(100_000, e.feedRecord);
    const s = e.decoder.stats;
    expect(s.tcp).toBe(100_000);
    expect(s.encapsulated).toBe(100_000);
    expect(ENCAPSULATIONS.size).toBeLessThanOrEqual(MAX_ENCAPSULATIONS);
    // Beyond the bound new tunnels share one id: counted, their connections not told apart.
    expect(s.encapsulationsUnkept).toBeGreaterThanOrEqual(100_000 - MAX_ENCAPSULATIONS);
    expect(e.pool.stats.connectionsCreated).toBeLessThanOrEqual(MAX_ENCAPSULATIONS);
  });

  it('nesting to the depth bound decodes; one layer more is counted, never thrown', () => {
    const e = decoderEngine();
    e.keepPayloads(true);
    const feed = (frame: Buffer) => e.feedRecord(captureRecord(frame, 1));
    feed(g.nestedTunnel(MAX_ENCAPSULATION_DEPTH));
    feed(g.nestedTunnel(MAX_ENCAPSULATION_DEPTH + 1));
    feed(g.nestedTunnel(100));
    expect(e.payloads.map((p) => p.toString())).toEqual(['deep']);
    expect(e.decoder.stats.nonTcpByKind().tunnelTooDeep).toBe(2);
  });
});
