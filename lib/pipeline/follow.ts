/**
 * Following one connection: its reassembled bytes, both directions interleaved in the order the engine
 * delivered them (capture order, out-of-order data where its hole was filled), with every hole named. The pass
 * reassembles only the chosen connection and stops reading once it has ended: a later packet of its 4-tuple
 * would belong to another connection.
 */
import type { AssemblerContext, ConnectionInfo, ScatterGather } from '../reassembly/index.js';
import { formatEndpoint } from '../net/address.js';
import type { DirectionReport } from '../schema/counters.js';
import { stateWord } from '../schema/states.js';
import { keepingWarnings } from './collect.js';
import { directionReport } from './engine-json.js';
import { holeStart, holeTime } from './hole.js';
import { inputName, type PassInput, type PassOptions } from './options.js';
import { runPass, type ConnectionHandler, type PassConsumer, type PassResult } from './pass.js';
import { seqBase } from './seq-base.js';
import { runSummary, type RunSummary } from './summary.js';
import { relativeSeq } from '../report/rows.js';
import type { FollowEvent } from '../report/follow-text.js';

export type { FollowEvent };

/** The followed connection as it ended. */
export interface FollowedConnection {
  id: number;
  /** `ADDR:PORT` of each end, as the tables print them. */
  client: string;
  server: string;
  /** How it ended (lib/schema/states.ts). */
  state: string;
  c2s: DirectionReport;
  s2c: DirectionReport;
}

/** Result of {@link followCapture}. */
export interface FollowResult {
  /** The connection followed; null when no connection had that id. */
  connection: FollowedConnection | null;
  summary: RunSummary;
  pass: PassResult;
}

/**
 * Sequence numbers of one direction made relative as Wireshark makes them: to the ISN when the SYN was seen,
 * else to the byte before the first one seen (which is then 1).
 */
class RelativeSeq {
  private base: Array<number | null> = [null, null];

  reset(conn: ConnectionInfo): void {
    for (const d of [0, 1] as const) this.base[d] = seqBase(conn, d);
  }

  of(dir: 0 | 1, abs: number): number {
    const base = (this.base[dir] ??= (abs - 1) >>> 0);
    return relativeSeq(abs, base)!;
  }
}

/** Hands one connection's bytes and holes to `emit` as FollowEvents, and keeps its end (for connections.ts too). */
export class FollowHandler implements ConnectionHandler {
  ended: FollowedConnection | null = null;
  private readonly rel = new RelativeSeq();

  constructor(
    private readonly emit: (e: FollowEvent) => void,
    conn: ConnectionInfo,
  ) {
    this.rel.reset(conn);
  }

  reassembled(sg: ScatterGather, ctx: AssemblerContext): void {
    const info = sg.info();
    const d = info.direction;
    const dir = d === 0 ? 'c2s' : 's2c';
    if (info.skip !== 0) {
      const t = holeTime(sg, ctx);
      const abs = holeStart(info);
      this.emit({ kind: 'gap', dir, length: info.skip > 0 ? info.skip : null, seq: this.rel.of(d, abs), absSeq: abs, tsSec: t.tsSec, tsNsec: t.tsNsec });
    }
    let pos = 0;
    const n = sg.chunkCount();
    for (let i = 0; i < n; i++) {
      const len = sg.chunkLength(i);
      if (len === 0) continue;
      const ci = sg.captureInfo(pos);
      const off = sg.chunkOffset(i);
      this.emit({
        kind: 'data',
        dir,
        bytes: sg.chunkBuffer(i).subarray(off, off + len),
        seq: this.rel.of(d, ci.seq),
        absSeq: ci.seq,
        tsSec: ci.tsSec,
        tsNsec: ci.tsNsec,
        record: ci.recordNumber,
      });
      pos += len;
    }
  }

  complete(conn: ConnectionInfo): void {
    // A copy: the engine reuses the object for later connections.
    this.ended = {
      id: conn.id,
      client: formatEndpoint(conn.client.addr, conn.ipVersion, conn.client.port),
      server: formatEndpoint(conn.server.addr, conn.ipVersion, conn.server.port),
      state: stateWord(conn.endReason),
      c2s: directionReport(conn.stats[0]),
      s2c: directionReport(conn.stats[1]),
    };
  }
}

/**
 * Reassembles the connection with id `id` (Wireshark's tcp.stream) and hands its bytes and holes to `emit` as
 * they come. Stops reading once that connection has ended. Back-pressure: `options.drain` (a slow terminal or
 * pipe then slows the reading, not the memory).
 */
export async function followCapture(
  source: PassInput,
  id: number,
  emit: (e: FollowEvent) => void,
  options: PassOptions = {},
): Promise<FollowResult> {
  let handler: FollowHandler | null = null;
  const consumer: PassConsumer = {
    open: (conn) => (handler = new FollowHandler(emit, conn)),
    stopReason: () => (handler?.ended != null ? 'followed connection ended' : null),
  };
  const { options: opts, warnings } = keepingWarnings({ ...options, select: (c) => c.id === id });
  const pass = await runPass(source, consumer, opts);
  const h = handler as FollowHandler | null;
  const input = options.sourceName ?? inputName(source);
  return { connection: h?.ended ?? null, summary: runSummary(input, pass, warnings), pass };
}
