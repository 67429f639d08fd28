import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCapture } from '../../lib/capture/source.js';
import { Decoder } from '../../lib/decode/decoder.js';
import { TcpPacket } from '../../lib/decode/packet.js';
import { Assembler } from '../../lib/reassembly/assembler.js';
import { StreamPool } from '../../lib/reassembly/pool.js';
import { RecordingFactory } from '../support/engine-streams.js';
import type { StreamPoolOptions } from '../../lib/reassembly/options.js';
import { encapsulationText } from '../../lib/decode/encapsulation.js';
import { CRAFTED, craftedDir, letters, SYN_FLOOD_SYNS } from './crafted.js';

/** Reads a crafted capture through the library with default options (pool options may be given). */
async function analyze(name: string, poolOpts?: Partial<StreamPoolOptions>) {
  const factory = new RecordingFactory();
  const pool = new StreamPool(factory, poolOpts);
  const asm = new Assembler(pool);
  const decoder = new Decoder();
  const pkt = new TcpPacket();
  const diagnostics: string[] = [];
  const summary = await readCapture(join(craftedDir(), name), (rec) => {
    if (decoder.decode(rec, pkt)) asm.assemble(pkt);
  }, { onDiagnostic: (d) => diagnostics.push(d.code) });
  decoder.finish();
  // Stats are read before flushAll for what is open, and after it for the end of every connection.
  const streams = factory.streams;
  asm.flushAll();
  return { summary, diagnostics, decoder: decoder.stats, asm, pool, streams };
}

describe('samples/crafted: committed files are what the generator makes', () => {
  for (const [name, make] of Object.entries(CRAFTED)) {
    it(name, () => {
      expect(readFileSync(join(craftedDir(), name)).equals(make())).toBe(true);
    });
  }
});

describe('samples/crafted: the library reports what README.md says', () => {
  it('conflicting-retransmission.pcap', async () => {
    const r = await analyze('conflicting-retransmission.pcap');
    expect(r.summary.cleanEnd).toBe(true);
    expect(r.diagnostics).toEqual([]);
    expect(r.streams.length).toBe(1);
    const s = r.streams[0]!;
    const c = s.conn;
    expect(c.endReason).toBe('closed');
    expect(s.bytes(0).toString('latin1')).toBe(letters('A', 100) + letters('C', 100) + letters('E', 100));
    expect(s.bytes(1).toString('latin1')).toBe('OK\n');
    expect(c.stats[0].conflicts).toBe(2);
    expect(c.stats[0].conflictBytes).toBe(200);
    expect(c.conflicts.map((x) => [x.against, x.winner, x.seq - 1001, x.length, x.oldRecordNumber, x.newRecordNumber])).toEqual([
      ['delivered', 'old', 0, 100, 4, 5],
      ['buffered', 'new', 200, 100, 6, 7],
    ]);
    // Both copies' segment lengths, also for the old copy of delivered data (from the delivered-data window).
    expect(c.conflicts.map((x) => [x.oldSegmentLength, x.newSegmentLength])).toEqual([
      [100, 100],
      [100, 100],
    ]);
    expect(c.stats[0].retransmittedPackets).toBe(2);
    expect(c.stats[0].missingBytes).toBe(0);
  });

  it('syn-flood.pcap (default bounds, and --max-connections 100)', async () => {
    const r = await analyze('syn-flood.pcap');
    expect(r.pool.stats.connectionsCreated).toBe(SYN_FLOOD_SYNS + 1);
    expect(r.pool.stats.ended.evicted).toBe(0);
    const half = r.streams.filter((s) => s.conn.stats[0].syn === 1 && s.conn.stats[1].packets === 0);
    expect(half.length).toBe(SYN_FLOOD_SYNS);
    const real = r.streams[SYN_FLOOD_SYNS]!;
    expect(real.conn.endReason).toBe('closed');
    expect(real.bytes(0).toString()).toBe('GET / HTTP/1.0\r\n\r\n');
    expect(real.bytes(1).toString()).toBe('HTTP/1.0 200 OK\r\n\r\n');

    const b = await analyze('syn-flood.pcap', { maxConnections: 100 });
    expect(b.pool.stats.connectionsCreated).toBe(SYN_FLOOD_SYNS + 1);
    expect(b.pool.stats.connectionsPeakOpen).toBe(100);
    // The real connection arrives when 100 half-open ones are open: each SYN after the 100th evicts the idlest.
    expect(b.pool.stats.ended.evicted).toBe(SYN_FLOOD_SYNS + 1 - 100);
    expect(b.streams[SYN_FLOOD_SYNS]!.conn.endReason).toBe('closed');
    expect(b.streams[SYN_FLOOD_SYNS]!.bytes(1).toString()).toBe('HTTP/1.0 200 OK\r\n\r\n');
  });

  it('seq-jump.pcap', async () => {
    const r = await analyze('seq-jump.pcap');
    const s = r.streams[0]!;
    const st = s.conn.stats[0];
    expect(s.conn.endReason).toBe('closed');
    expect(s.bytes(0).toString('latin1')).toBe(letters('a', 300) + letters('b', 100));
    expect(st.outOfWindowPackets).toBe(3);
    expect(st.outOfWindowBytes).toBe(300);
    expect(st.retransmittedPackets).toBe(0);
    expect(st.overlapBytes).toBe(0);
    expect(st.missingBytes).toBe(0);
    expect(st.queuedPackets).toBe(0);
  });

  it('overlapping-fragments.pcap', async () => {
    const r = await analyze('overlapping-fragments.pcap');
    const d = r.decoder;
    expect(d.fragments).toBe(3);
    expect(d.reassembled).toBe(1);
    expect(d.fragmentOverlaps).toBe(1);
    expect(d.fragmentOverlapConflicts).toBe(1);
    const s = r.streams[0]!;
    expect(s.conn.endReason).toBe('closed');
    // First copy wins: datagram bytes 80..120 (payload 60..100) stay 'P'; 120..160 (payload 100..140) are the 'X'.
    expect(s.bytes(0).toString('latin1')).toBe(letters('P', 100) + letters('X', 40) + letters('P', 60));
  });

  it('rst-mid-data.pcap', async () => {
    const r = await analyze('rst-mid-data.pcap');
    const s = r.streams[0]!;
    expect(s.conn.endReason).toBe('reset');
    expect(s.bytes(0).toString('latin1')).toBe(letters('m', 200));
    expect(s.bytes(1).toString('latin1')).toBe(letters('s', 50));
    expect(s.conn.stats[1].rst).toBe(1);
    expect(s.conn.stats[1].rstIgnored).toBe(0);
    expect(s.conn.suspiciousRsts).toBe(0);
    expect(s.conn.stats[0].packetsAfterClose).toBe(1);
    // Held while the RST waited for evidence, so counted on the connection, not on its tombstone.
    expect(r.pool.stats.packetsToTombstones).toBe(0);
    expect(s.conn.stats[1].rstNotTaken).toBe(0);
  });

  it('tunnels.pcap', async () => {
    const r = await analyze('tunnels.pcap');
    expect(r.diagnostics).toEqual([]);
    expect(r.streams.map((s) => [s.conn.id, encapsulationText(s.conn.encap), s.conn.endReason, s.bytes(0).toString(), s.bytes(1).toString()])).toEqual([
      [0, 'vxlan 192.0.2.1-192.0.2.2 vni 1', 'closed', 'ping', 'pong'],
      [1, 'vxlan 192.0.2.1-192.0.2.2 vni 2', 'closed', 'ping', 'pong'],
      [2, 'gre 198.51.100.1-198.51.100.2', 'closed', 'ping', 'pong'],
      [3, 'mpls (1 label)', 'closed', 'ping', 'pong'],
    ]);
    expect(r.decoder.encapsulated).toBe(24);
  });

  it('syn-data.pcap', async () => {
    const r = await analyze('syn-data.pcap');
    expect(r.streams.map((s) => [s.conn.client.port, s.conn.endReason, s.bytes(0).toString(), s.conn.stats[0].synDataBytes, s.conn.stats[0].synDataRefused, s.conn.stats[0].retransmittedPackets])).toEqual([
      [40000, 'closed', 'early+more', 5, 0, 0],
      [40001, 'closed', 'early', 0, 5, 0],
    ]);
  });

  it('rst-not-taken.pcap', async () => {
    const r = await analyze('rst-not-taken.pcap');
    expect(r.streams.length).toBe(1);
    const c = r.streams[0]!.conn;
    expect(c.endReason).toBe('closed');
    expect(r.streams[0]!.bytes(0).toString()).toBe('abcafter');
    expect(r.streams[0]!.bytes(1).toString()).toBe('ok');
    expect(c.stats[0].rstNotTaken).toBe(1);
    expect(c.stats[0].packetsAfterClose).toBe(0);
    expect(c.suspiciousRstRecords.map((x) => [x.kind, x.recordNumber, x.evidenceRecord])).toEqual([['not-taken', 5, 7]]);
  });

  it('handshake-rst.pcap', async () => {
    const r = await analyze('handshake-rst.pcap');
    expect(r.streams.length).toBe(1);
    const c = r.streams[0]!.conn;
    expect(r.streams[0]!.bytes(0).toString()).toBe('hello');
    expect(c.stats[1].rstIgnored).toBe(1);
    expect(c.suspiciousRstRecords.map((x) => [x.kind, x.recordNumber])).toEqual([['not-acknowledging-syn', 2]]);
    expect(c.stats[0].missingBytes).toBe(2400);
    expect(c.stats[0].gaps).toBe(1);
    expect(c.endReason).toBe('open-at-end');
  });
});
