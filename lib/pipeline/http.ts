/**
 * The http command without printing: every HTTP/1.x exchange in the reassembled streams (any port: recognised
 * by content), with the bodies streamed to files when asked. Built on the pass the other commands use; the
 * bytes reach the parser as `follow` sees them, holes included.
 */
import { HttpConnection, type HttpExchange } from '../http/connection.js';
import { header } from '../http/message-parser.js';
import { ObjectWriter } from '../http/objects.js';
import type { ConnectionInfo } from '../reassembly/index.js';
import type { HttpRow } from '../report/http-columns.js';
import { keepingWarnings } from './collect.js';
import { FollowHandler } from './follow.js';
import { inputName, type PassInput, type PassOptions } from './options.js';
import { runPass, type ConnectionHandler, type PassConsumer, type PassResult } from './pass.js';
import { runSummary, type RunSummary } from './summary.js';
import type { ExportError } from '../export/errors.js';

/** Options of {@link httpCapture}. */
export interface HttpOptions {
  /** Each exchange as it ends (e.g. to stream CSV), whatever the limit. */
  onExchange?: (row: HttpRow, e: HttpExchange) => void;
  /** Rows kept for the result. Default 100 000. */
  limit?: number;
  /** Write every body into this folder with objects.jsonl (must be empty or new unless `force`). */
  objects?: { dir: string; force?: boolean; decode?: boolean };
}

/** A problem met while parsing: which connection, which direction, where in its stream, what. */
export interface HttpProblem {
  connectionId: number;
  dir: 'c2s' | 's2c';
  position: number;
  what: string;
}

/** Result of {@link httpCapture}. */
export interface HttpResult {
  rows: HttpRow[];
  exchanges: number;
  rowsOmitted: number;
  /** Connections where HTTP was found; and those where parsing ended early, with why. */
  httpConnections: number;
  stopped: Array<{ connectionId: number; why: string }>;
  /** The first problems (100), and how many in all. */
  problems: HttpProblem[];
  problemCount: number;
  /** With `objects`: bodies written, and the first errors. */
  objects: { dir: string; written: number; errors: ExportError[] } | null;
  summary: RunSummary;
  pass: PassResult;
}

const MAX_PROBLEMS = 100;
const MAX_STOPPED = 1000;

/** An exchange as a report row. */
export function httpRow(e: HttpExchange, client: string, server: string): HttpRow {
  const q = e.request;
  const r = e.response;
  const bodyBytes = (m: typeof q) => (m === null || m.end === null ? null : m.end.bodyLength);
  const holes = r?.end?.holes.reduce((n, [, len]) => n + len, 0) ?? 0;
  const whole = (m: typeof q) => m !== null && m.end !== null && m.end.complete && m.end.holes.length === 0;
  return {
    connectionId: e.connectionId,
    exchange: e.index,
    client,
    server,
    requestTsSec: q?.head.tsSec ?? null,
    requestTsNsec: q?.head.tsNsec ?? 0,
    responseTsSec: r?.head.tsSec ?? null,
    responseTsNsec: r?.head.tsNsec ?? 0,
    method: q?.head.method ?? null,
    host: q === null ? null : header(q.head, 'host'),
    uri: q?.head.uri ?? null,
    status: r?.head.status ?? null,
    contentType: r === null ? null : header(r.head, 'content-type'),
    requestBodyBytes: bodyBytes(q),
    responseBodyBytes: bodyBytes(r),
    requestSha256: q?.sha256 ?? null,
    responseSha256: r?.sha256 ?? null,
    responseMissingBytes: holes,
    complete: whole(q) && whole(r),
  };
}

/**
 * Every HTTP exchange of a capture (or a set): request and response heads, body sizes and sha256, whether each
 * was whole. With `objects`, the bodies go to files as they come. Throws ExportError for an unusable folder.
 */
export async function httpCapture(source: PassInput, o: HttpOptions = {}, options: PassOptions = {}): Promise<HttpResult> {
  const limit = o.limit ?? 100_000;
  const rows: HttpRow[] = [];
  let exchanges = 0;
  let omitted = 0;
  let httpConnections = 0;
  const stopped: HttpResult['stopped'] = [];
  const problems: HttpProblem[] = [];
  let problemCount = 0;
  const writer = o.objects === undefined ? null : new ObjectWriter(o.objects.dir, o.objects);
  const consumer: PassConsumer = {
    open: (conn: ConnectionInfo): ConnectionHandler => {
      const client = `${conn.client}`;
      const server = `${conn.server}`;
      const id = conn.id;
      const http = new HttpConnection(id, {
        exchange: (e) => {
          exchanges++;
          const row = httpRow(e, client, server);
          o.onExchange?.(row, e);
          if (rows.length < limit) rows.push(row);
          else omitted++;
        },
        problem: (dir, position, what) => {
          problemCount++;
          if (problems.length < MAX_PROBLEMS) problems.push({ connectionId: id, dir, position, what });
        },
        ...(writer !== null ? { body: (e, which) => writer.sink(e, which) } : {}),
      });
      const follow = new FollowHandler((e) => (e.kind === 'data' ? http.data(e.dir, e.bytes, e.seq, e.tsSec, e.tsNsec) : http.gap(e.dir, e.length, e.seq)), conn);
      return {
        reassembled: (sg, ctx) => follow.reassembled(sg, ctx),
        complete: () => {
          http.close();
          if (http.isHttp) httpConnections++;
          if (http.isHttp && http.stoppedBy !== null && stopped.length < MAX_STOPPED) stopped.push({ connectionId: id, why: http.stoppedBy });
        },
      };
    },
  };
  const { options: opts, warnings } = keepingWarnings(options);
  let pass: PassResult;
  try {
    pass = await runPass(source, consumer, opts);
  } finally {
    writer?.close();
  }
  const input = options.sourceName ?? inputName(source);
  return {
    rows,
    exchanges,
    rowsOmitted: omitted,
    httpConnections,
    stopped,
    problems,
    problemCount,
    objects: writer === null ? null : { dir: writer.dir, written: writer.objects, errors: writer.errors },
    summary: runSummary(input, pass, warnings),
    pass,
  };
}
