import { DIRECTION_COUNTERS } from '../schema/counters.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Assembler } from './assembler.js';
import { Connection } from './connection.js';
import { copyBytes } from './memory.js';
import type { AssemblerContext, Stream, StreamFactory } from './stream.js';
import type { ConnectionInfo } from './connection.js';
import type { ScatterGather } from './scatter-gather.js';
import { StreamPool } from './pool.js';
import { HalfStats } from './stats.js';
import { makePacket, TcpFlag } from '../../test/support/engine-streams.js';

const { SYN, ACK, FIN, RST } = TcpFlag;
const T0 = 1_700_000_000;

/** What a consumer that copies at complete() sees of a connection. */
interface Snapshot {
  id: number;
  reuseIndex: number;
  endReason: string | null;
  client: string;
  stats: string;
  data: [string, string];
}

class CopyingStream implements Stream {
  private readonly data: [string[], string[]] = [[], []];
  constructor(private readonly conn: ConnectionInfo, private readonly out: Snapshot[], readonly objects: Set<ConnectionInfo>) {
    objects.add(conn);
  }
  accept(): boolean {
    return true;
  }
  reassembled(sg: ScatterGather): void {
    const l = sg.lengths();
    this.data[sg.info().direction].push(sg.fetch(l.available).subarray(l.saved).toString('latin1'));
  }
  complete(_ctx: AssemblerContext): boolean {
    const c = this.conn;
    this.out.push({
      id: c.id, reuseIndex: c.reuseIndex, endReason: c.endReason, client: `${c.client.address}:${c.client.port}`,
      stats: JSON.stringify(c.stats), data: [this.data[0].join(''), this.data[1].join('')],
    });
    return true;
  }
}

/** Runs short connections (some reset, some left open, some reusing a port) through a pool. */
function run(reuse: boolean, script: { port: number; kind: number; dt: number }[]) {
  const out: Snapshot[] = [];
  const objects = new Set<ConnectionInfo>();
  const factory: StreamFactory = { new: (_p, _c, conn) => new CopyingStream(conn, out, objects) };
  const pool = new StreamPool(factory, { maxTombstones: 3, reuseConnections: reuse });
  const asm = new Assembler(pool);
  let t = T0;
  let isn = 1000;
  for (const { port, kind, dt } of script) {
    t += dt;
    isn += 7919;
    const c = (seq: number, payload: string, flags: number) =>
      asm.assemble(makePacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: port, dport: 80, seq: seq >>> 0, payload, flags, tsSec: t }));
    const s = (seq: number, payload: string, flags: number) =>
      asm.assemble(makePacket({ src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: port, seq: seq >>> 0, payload, flags, tsSec: t }));
    c(isn, '', SYN);
    s(5000, '', SYN | ACK);
    c(isn + 1, `GET ${port}`, ACK);
    if (kind === 0) {
      s(5001, 'OK', ACK | FIN);
      c(isn + 1 + `GET ${port}`.length, '', ACK | FIN);
      c(isn + 2 + `GET ${port}`.length, '', ACK); // the last ACK hits the tombstone
    } else if (kind === 1) {
      s(5001, '', RST);
    }
    if (dt > 5) asm.flushWithOptions({ t: t - 2, tc: t - 4 });
  }
  asm.flushAll();
  out.sort((a, b) => a.id - b.id);
  return { out, objects: objects.size, created: pool.stats.connectionsCreated };
}

describe('reuseConnections', () => {
  it('gives every connection the same data, statistics and end as fresh objects do', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ port: fc.integer({ min: 40000, max: 40005 }), kind: fc.integer({ min: 0, max: 2 }), dt: fc.integer({ min: 0, max: 8 }) }), { maxLength: 60 }),
        (script) => {
          const fresh = run(false, script);
          const reused = run(true, script);
          expect(reused.out).toEqual(fresh.out);
          expect(fresh.objects).toBe(fresh.created);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reuses objects once tombstones are dropped (fewer objects than connections)', () => {
    const script = Array.from({ length: 50 }, (_, i) => ({ port: 40000 + i, kind: 0, dt: 1 }));
    const r = run(true, script);
    expect(r.created).toBe(50);
    expect(r.objects).toBeLessThan(10);
    expect(r.out.map((s) => s.endReason)).toEqual(Array(50).fill('closed'));
    expect(r.out.map((s) => s.data[0])).toEqual(script.map((s) => `GET ${s.port}`));
  });

  it('reset leaves a used connection equal to a new one', () => {
    const out: Snapshot[] = [];
    const pool = new StreamPool({ new: (_p, _c, conn) => new CopyingStream(conn, out, new Set()) });
    const asm = new Assembler(pool);
    asm.assemble(makePacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 80, dport: 40000, seq: 1, payload: 'x', flags: ACK, tsSec: T0 }));
    // A SYN after a guessed start swaps the roles; out-of-order data queues a page; a FIN waits.
    asm.assemble(makePacket({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40000, dport: 80, seq: 9, payload: '', flags: SYN, tsSec: T0 }));
    asm.assemble(makePacket({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40000, dport: 80, seq: 20, payload: 'later', flags: ACK | FIN, tsSec: T0 }));
    const c = pool.openConnections()[0]!;
    asm.flushAll();
    c.reset();
    const plain = (x: Connection) => JSON.stringify(x, (k, v: unknown) => (k === 'conn' ? undefined : v instanceof Uint32Array ? [...v] : v));
    expect(plain(c)).toBe(plain(new Connection()));
    expect(c.half0).toBe(c.halves[0]);
    expect(c.halves[0].conn).toBe(c);
    expect(c.stats[1]).toBe(c.halves[1].stats);
  });
});

describe('HalfStats.reset', () => {
  it('zeroes every counter', () => {
    const s = new HalfStats();
    const r = s as unknown as Record<string, number | boolean>;
    for (const c of DIRECTION_COUNTERS) r[c.name] = c.unit === 'flag' ? true : 7;
    for (const c of DIRECTION_COUNTERS) expect(r[c.name]).toBe(c.unit === 'flag' ? true : 7);
    s.reset();
    for (const c of DIRECTION_COUNTERS) expect(r[c.name]).toBe(c.unit === 'flag' ? false : 0);
    expect(s).toEqual(new HalfStats());
  });
});

describe('copyBytes', () => {
  it('copies short and long runs exactly, touching nothing around them', () => {
    for (const len of [0, 1, 255, 256, 1000]) {
      const src = Buffer.from(Array.from({ length: len + 10 }, (_, i) => (i * 37 + 11) & 255));
      const dst = Buffer.alloc(len + 20, 0xee);
      copyBytes(src, 5, dst, 7, len);
      expect(dst.subarray(7, 7 + len)).toEqual(src.subarray(5, 5 + len));
      expect([...dst.subarray(0, 7), ...dst.subarray(7 + len)].every((b) => b === 0xee)).toBe(true);
    }
  });
});
