import type { ReassembledConnection } from '../pipeline/connections.js';
import { HttpConnection, type HttpExchange } from './connection.js';

/** Exchanges and problems of one connection, from {@link httpExchanges}. */
export interface ConnectionHttp {
  exchanges: HttpExchange[];
  problems: Array<{ dir: 'c2s' | 's2c'; position: number; what: string }>;
  /** Why HTTP parsing ended early (an upgrade, a tunnel, not HTTP), or null. */
  stoppedBy: string | null;
}

/**
 * The HTTP exchanges of a connection from {@link connections}: the same parser as `tcpreasm http`, fed with its
 * pieces (holes included). Bodies are not kept: each message has its sha256, length and holes.
 *
 * @example
 * for await (const c of connections('web.pcap')) for (const e of httpExchanges(c).exchanges) console.log(e.request?.head.uri, e.response?.head.status);
 */
export function httpExchanges(c: ReassembledConnection): ConnectionHttp {
  const out: ConnectionHttp = { exchanges: [], problems: [], stoppedBy: null };
  const http = new HttpConnection(c.id, { exchange: (e) => out.exchanges.push(e), problem: (dir, position, what) => out.problems.push({ dir, position, what }) });
  // The client's bytes first: a response is framed by its request's method (HEAD), so requests must be known.
  for (const [dir, d] of [['c2s', c.c2s], ['s2c', c.s2c]] as const) {
    for (const p of d.pieces) {
      if (p.kind === 'data') http.data(dir, p.data, p.seq, p.tsSec, p.tsNsec);
      else http.gap(dir, p.length, p.seq);
    }
  }
  http.close();
  out.stoppedBy = http.stoppedBy;
  out.exchanges.sort((a, b) => a.index - b.index);
  return out;
}
