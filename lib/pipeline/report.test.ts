import { describe, expect, it } from 'vitest';
import { analyzeCapture } from './analyze.js';
import { reportCapture } from './report.js';
import { SEGMENT_KINDS } from '../graph/segment-log.js';
import type { ConnectionDetail } from '../graph/report-data.js';

const sample = (name: string): string => new URL(`../../samples/${name}`, import.meta.url).pathname;

interface Dir {
  packets: number;
  retransmittedPackets: number;
  queuedPackets: number;
  overlapPackets: number;
  missingBytes: number;
  conflicts: number;
  bytes: number;
}

/** Segments of one direction of a detail with this kind. */
function count(d: ConnectionDetail, dir: 0 | 1, kind: (typeof SEGMENT_KINDS)[number]): number {
  const k = SEGMENT_KINDS.indexOf(kind);
  let n = 0;
  for (let i = 0; i < d.segments.kind.length; i++) if (d.segments.dir[i] === dir && d.segments.kind[i] === k) n++;
  return n;
}

describe('reportCapture', () => {
  it('logs every segment of a connection with the marks its counters count', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => i);
    const { data } = await reportCapture(sample('ipv4-loss.pcap'), { ids });
    expect(data.connections.map((c) => c.id)).toEqual(ids);
    let retransmissions = 0;
    for (const d of data.connections) {
      for (const dir of [0, 1] as const) {
        const s = d.row[dir === 0 ? 'c2s' : 's2c'] as Dir;
        const mine = d.segments.dir.filter((x) => x === dir).length;
        expect(mine, `connection ${d.id} dir ${dir}`).toBe(s.packets);
        expect(count(d, dir, 'retransmission')).toBe(s.retransmittedPackets);
        expect(count(d, dir, 'out-of-order')).toBe(s.queuedPackets);
        expect(count(d, dir, 'retransmission') + count(d, dir, 'partial-overlap')).toBe(s.overlapPackets);
        retransmissions += s.retransmittedPackets;
      }
      expect(d.segmentsTotal).toBe(d.segments.t.length);
      expect(d.strides).toEqual([1, 1]);
      expect(d.base).toEqual(['isn', 'isn']);
      // Relative to the ISN: the SYN is 0, as Wireshark counts.
      const syn = d.segments.flags.findIndex((f) => (f & 0x12) === 0x02);
      expect(d.segments.seq[syn]).toBe(0);
    }
    expect(retransmissions).toBe(17);
  });

  it('ranks the top connections as analyze counts them', async () => {
    const [{ data }, { connections }] = await Promise.all([reportCapture(sample('ipv4-loss.pcap'), { top: 3 }), analyzeCapture(sample('ipv4-loss.pcap'))]);
    const byBytes = [...connections].sort((a, b) => b.c2s.bytes + b.s2c.bytes - (a.c2s.bytes + a.s2c.bytes) || a.id - b.id).slice(0, 3).map((c) => c.id);
    expect(data.top.bytes).toEqual(byBytes);
    const overlapping = connections.filter((c) => c.c2s.overlapBytes + c.s2c.overlapBytes > 0);
    const byOverlap = [...overlapping].sort((a, b) => b.c2s.overlapBytes + b.s2c.overlapBytes - (a.c2s.overlapBytes + a.s2c.overlapBytes) || a.id - b.id).slice(0, 3).map((c) => c.id);
    expect(data.top.overlaps).toEqual(byOverlap);
    // A clean capture: no list of missing bytes or conflicts, rather than a list of zeros.
    expect(data.top.missing).toEqual([]);
    expect(data.top.conflicts).toEqual([]);
    const drawn = new Set([...data.top.bytes, ...data.top.overlaps]);
    expect(data.connections.map((c) => c.id)).toEqual([...drawn].sort((a, b) => a - b));
    expect(data.timeline.total).toBe(20);
    expect(data.timeline.sampled).toBe(false);
    // Counts over time: every segment the connections' own counters count (not those after a close).
    const packets = connections.reduce((n, c) => n + c.c2s.packets + c.s2c.packets, 0);
    expect(data.bins.segments.reduce((a, b) => a + b, 0)).toBe(packets);
    expect(data.bins.starts.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('draws each hole where the engine skipped it, the missing bytes exactly', async () => {
    const { data } = await reportCapture(sample('ipv4-loss.snap200.pcap'), { top: 3 });
    expect(data.top.missing.length).toBe(3);
    for (const id of data.top.missing) {
      const d = data.connections.find((c) => c.id === id)!;
      for (const dir of [0, 1] as const) {
        const s = d.row[dir === 0 ? 'c2s' : 's2c'] as Dir & { gaps: number };
        const holes = d.holes.filter((h) => h.dir === dir);
        expect(holes.length).toBe(s.gaps);
        expect(holes.reduce((a, h) => a + h.length, 0)).toBe(s.missingBytes);
      }
    }
  });

  it('marks each conflict at its range', async () => {
    const { data } = await reportCapture(sample('crafted/conflicting-retransmission.pcap'));
    const d = data.connections.find((c) => c.id === data.top.conflicts[0])!;
    const s = d.row.c2s as Dir;
    const t = d.row.s2c as Dir;
    expect(d.conflicts.length).toBe(s.conflicts + t.conflicts);
    expect(d.conflicts.length).toBeGreaterThan(0);
    for (const c of d.conflicts) expect(c.length).toBeGreaterThan(0);
  });

  it('keeps asked-for connections and names the ids no connection had', async () => {
    const { data } = await reportCapture(sample('ipv4-loss.pcap'), { top: 0, ids: [5, 99] });
    expect(data.connections.map((c) => c.id)).toEqual([5]);
    expect(data.connections[0]!.reasons).toEqual(['asked']);
    expect(data.missingIds).toEqual([99]);
  });

  it('thins a long connection evenly and says by how much', async () => {
    const { data } = await reportCapture(sample('ipv4-loss.pcap'), { top: 0, ids: [3], maxSegments: 64 });
    const d = data.connections[0]!;
    expect(d.segmentsTotal).toBe((d.row.c2s as Dir).packets + (d.row.s2c as Dir).packets);
    expect(d.segments.t.length).toBeLessThanOrEqual(64);
    expect(d.strides[0]).toBeGreaterThan(1);
    // Times stay in order after thinning.
    for (let i = 1; i < d.segments.t.length; i++) expect(d.segments.t[i]).toBeGreaterThanOrEqual(d.segments.t[i - 1]!);
  });
});
