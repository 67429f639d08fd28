/**
 * The whole library path the fuzzer drives: capture reader -> Decoder -> Assembler (with a stream that consumes
 * every byte) -> flushAll, with the invariants every run must keep checked along the way.
 *
 * A run never throws: an exception escaping the library is caught and returned as `crash` (with the phase it
 * escaped from), a broken invariant is returned in `violations`. A CaptureError is a documented outcome (the
 * input is not a capture at all) and is returned as `rejected`, but only while no file header had been read.
 */
import { Readable } from 'node:stream';
import { CaptureParser } from '../../lib/capture/parser.js';
import { readCapture } from '../../lib/capture/source.js';
import { CaptureError } from '../../lib/capture/errors.js';
import type { CaptureRecord } from '../../lib/capture/record.js';
import type { Diagnostic } from '../../lib/capture/diagnostic.js';
import type { ReadSummary } from '../../lib/capture/summary.js';
import { Decoder } from '../../lib/decode/decoder.js';
import { TcpPacket } from '../../lib/decode/packet.js';
import { Assembler } from '../../lib/reassembly/assembler.js';
import { StreamPool } from '../../lib/reassembly/pool.js';
import type { AssemblerOptions, StreamPoolOptions } from '../../lib/reassembly/options.js';
import type { ConnectionInfo, Direction } from '../../lib/reassembly/connection.js';
import type { ScatterGather } from '../../lib/reassembly/scatter-gather.js';
import type { AssemblerContext, StartFlag, Stream, StreamFactory } from '../../lib/reassembly/stream.js';
import { Prng } from '../bench/prng.js';

/** How the bytes reach the library. */
export type Via = 'parser-whole' | 'parser-chunks' | 'read-stream';

export interface RunOptions {
  via: Via;
  /** Seeds the chunk sizes (parser-chunks, read-stream) and the stream's keepFrom choices. */
  seed: number;
  resync?: boolean;
  maxRecordLength?: number;
  pool?: Partial<StreamPoolOptions>;
  assembler?: Partial<AssemblerOptions>;
  /** Length of the decompressed capture when known (plain input: the input length), for the offset checks. */
  streamLength?: number;
  /** Called with every decoded segment before it is assembled (tests of the harness itself inject faults here). */
  onSegment?: (pkt: TcpPacket) => void;
}

/** What one run did. */
export interface RunResult {
  /** Exception that escaped the library (phase: stack), if any. */
  crash: string | null;
  /** CaptureError code when the input was rejected as a whole. */
  rejected: string | null;
  violations: string[];
  records: number;
  diagnostics: number;
  diagnosticCodes: Record<string, number>;
  segments: number;
  connections: number;
  bytesDelivered: number;
  summary: ReadSummary | null;
}

const MAX_VIOLATIONS = 20;

/**
 * A stream that reads everything it is given the way exporters and user code do (chunks, fetch, captureInfo,
 * keepFrom) and checks what the ScatterGather says about itself.
 */
class ConsumingStream implements Stream {
  delivered: [number, number] = [0, 0];
  completed = 0;
  constructor(
    private readonly run: Checker,
    readonly conn: ConnectionInfo,
  ) {}

  accept(_pkt: TcpPacket, _dir: Direction, _nextSeq: number, start: StartFlag): boolean {
    // Pick up mid-stream connections now and then, as a user stream may.
    if (!start.value && this.run.rng.int(4) === 0) start.value = true;
    return true;
  }

  reassembled(sg: ScatterGather, _ctx: AssemblerContext): void {
    const run = this.run;
    const { available, saved } = sg.lengths();
    const info = sg.info();
    if (!(saved >= 0 && saved <= available)) run.violate(`sg saved ${saved} outside [0, ${available}]`);
    if (info.skip < -1) run.violate(`sg skip ${info.skip} < -1`);
    let sum = 0;
    const n = sg.chunkCount();
    for (let i = 0; i < n; i++) {
      const b = sg.chunkBuffer(i);
      const o = sg.chunkOffset(i);
      const l = sg.chunkLength(i);
      if (o < 0 || l < 0 || o + l > b.length) run.violate(`sg chunk ${i} [${o}, ${o + l}) outside buffer of ${b.length}`);
      // Touch every byte, as a hasher would.
      let h = 0;
      for (let k = o; k < o + l && k < b.length; k++) h = (h + b[k]!) | 0;
      run.byteSum = (run.byteSum + h) | 0;
      sum += l;
    }
    if (sum !== available) run.violate(`sg chunks hold ${sum} bytes, lengths() says ${available}`);
    if (available > 0) {
      const f = sg.fetch(available);
      if (f.length !== available) run.violate(`fetch(${available}) gave ${f.length}`);
      sg.captureInfo(0);
      sg.captureInfo(available - 1);
      sg.captureInfo(run.rng.int(available));
      // Offsets outside the data must be clamped, never throw.
      sg.captureInfo(-5);
      sg.captureInfo(available + 7);
      if (run.rng.int(16) === 0) sg.keepFrom(run.rng.int(available + 1));
    }
    this.delivered[info.direction] += available - saved;
  }

  complete(_ctx: AssemblerContext): boolean {
    this.completed++;
    if (this.completed > 1) this.run.violate(`complete() called ${this.completed} times on connection ${this.conn.id}`);
    return true;
  }
}

/** Run state shared by the callbacks. */
class Checker {
  readonly violations: string[] = [];
  rng: Prng;
  byteSum = 0;
  constructor(seed: number) {
    this.rng = new Prng(seed ^ 0x5bd1e995);
  }
  violate(msg: string): void {
    if (this.violations.length < MAX_VIOLATIONS) this.violations.push(msg);
  }
}

/** Runs one input through the library, synchronously when it can (CaptureParser), else through readCapture. */
export async function runCapture(input: Buffer, opts: RunOptions): Promise<RunResult> {
  const check = new Checker(opts.seed);
  const streams: ConsumingStream[] = [];
  const factory: StreamFactory = {
    new: (_pkt, _ctx, conn) => {
      const s = new ConsumingStream(check, conn);
      streams.push(s);
      return s;
    },
  };
  const pool = new StreamPool(factory, opts.pool);
  const asm = new Assembler(pool, opts.assembler);
  const decoder = new Decoder();
  const pkt = new TcpPacket();
  const diags: Diagnostic[] = [];
  const diagCodes: Record<string, number> = {};
  let records = 0;
  let segments = 0;
  let lastRecord = 0;
  let lastOffset = -1;
  let sinceFlush = 0;
  let phase = 'read';

  const onRecord = (rec: CaptureRecord): void => {
    records++;
    if (rec.recordNumber <= lastRecord) check.violate(`record number ${rec.recordNumber} after ${lastRecord}`);
    if (rec.fileOffset <= lastOffset) check.violate(`record ${rec.recordNumber} offset ${rec.fileOffset} after ${lastOffset}`);
    if (opts.streamLength !== undefined && rec.fileOffset + rec.capturedLength > opts.streamLength) {
      check.violate(`record ${rec.recordNumber} at ${rec.fileOffset}+${rec.capturedLength} beyond stream end ${opts.streamLength}`);
    }
    if (rec.capturedLength < 0 || rec.offset < 0 || rec.offset + rec.capturedLength > rec.buf.length) {
      check.violate(`record ${rec.recordNumber} bytes [${rec.offset}, +${rec.capturedLength}) outside its buffer of ${rec.buf.length}`);
    }
    if (!(rec.tsNsec >= 0 && rec.tsNsec <= 999_999_999)) check.violate(`record ${rec.recordNumber} tsNsec ${rec.tsNsec}`);
    lastRecord = rec.recordNumber;
    lastOffset = rec.fileOffset;
    phase = 'decode';
    const ok = decoder.decode(rec, pkt);
    if (ok) {
      segments++;
      phase = 'inject';
      opts.onSegment?.(pkt);
      if (pkt.payloadOffset < 0 || pkt.payloadOffset + pkt.payloadLength > pkt.payloadBuf.length) {
        check.violate(`record ${rec.recordNumber} payload outside its buffer`);
      }
      if (pkt.wireLength < pkt.payloadLength) check.violate(`record ${rec.recordNumber} wireLength < payloadLength`);
      phase = 'assemble';
      asm.assemble(pkt);
      if (++sinceFlush === 64) {
        sinceFlush = 0;
        const now = pkt.tsSec + pkt.tsNsec * 1e-9;
        phase = 'flush';
        asm.flushWithOptions({ t: now - 30, tc: now - 120 });
      }
    }
    phase = 'read';
  };
  const onDiagnostic = (d: Diagnostic): void => {
    diagCodes[d.code] = (diagCodes[d.code] ?? 0) + 1;
    if (diags.length < 1000) diags.push(d);
  };

  let crash: string | null = null;
  let rejected: string | null = null;
  let summary: ReadSummary | null = null;
  let headerRead = false;
  try {
    const popts = { onDiagnostic, resync: opts.resync, maxRecordLength: opts.maxRecordLength, sourceName: 'fuzz' };
    if (opts.via === 'read-stream') {
      summary = await readCapture(Readable.from(chunks(input, check.rng, true), { objectMode: false }), onRecord, popts);
      headerRead = true;
    } else {
      const parser = new CaptureParser(onRecord, popts);
      try {
        if (opts.via === 'parser-whole') parser.push(input);
        else for (const c of chunks(input, check.rng, false)) parser.push(c);
        summary = parser.end();
      } finally {
        headerRead = parser.headerRead;
      }
    }
    phase = 'finish';
    decoder.finish();
    asm.flushAll();
  } catch (e) {
    if (e instanceof CaptureError && phase === 'read' && !headerRead) {
      rejected = e.code;
    } else if (e instanceof CaptureError && phase === 'read' && opts.via === 'read-stream' && isHeaderCode(e.code)) {
      rejected = e.code;
    } else {
      crash = `${phase}: ${(e as Error)?.stack ?? String(e)}`;
    }
  }

  if (crash === null && rejected === null) {
    finalChecks(check, opts, summary!, records, diags, decoder, asm, streams);
  }
  let delivered = 0;
  for (const s of streams) delivered += s.delivered[0] + s.delivered[1];
  return {
    crash,
    rejected,
    violations: check.violations,
    records,
    diagnostics: Object.values(diagCodes).reduce((a, b) => a + b, 0),
    diagnosticCodes: diagCodes,
    segments,
    connections: pool.connectionCount,
    bytesDelivered: delivered,
    summary,
  };
}

function isHeaderCode(code: string): boolean {
  return code === 'empty' || code === 'not-a-capture' || code === 'truncated-header';
}

function finalChecks(
  check: Checker,
  opts: RunOptions,
  summary: ReadSummary,
  records: number,
  diags: Diagnostic[],
  decoder: Decoder,
  asm: Assembler,
  streams: ConsumingStream[],
): void {
  if (summary.records !== records) check.violate(`summary.records ${summary.records}, delivered ${records}`);
  if (summary.recordsSeen < summary.records) check.violate(`recordsSeen ${summary.recordsSeen} < records ${summary.records}`);
  // Offsets are in the decompressed stream: its length is known for plain input; when it is not (damaged deflate
  // data), the bytes the reader was given bound it (reported offsets may lie past what it consumed).
  const limit = opts.streamLength ?? Number.MAX_SAFE_INTEGER;
  for (const d of diags) {
    if (!Number.isInteger(d.fileOffset) || d.fileOffset < 0 || d.fileOffset > limit) {
      check.violate(`diagnostic ${d.code} offset ${d.fileOffset} outside [0, ${limit}]`);
    }
    if (!Number.isInteger(d.recordNumber) || d.recordNumber < 0 || d.recordNumber > summary.recordsSeen + 1) {
      check.violate(`diagnostic ${d.code} record ${d.recordNumber} (recordsSeen ${summary.recordsSeen})`);
    }
    if (d.bytesSkipped !== undefined && (!(d.bytesSkipped >= 0) || d.bytesSkipped > limit)) {
      check.violate(`diagnostic ${d.code} bytesSkipped ${d.bytesSkipped}`);
    }
    if (typeof d.message !== 'string' || d.message.length === 0 || typeof d.code !== 'string' || d.code.length === 0) {
      check.violate(`diagnostic without code or message`);
    }
  }
  const ds = decoder.stats;
  if (ds.packets !== records) check.violate(`decoder saw ${ds.packets} of ${records} records`);
  if (ds.packets !== ds.tcp + ds.nonTcp + ds.malformed + ds.checksumFailed + ds.fragmentsHeld) {
    check.violate(`decoder outcomes do not add up: ${JSON.stringify({ p: ds.packets, t: ds.tcp, n: ds.nonTcp, m: ds.malformed, c: ds.checksumFailed, f: ds.fragmentsHeld })}`);
  }
  const as = asm.stats;
  const ps = asm.pool.stats;
  if (ps.connectionsOpen !== 0) check.violate(`${ps.connectionsOpen} connections open after flushAll`);
  if (as.bufferedPages !== 0 || as.windowPages !== 0 || as.pagesInUse !== 0 || as.windowRuns !== 0) {
    check.violate(`pages held after flushAll: buffered ${as.bufferedPages}, window ${as.windowPages}, in use ${as.pagesInUse}, runs ${as.windowRuns}`);
  }
  const maxPool = asm.pool.options.maxConnections;
  if (ps.connectionsPeakOpen > maxPool) check.violate(`peak open ${ps.connectionsPeakOpen} > max ${maxPool}`);
  if (as.bufferedPagesPeak > asm.options.maxBufferedPagesTotal + Math.ceil(65536 / asm.options.pageSize) + 1) {
    check.violate(`buffered pages peak ${as.bufferedPagesPeak} beyond the total bound ${asm.options.maxBufferedPagesTotal}`);
  }
  for (const s of streams) {
    if (s.completed !== 1) check.violate(`connection ${s.conn.id} completed ${s.completed} times`);
    for (let d = 0; d < 2; d++) {
      const st = s.conn.stats[d]!;
      if (st.bytes !== s.delivered[d]) {
        check.violate(`connection ${s.conn.id} dir ${d}: stats say ${st.bytes} delivered, stream got ${s.delivered[d]}`);
      }
    }
  }
}

/** Splits the input into random chunks (1 byte to 64 KiB, skewed small); copies when the consumer may keep them. */
function* chunks(input: Buffer, rng: Prng, copy: boolean): Generator<Buffer> {
  let p = 0;
  while (p < input.length) {
    const r = rng.int(8);
    const size = r === 0 ? 1 + rng.int(8) : r < 4 ? 1 + rng.int(600) : 1 + rng.int(65536);
    const c = input.subarray(p, Math.min(input.length, p + size));
    yield copy ? Buffer.from(c) : c;
    p += size;
  }
}
