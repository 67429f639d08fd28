/**
 * The library's first line: `for await (const conn of connections('x.pcap', { filter: 'port 80' }))`, each
 * connection as it ends with its identity, statistics and both directions' bytes (pieces with the holes named,
 * the bytes joined, or a Readable), and `followStream` for one connection by id.
 */
import { Readable } from 'node:stream';
import type { ConnectionInfo } from '../reassembly/index.js';
import { connectionFilter } from '../report/select.js';
import type { FollowEvent } from '../report/follow-text.js';
import type { DirectionReport } from '../schema/counters.js';
import { formatCaptureTime } from '../report/time.js';
import { keepingWarnings } from './collect.js';
import { FollowHandler } from './follow.js';
import { inputName, type PassInput, type PassOptions } from './options.js';
import { runPass, type ConnectionHandler, type PassConsumer, type PassResult } from './pass.js';
import { runSummary, type RunSummary } from './summary.js';

/** Options of {@link connections}: a pass's options and a few of its own. */
export interface ConnectionsOptions extends PassOptions {
  /** A pcap-filter expression (`tcp port 80 and host 10.0.0.1`): only the connections it matches. */
  filter?: string;
  /**
   * Most stream bytes kept for one direction; the rest is counted in `droppedBytes` and the direction marked
   * `truncated`. Default 64 MiB: a connection is held whole until it ends, so this bounds memory.
   */
  maxBytesPerDirection?: number;
  /** Connections that may wait for the loop before reading pauses. Default 16. */
  queue?: number;
}

/** A piece of one direction, in stream order: bytes (a copy, yours to keep) or a hole. */
export type StreamPiece =
  | { readonly kind: 'data'; readonly data: Buffer; readonly seq: number; readonly absSeq: number; readonly tsSec: number; readonly tsNsec: number; readonly record: number }
  | { readonly kind: 'gap'; readonly length: number | null; readonly seq: number; readonly absSeq: number; readonly tsSec: number; readonly tsNsec: number };

/** One direction of a reassembled connection. */
export interface DirectionData {
  /** Bytes and holes in stream order; `seq` is Wireshark's relative number (the first data byte is 1). */
  readonly pieces: readonly StreamPiece[];
  /** Stream bytes kept (holes excluded). */
  readonly dataBytes: number;
  /** Bytes past `maxBytesPerDirection`, not kept. */
  readonly droppedBytes: number;
  readonly truncated: boolean;
  /** The direction's counters (missing bytes, overlaps, conflicts...), as `analyze` reports them. */
  readonly stats: DirectionReport;
  /** The bytes joined, holes left out (see `pieces` for where they were). */
  bytes(): Buffer;
  /** The bytes as a Readable stream. */
  readable(): Readable;
}

/** A connection as {@link connections} gives it. */
export interface ReassembledConnection {
  /** Wireshark's tcp.stream number: 0-based, in order of first packet. */
  readonly id: number;
  /** `ADDR:PORT` of each end. */
  readonly client: string;
  readonly server: string;
  /** How it ended: `closed`, `reset`, `timed out`, `open at end`, ... */
  readonly state: string;
  /** Capture times of its first and last packet, ISO 8601 with nanoseconds. */
  readonly firstTime: string;
  readonly lastTime: string;
  readonly c2s: DirectionData;
  readonly s2c: DirectionData;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** Gathers one direction's pieces (copies: the engine's buffers are reused). */
class DirectionGather {
  readonly pieces: StreamPiece[] = [];
  dataBytes = 0;
  droppedBytes = 0;

  constructor(private readonly max: number) {}

  add(e: FollowEvent): void {
    if (e.kind === 'gap') {
      this.pieces.push({ kind: 'gap', length: e.length, seq: e.seq, absSeq: e.absSeq, tsSec: e.tsSec, tsNsec: e.tsNsec });
      return;
    }
    const room = this.max - this.dataBytes;
    const n = Math.min(room, e.bytes.length);
    this.droppedBytes += e.bytes.length - n;
    if (n <= 0) return;
    this.dataBytes += n;
    this.pieces.push({ kind: 'data', data: Buffer.from(e.bytes.subarray(0, n)), seq: e.seq, absSeq: e.absSeq, tsSec: e.tsSec, tsNsec: e.tsNsec, record: e.record });
  }

  done(stats: DirectionReport): DirectionData {
    const pieces = this.pieces;
    const data = (): Buffer[] => pieces.flatMap((p) => (p.kind === 'data' ? [p.data] : []));
    return {
      pieces,
      dataBytes: this.dataBytes,
      droppedBytes: this.droppedBytes,
      truncated: this.droppedBytes > 0,
      stats,
      bytes: () => Buffer.concat(data()),
      readable: () => Readable.from(data()),
    };
  }
}

/** One connection's gatherer: the follow handler's events, split by direction. */
class ConnectionGather implements ConnectionHandler {
  private readonly c2s: DirectionGather;
  private readonly s2c: DirectionGather;
  private readonly follow: FollowHandler;

  constructor(
    conn: ConnectionInfo,
    max: number,
    private readonly ended: (c: ReassembledConnection) => void,
  ) {
    this.c2s = new DirectionGather(max);
    this.s2c = new DirectionGather(max);
    this.follow = new FollowHandler((e) => (e.dir === 'c2s' ? this.c2s : this.s2c).add(e), conn);
  }

  reassembled: ConnectionHandler['reassembled'] = (sg, ctx) => this.follow.reassembled(sg, ctx);

  complete(conn: ConnectionInfo): void {
    this.follow.complete(conn);
    const f = this.follow.ended!;
    this.ended({
      id: f.id,
      client: f.client,
      server: f.server,
      state: f.state,
      firstTime: formatCaptureTime(conn.firstTsSec, conn.firstTsNsec),
      lastTime: formatCaptureTime(conn.lastTsSec, conn.lastTsNsec),
      c2s: this.c2s.done(f.c2s),
      s2c: this.s2c.done(f.s2c),
    });
  }
}

/**
 * Every TCP connection of a capture (or a set of them, read as one timeline), reassembled, each as it ends
 * (in order of ending; `id` gives the order of first packet). Reading pauses while `queue` connections wait for
 * the loop, and stops when the loop stops early (`break`). The generator's return value is the run summary.
 * Throws CaptureError for an input that cannot be read, SelectionError for a filter that does not parse.
 *
 * @example
 * for await (const c of connections('web.pcap', { filter: 'tcp port 80' })) {
 *   console.log(c.id, c.client, '->', c.server, c.state, c.c2s.dataBytes, c.s2c.stats.missingBytes);
 * }
 */
export async function* connections(source: PassInput, options: ConnectionsOptions = {}): AsyncGenerator<ReassembledConnection, RunSummary, undefined> {
  const { filter, maxBytesPerDirection, queue: queueLimit, ...pass } = options;
  const byFilter = filter === undefined ? null : connectionFilter({ expression: filter });
  const user = pass.select;
  const select = byFilter === null ? user : user === undefined ? byFilter : (c: ConnectionInfo) => byFilter(c) && user(c);
  const max = maxBytesPerDirection ?? DEFAULT_MAX_BYTES;
  const limit = Math.max(1, queueLimit ?? 16);
  const waiting: ReassembledConnection[] = [];
  // Who waits: the loop for a connection (wake), the pass for room in the queue (resume).
  const gate: { wake: (() => void) | null; resume: (() => void) | null } = { wake: null, resume: null };
  let stopped = false;
  const consumer: PassConsumer = {
    open: (conn) =>
      new ConnectionGather(conn, max, (c) => {
        waiting.push(c);
        gate.wake?.();
      }),
    drain: () => (waiting.length < limit || stopped ? undefined : new Promise<void>((r) => (gate.resume = r))),
    stopReason: () => (stopped ? 'the caller stopped' : null),
  };
  const { options: opts, warnings } = keepingWarnings({ ...pass, ...(select !== undefined ? { select } : {}) });
  let result: PassResult | null = null;
  let failure: unknown = null;
  let finished = false;
  const running = runPass(source, consumer, opts).then(
    (r) => void (result = r),
    (e: unknown) => void (failure = e),
  ).finally(() => {
    finished = true;
    gate.wake?.();
  });
  try {
    for (;;) {
      const next = waiting.shift();
      if (next !== undefined) {
        gate.resume?.();
        gate.resume = null;
        yield next;
        continue;
      }
      if (finished) break;
      await new Promise<void>((r) => (gate.wake = r));
      gate.wake = null;
    }
    if (failure !== null) throw failure;
    return runSummary(pass.sourceName ?? inputName(source), result!, warnings);
  } finally {
    // Stopped early (break, or an error in the loop): let the pass end at its next chunk, and wait for it.
    stopped = true;
    gate.resume?.();
    await running;
  }
}

/**
 * One connection by id (Wireshark's tcp.stream), reassembled; null when the captures have no connection with
 * that id. Reading stops once it has ended.
 */
export async function followStream(source: PassInput, id: number, options: Omit<ConnectionsOptions, 'filter' | 'select'> = {}): Promise<ReassembledConnection | null> {
  for await (const c of connections(source, { ...options, select: (conn) => conn.id === id })) return c;
  return null;
}
