import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { TcpPacket } from '../decode/packet.js';
import { Connection } from './connection.js';
import { FlowTable, hitDir } from './flow-table.js';
import { flowHash } from './hash.js';
import { TupleCounter } from './tuple-counter.js';

function packet(src: number[], sport: number, dst: number[], dport: number, vlan = -1, ipVersion: 4 | 6 = 4): TcpPacket {
  const p = new TcpPacket();
  p.src.set(src);
  p.dst.set(dst);
  p.srcPort = sport;
  p.dstPort = dport;
  p.vlan = vlan;
  p.ipVersion = ipVersion;
  return p;
}

function hashOf(p: TcpPacket): number {
  return flowHash(p.src, p.srcPort, p.dst, p.dstPort, p.vlan, p.outerVlan, p.ipVersion);
}

function connOf(p: TcpPacket): Connection {
  const c = new Connection();
  c.client.setAddress(p.src);
  c.server.setAddress(p.dst);
  c.client.port = p.srcPort;
  c.server.port = p.dstPort;
  c.vlan = p.vlan;
  c.outerVlan = p.outerVlan;
  c.ipVersion = p.ipVersion;
  c.hash = hashOf(p);
  return c;
}

function reverse(p: TcpPacket): TcpPacket {
  return packet([...p.dst], p.dstPort, [...p.src], p.srcPort, p.vlan, p.ipVersion);
}

describe('FlowTable', () => {
  it('finds a connection from both directions, and not across VLANs, versions or ports', () => {
    const t = new FlowTable();
    const p = packet([0, 0, 0, 0x0a000001], 40000, [0, 0, 0, 0xc0a80101], 80);
    const c = connOf(p);
    t.insert(c);
    expect(t.connAt(t.find(p, hashOf(p)))).toBe(c);
    expect(hitDir(t.find(p, hashOf(p)))).toBe(0);
    const r = reverse(p);
    expect(t.connAt(t.find(r, hashOf(r)))).toBe(c);
    expect(hitDir(t.find(r, hashOf(r)))).toBe(1);
    for (const q of [
      packet([0, 0, 0, 0x0a000001], 40000, [0, 0, 0, 0xc0a80101], 80, 7),
      packet([0, 0, 0, 0x0a000001], 40000, [0, 0, 0, 0xc0a80101], 80, -1, 6),
      packet([0, 0, 0, 0x0a000001], 40001, [0, 0, 0, 0xc0a80101], 80),
      packet([0, 0, 1, 0x0a000001], 40000, [0, 0, 0, 0xc0a80101], 80),
    ]) {
      expect(t.find(q, hashOf(q))).toBe(-1);
    }
  });

  it('keeps finding every connection while tens of thousands come and go (slots reused, table grown)', () => {
    const t = new FlowTable();
    const live = new Map<number, { p: TcpPacket; c: Connection }>();
    for (let i = 0; i < 30000; i++) {
      // High addresses and ports exercise the signed 32-bit storage.
      const p = packet([0, 0, 0, (0xf0000000 + i) >>> 0], 65535 - (i % 1000), [0, 0, 0, 0xfffffffe], 443);
      const c = connOf(p);
      t.insert(c);
      live.set(i, { p, c });
      if (i % 3 === 2) {
        const gone = live.get(i - 1)!;
        t.remove(gone.c);
        live.delete(i - 1);
        expect(t.find(gone.p, hashOf(gone.p))).toBe(-1);
      }
    }
    expect(t.size).toBe(live.size);
    for (const { p, c } of live.values()) {
      expect(t.connAt(t.find(p, hashOf(p)))).toBe(c);
      const r = reverse(p);
      expect(t.connAt(t.find(r, hashOf(r)))).toBe(c);
    }
  });

  it('finds a connection by its new key after its roles swapped', () => {
    const t = new FlowTable();
    const p = packet([0, 0, 0, 1], 1000, [0, 0, 0, 2], 2000);
    const c = connOf(p);
    t.insert(c);
    c.swapRoles();
    t.writeKey(c);
    expect(t.connAt(t.find(p, hashOf(p)))).toBe(c);
    expect(hitDir(t.find(p, hashOf(p)))).toBe(1);
  });
});

describe('TupleCounter', () => {
  it('counts like a Map cleared when full', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (keys, max) => {
        const t = new TupleCounter(max);
        const m = new Map<number, number>();
        for (const k of keys) {
          const h = Math.imul(k, 0x9e3779b1) >>> 0;
          const n = m.get(h) ?? 0;
          if (n === 0 && m.size >= max) m.clear();
          m.set(h, n + 1);
          expect(t.next(h)).toBe(n);
        }
        expect(t.size).toBe(m.size);
      }),
    );
  });

  it('grows past its first table without losing counts', () => {
    const t = new TupleCounter(1 << 20);
    for (let i = 0; i < 10000; i++) expect(t.next(i * 4096)).toBe(0);
    for (let i = 0; i < 10000; i++) expect(t.next(i * 4096)).toBe(1);
    expect(t.size).toBe(10000);
  });
});
