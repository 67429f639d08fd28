/**
 * The one-pass driver: capture reader -> decoder -> assembler, capture time driving flushes, flushAll at the
 * end. Commands plug in through a {@link PassConsumer}; the pass owns the engine and the optional checks.
 */
import { readCapture, readCaptureSet, type CaptureRecord, type CaptureSource, type InputSummary, type ReadSummary } from '../capture/index.js';
import { Decoder, TcpPacket, type DecodeStats } from '../decode/index.js';
import {
  Assembler,
  tupleHash,
  HalfStats,
  StreamPool,
  type AssemblerContext,
  type AssemblerStats,
  type ConnectionInfo,
  type Direction,
  type OverlapObserver,
  type PoolStats,
  type ScatterGather,
  type StartFlag,
  type Stream,
  type StreamFactory,
} from '../reassembly/index.js';
import { checkTotals, ConnectionChecks, type CheckTotals } from './checks.js';
import { DEFAULT_CLOSE_AFTER_SEC, DEFAULT_FLUSH_AFTER_SEC, flushInterval, PIPELINE_POOL_DEFAULTS, type ConnectionSelector, type PassInput, type PassOptions } from './options.js';
import { TimeRange } from './time-range.js';

/** What a command does with one connection's data. */
export interface ConnectionHandler {
  /**
   * Every packet of the connection as it arrives, before the engine looks at it (the report's time-sequence
   * graph); the packet is reused, valid only during the call. Omit when not needed.
   */
  segment?(pkt: TcpPacket, dir: Direction): void;
  /** In-order data of either direction (see ScatterGather; valid only during the call). */
  reassembled(sg: ScatterGather, ctx: AssemblerContext): void;
  /**
   * The connection ended: its `endReason` says how (`interrupted` when the run was stopped and the connection
   * was cut short). Called exactly once.
   */
  complete(conn: ConnectionInfo): void;
}

/** A command's part of the pass. */
export interface PassConsumer {
  /**
   * A new connection the selection chose (every one without `PassOptions.select`): its handler, or null when
   * the command ignores it. Connections not chosen are never opened; their statistics still count in the totals.
   */
  open(conn: ConnectionInfo): ConnectionHandler | null;
  /** A connection the selection did not choose has ended (analyze keeps its id order with it). */
  unselected?(conn: ConnectionInfo): void;
  /** Overlap events (the overlaps report); omit when not needed, it then costs nothing. */
  readonly observer?: OverlapObserver;
  /**
   * Checked after every chunk of input: a reason to stop reading (e.g. the output disk is full), or null.
   * The pass then ends as if interrupted.
   */
  stopReason?(): string | null;
  /** Awaited after every chunk of input: back-pressure from a slow output (a terminal, a pipe). */
  drain?(): Promise<void> | void;
  /**
   * Every connection the engine creates, selected or not, with the number (from 1) of the record that created
   * it: what orders connections across the shards of a run in workers (lib/parallel). Omit when not needed.
   */
  created?(conn: ConnectionInfo, record: number): void;
}

/** Totals of one pass. Counters are the modules' own objects (stable camelCase names). */
export interface PassResult {
  /** The capture reader's summary: format, records, bytes, diagnostics by code, clean end (all inputs added up). */
  read: ReadSummary;
  /** Every input read, in timeline order: the order {@link recordRef} indexes. */
  inputs: InputSummary[];
  /** Records skipped as outside `PassOptions.since` / `until`. */
  outsideTime: number;
  decode: DecodeStats;
  assembler: AssemblerStats;
  pool: PoolStats;
  checks: CheckTotals;
  /** Both directions of every connection added up, as each connection ended. */
  totals: HalfStats;
  /** Bytes of one page of the engine's memory (what pagesPeak counts). */
  pageSize: number;
  /** Wall-clock nanoseconds from the start of reading to the end of the final flush. */
  elapsedNs: number;
  /** Reading stopped early: Ctrl-C (signal) or the consumer's stopReason. */
  interrupted: boolean;
  /** Why the consumer stopped the pass, or null. */
  stopReason: string | null;
  /** Capture time of the first and last TCP segment (seconds), NaN when there was none. */
  firstTime: number;
  lastTime: number;
}

/**
 * Per-connection glue between the engine and a command: the checks, the mid-stream start, the handler.
 * Reused: once complete() has returned true the engine drops the stream, and the pass gives the object to
 * the next connection (no allocation per connection).
 */
class PassStream implements Stream {
  constructor(
    private readonly pass: PassState,
    private conn: ConnectionInfo,
    private selected: boolean,
    private handler: ConnectionHandler | null,
    private checks: ConnectionChecks | null,
  ) {}

  /** Takes on a new connection. */
  reuse(conn: ConnectionInfo, selected: boolean, handler: ConnectionHandler | null, checks: ConnectionChecks | null): void {
    this.conn = conn;
    this.selected = selected;
    this.handler = handler;
    this.checks = checks;
  }

  accept(pkt: TcpPacket, dir: Direction, nextSeq: number, start: StartFlag): boolean {
    this.handler?.segment?.(pkt, dir);
    if (this.checks !== null && !this.checks.accept(pkt, dir, nextSeq)) return false;
    // Mid-stream pickup: without a SYN the direction would wait for one; start it at the first segment seen.
    if (nextSeq === -1 && !start.value && this.pass.allowMissingInit) start.value = true;
    return true;
  }

  reassembled(sg: ScatterGather, ctx: AssemblerContext): void {
    if (this.handler !== null) this.handler.reassembled(sg, ctx);
  }

  complete(): boolean {
    const c = this.conn;
    const pass = this.pass;
    pass.totals.add(c.stats[0]);
    pass.totals.add(c.stats[1]);
    if (this.handler !== null) this.handler.complete(c);
    else if (!this.selected) pass.consumer.unselected?.(c);
    // The engine drops the stream once this returns true: free for the next connection.
    this.handler = null;
    this.checks = null;
    pass.spare.push(this);
    return true;
  }
}

/** State shared by the streams of one pass. */
class PassState implements StreamFactory {
  readonly totals = new HalfStats();
  /** Streams of ended connections, for the next ones. */
  readonly spare: PassStream[] = [];
  /** Number of the record being assembled (what `created` is told). */
  record = 0;

  constructor(
    readonly consumer: PassConsumer,
    readonly checks: CheckTotals,
    readonly allowMissingInit: boolean,
    private readonly select: ConnectionSelector | undefined,
  ) {}

  new(_pkt: TcpPacket, _ctx: AssemblerContext, conn: ConnectionInfo): Stream {
    const wantChecks = this.checks.state !== null || this.checks.options !== null;
    this.consumer.created?.(conn, this.record);
    const selected = this.select === undefined || this.select(conn);
    const handler = selected ? this.consumer.open(conn) : null;
    const checks = wantChecks ? new ConnectionChecks(this.checks, this.allowMissingInit) : null;
    const s = this.spare.pop();
    if (s === undefined) return new PassStream(this, conn, selected, handler, checks);
    s.reuse(conn, selected, handler, checks);
    return s;
  }
}

/**
 * Capture time driving the engine: it only moves forward (a stray old timestamp must not turn the flush points
 * back), and every `flushInterval` of it the assembler pushes out data older than `flushAfter` and closes
 * connections idle longer than `closeAfter`.
 */
class FlushClock {
  /** Capture time of the first and latest segment (seconds); NaN and -Infinity before the first. */
  first = NaN;
  last = -Infinity;
  private next = Infinity;
  private readonly interval: number;

  constructor(
    private readonly assembler: Assembler,
    private readonly flushAfter: number,
    private readonly closeAfter: number,
  ) {
    this.interval = flushInterval(flushAfter, closeAfter);
    this.maxJump = Math.max(flushAfter, closeAfter);
  }

  /**
   * A timestamp further ahead than this is believed only when the next one agrees: one record stamped hours
   * ahead (a damaged or hostile timestamp) must not close every connection as idle.
   */
  private readonly maxJump: number;
  /** An outlier waiting for confirmation, or NaN. */
  private jumpTo = NaN;

  /** A segment of capture time `now` was assembled. */
  tick(now: number): void {
    if (!(now > this.last)) return;
    if (this.last === -Infinity) {
      this.first = now;
      this.next = now + this.interval;
    } else if (now - this.last > this.maxJump) {
      // Confirmed when the next segment is also past the old time by as much: the capture really paused.
      const confirmed = !Number.isNaN(this.jumpTo) && Math.abs(this.jumpTo - now) <= this.maxJump;
      if (!confirmed) {
        this.jumpTo = now;
        return;
      }
    }
    this.jumpTo = NaN;
    this.last = now;
    if (now >= this.next) {
      // `now`: what this flush delivers or closes is stamped with the capture time it happened at.
      this.assembler.flushWithOptions({ t: now - this.flushAfter, tc: now - this.closeAfter, now });
      this.next = now + this.interval;
    }
  }
}

/** Records between progress calls within a chunk (a power of two); every chunk ends with one too. */
const PROGRESS_EVERY = 256;

/**
 * Reads a capture once and reassembles every TCP connection in it, handing each connection's data to the
 * consumer. Memory is bounded by the engine's page and connection limits, whatever the capture holds.
 *
 * Capture time drives the engine: whenever the latest capture time passes the next flush point, buffered data
 * older than `flushAfterSec` is pushed out over its hole and connections idle longer than `closeAfterSec` are
 * closed; at the end every connection is finished (`open at end`).
 *
 * Rejects with CaptureError when the source cannot be read at all; damage later on is reported through
 * `onDiagnostic` and counted in `read.diagnostics`, and everything before it is processed.
 */
export async function runPass(source: PassInput, consumer: PassConsumer, options: PassOptions = {}): Promise<PassResult> {
  const started = process.hrtime.bigint();
  const flushAfter = options.flushAfterSec ?? DEFAULT_FLUSH_AFTER_SEC;
  const closeAfter = options.closeAfterSec ?? DEFAULT_CLOSE_AFTER_SEC;
  const state = new PassState(consumer, checkTotals(options.checkState ?? false, options.checkOptions ?? false), options.allowMissingInit ?? true, options.select);
  const pool = new StreamPool(state, { ...PIPELINE_POOL_DEFAULTS, ...options.pool });
  const assembler = new Assembler(pool, options.assembler);
  if (consumer.observer !== undefined) assembler.observer = consumer.observer;
  const decoder = new Decoder({ verifyChecksums: options.verifyChecksums ?? false });
  const pkt = new TcpPacket();

  // Stops the reader on Ctrl-C or when the consumer cannot go on; the reader checks it between records.
  const stop = new AbortController();
  const userSignal = options.signal;
  const onAbort = (): void => stop.abort();
  if (userSignal !== undefined) {
    if (userSignal.aborted) stop.abort();
    else userSignal.addEventListener('abort', onAbort, { once: true });
  }
  let stopReason: string | null = null;
  const clock = new FlushClock(assembler, flushAfter, closeAfter);
  let records = 0;
  let bytesRead = 0;
  const progress = options.onProgress;

  const shards = options.shard?.count ?? 1;
  const shard = options.shard?.index ?? 0;
  const range = new TimeRange(options.since, options.until);
  let outsideTime = 0;
  const onRecord = (rec: CaptureRecord): void => {
    records++;
    if (range.active && !range.holds(rec.tsSec, rec.tsNsec)) {
      outsideTime++;
      return;
    }
    if (decoder.decode(rec, pkt)) {
      state.record = records;
      if (shards === 1) assembler.assemble(pkt);
      else {
        // A shard assembles only its own connections, but its clock runs on every segment, so flushes and
        // timeouts happen at the capture times a single run has them.
        if (tupleHash(pkt.src, pkt.srcPort, pkt.dst, pkt.dstPort) % shards === shard) assembler.assemble(pkt);
      }
      clock.tick(pkt.tsSec + pkt.tsNsec * 1e-9);
    }
    // Every 256th record: a display needs nothing finer, and the call is not free on a 9M-packet capture.
    if (progress !== undefined && (records & (PROGRESS_EVERY - 1)) === 0) progress(bytesRead, records, pool.connectionCount);
  };

  let read: ReadSummary;
  let inputs: InputSummary[];
  const readOptions = {
    onDiagnostic: options.onDiagnostic,
    resync: options.resync ?? false,
    hashSource: options.hashInputs ?? false,
    signal: stop.signal,
    onProgress: (n: number) => {
      bytesRead = n;
      if (progress !== undefined) progress(n, records, pool.connectionCount);
    },
    afterChunk:
      consumer.stopReason === undefined && consumer.drain === undefined && options.drain === undefined
        ? undefined
        : async () => {
            const why = consumer.stopReason?.() ?? null;
            if (why !== null && stopReason === null) {
              stopReason = why;
              stop.abort();
            }
            await consumer.drain?.();
            await options.drain?.();
          },
  };
  try {
    if (typeof source === 'string' || Array.isArray(source)) {
      const names: readonly string[] = typeof source === 'string' ? [source] : source;
      const set = await readCaptureSet(names, onRecord, { ...readOptions, fromFolder: options.fromFolder, onSkipped: options.onSkipped, onInputs: options.onInputs });
      read = set.read;
      inputs = set.inputs;
      if (typeof source === 'string' && options.sourceName !== undefined) inputs[0]!.name = options.sourceName;
    } else {
      const name = options.sourceName ?? '<stream>';
      options.onInputs?.([name]);
      read = await readCapture(source as CaptureSource, onRecord, { ...readOptions, sourceName: name });
      inputs = [
        {
          name,
          size: null,
          format: read.format,
          compressed: read.compressed,
          records: read.records,
          firstTime: null,
          lastTime: null,
          sha256: read.sourceSha256,
          diagnostics: { ...read.diagnostics },
          cleanEnd: read.cleanEnd,
        },
      ];
    }
  } finally {
    userSignal?.removeEventListener('abort', onAbort);
  }
  decoder.finish();
  if (options.onDiagnostic !== undefined) for (const d of decoder.undecodedWarnings()) options.onDiagnostic(d);
  assembler.flushAll(read.aborted ? 'interrupted' : 'open-at-end');
  return {
    read,
    inputs,
    outsideTime,
    decode: decoder.stats,
    assembler: assembler.stats,
    pool: pool.stats,
    checks: state.checks,
    totals: state.totals,
    pageSize: assembler.options.pageSize,
    elapsedNs: Number(process.hrtime.bigint() - started),
    interrupted: read.aborted,
    stopReason,
    firstTime: clock.first,
    lastTime: clock.last === -Infinity ? NaN : clock.last,
  };
}
