import { existsSync, readdirSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { encapsulationText } from '../decode/encapsulation.js';
import {
  StreamExporter,
  type ConnectionExport,
  type ExportConnection,
  type ExportError,
  type ExportOptions,
  type ExportSummary,
  type SideFile,
  type StreamSink,
} from '../export/index.js';
import type { AssemblerContext, ConflictRecord, ConnectionInfo, Direction, OverlapEvent, OverlapObserver, ScatterGather } from '../reassembly/index.js';
import { fillingNames, keepingWarnings } from './collect.js';
import { inputName, type PassInput, type PassOptions } from './options.js';
import { runPass, type ConnectionHandler, type PassConsumer, type PassResult } from './pass.js';
import { directionConflicts, directionReport, type ConflictJson } from './engine-json.js';
import { holeStart, holeTime } from './hole.js';
import { RecordNames } from '../report/record-names.js';
import { stateWord } from '../schema/states.js';
import { runSummary, type RunSummary } from './summary.js';
import { effectiveOptions, inputRecord } from './run-options.js';
import { packageVersion } from '../version.js';

/** Result of {@link exportCapture}. */
export interface ExportResult {
  summary: RunSummary;
  export: ExportSummary;
  /** The first file errors (each names its file); `exportErrorCount` counts them all. */
  exportErrors: ExportError[];
  exportErrorCount: number;
  /** The error that stopped every write (disk full, read-only, I/O error), if any: the export is incomplete. */
  fatalError: ExportError | null;
  pass: PassResult;
}

/**
 * Hands one connection's data to its two files: chunk by chunk from the engine's buffers, holes as gaps.
 * Reused: after complete() the handler and its ConnectionExport go back to their pools (the engine calls
 * nothing on a stream after complete()).
 */
class ExportHandler implements ConnectionHandler {
  exp: ConnectionExport | null = null;
  /**
   * The connection until its export is opened, at its first data or hole or at its end: a half-open connection
   * of a SYN flood then holds no files' state (about 1.3 kB) while it waits.
   */
  conn: ConnectionInfo | null = null;
  // Capture time of the packet that brought each direction's last byte (the files' mtimes); NaN: none yet.
  private c2sLastSec = Number.NaN;
  private c2sLastNsec = 0;
  private s2cLastSec = Number.NaN;
  private s2cLastNsec = 0;

  constructor(private readonly consumer: ExportConsumer) {}

  private opened(): ConnectionExport | null {
    if (this.exp === null && this.conn !== null) this.exp = this.consumer.openExport(this.conn);
    return this.exp;
  }

  reassembled(sg: ScatterGather, ctx: AssemblerContext): void {
    const exp = this.opened();
    if (exp === null) return;
    const info = sg.info();
    const sink: StreamSink = info.direction === 0 ? exp.c2s : exp.s2c;
    if (info.skip !== 0) {
      // A hole lies at [seq - skip, seq); skip -1: the start was never seen and seq is the first byte that was.
      const t = holeTime(sg, ctx);
      sink.gap(holeStart(info), info.skip, t.tsSec, t.tsNsec);
    }
    // No keepFrom is ever asked, so there are no saved bytes: every chunk is new data, written without a copy.
    const n = sg.chunkCount();
    let total = 0;
    for (let i = 0; i < n; i++) {
      const len = sg.chunkLength(i);
      total += len;
      if (len > 0) sink.write(sg.chunkBuffer(i), sg.chunkOffset(i), len);
    }
    if (total === 0) return;
    const last = sg.captureInfo(total - 1);
    if (info.direction === 0) {
      this.c2sLastSec = last.tsSec;
      this.c2sLastNsec = last.tsNsec;
    } else {
      this.s2cLastSec = last.tsSec;
      this.s2cLastNsec = last.tsNsec;
    }
  }

  complete(conn: ConnectionInfo): void {
    const exp = this.opened();
    this.conn = null;
    if (exp === null) return;
    this.exp = null;
    const cutShort = conn.endReason === 'interrupted';
    const c2sConflicts = this.consumer.conflictsOf(conn, 0);
    const s2cConflicts = this.consumer.conflictsOf(conn, 1);
    exp.c2s.finish({ stats: directionReport(conn.stats[0]), conflicts: c2sConflicts, cutShort, ...lastByte(this.c2sLastSec, this.c2sLastNsec) });
    exp.s2c.finish({ stats: directionReport(conn.stats[1]), conflicts: s2cConflicts, cutShort, ...lastByte(this.s2cLastSec, this.s2cLastNsec) });
    this.c2sLastSec = this.s2cLastSec = Number.NaN;
    exp.finish({ state: stateWord(conn.endReason), lastTsSec: conn.lastTsSec, lastTsNsec: conn.lastTsNsec, cutShort });
    this.consumer.done(this, exp, conn.id);
  }
}

/** The DirectionEnd fields of a last byte's time; none when no byte came. */
function lastByte(sec: number, nsec: number): { lastByteTsSec?: number; lastByteTsNsec?: number } {
  return Number.isNaN(sec) ? {} : { lastByteTsSec: sec, lastByteTsNsec: nsec };
}

/** The pass consumer of an export: each selected connection to its files; shards of a run in workers use it too. @internal */
export class ExportConsumer implements PassConsumer {
  private readonly spare: ExportHandler[] = [];
  /** With keepConflicts: hears each conflict, to write its losing copy. */
  readonly observer: OverlapObserver | undefined;
  /** Losing copies written, by their conflict record, until the connection's row takes them. */
  private readonly losing = new Map<ConflictRecord, SideFile>();
  /** With keepConflicts: the connections this export handles (a selection leaves others out). */
  private readonly handled = new Set<number>();
  /** How the manifest's conflict records name their records (with the file, in a capture set). */
  readonly names = new RecordNames();
  /** Filled for each new connection; openConnection copies it, addresses included. */
  private readonly info: ExportConnection = {
    id: 0,
    ipVersion: 4,
    client: EMPTY_WORDS,
    clientPort: 0,
    server: EMPTY_WORDS,
    serverPort: 0,
    vlan: -1,
    outerVlan: -1,
    encapsulation: '',
    firstTsSec: 0,
    firstTsNsec: 0,
  };

  constructor(
    private readonly exporter: StreamExporter,
    keepConflicts: boolean,
  ) {
    this.observer = keepConflicts ? { onOverlap: (ev) => this.keepLosing(ev) } : undefined;
  }

  open(conn: ConnectionInfo): ConnectionHandler {
    const h = this.spare.pop() ?? new ExportHandler(this);
    h.conn = conn;
    if (this.observer !== undefined) this.handled.add(conn.id);
    return h;
  }

  /**
   * A conflict's losing copy, to its own file: only for records the connection keeps (its manifest lists
   * them; past the engine's per-connection bound a conflict is only counted), so files stay bounded too.
   */
  private keepLosing(ev: OverlapEvent): void {
    const r = ev.conflict;
    const bytes = ev.losingCopy;
    if (ev.kind !== 'conflict' || r === undefined || bytes === undefined || !this.handled.has(ev.connection.id)) return;
    if (!ev.connection.conflicts.includes(r)) return;
    const end = (r.seq + r.length) >>> 0;
    const file = this.exporter.writeSideFile(`conflict-${ev.connection.id}-${r.direction === 0 ? 'c2s' : 's2c'}-${r.seq}-${end}.losing`, bytes);
    if (file !== null) this.losing.set(r, file);
  }

  /** A direction's conflicts for its manifest row, each with its losing copy's file when one was written. */
  conflictsOf(conn: ConnectionInfo, dir: Direction): ConflictJson[] {
    const out = directionConflicts(conn, dir, this.names);
    if (this.losing.size === 0) return out;
    let k = 0;
    for (const r of conn.conflicts) {
      if (r.direction !== dir) continue;
      const f = this.losing.get(r);
      if (f !== undefined) {
        out[k] = { ...out[k]!, losingCopy: f };
        this.losing.delete(r);
      }
      k++;
    }
    return out;
  }

  /** Opens the export of a connection (its ConnectionInfo is valid until its complete() returns). */
  openExport(conn: ConnectionInfo): ConnectionExport {
    const i = this.info;
    i.id = conn.id;
    i.ipVersion = conn.ipVersion;
    i.client = conn.client.addr;
    i.clientPort = conn.client.port;
    i.server = conn.server.addr;
    i.serverPort = conn.server.port;
    i.vlan = conn.vlan;
    i.outerVlan = conn.outerVlan;
    i.encapsulation = encapsulationText(conn.encap);
    i.firstTsSec = conn.firstTsSec;
    i.firstTsNsec = conn.firstTsNsec;
    const exp = this.exporter.openConnection(i);
    // The address copies are the export's now.
    i.client = EMPTY_WORDS;
    i.server = EMPTY_WORDS;
    return exp;
  }

  /** A handler whose connection ended: both go back to their pools. */
  done(h: ExportHandler, exp: ConnectionExport, id: number): void {
    this.handled.delete(id);
    this.exporter.release(exp);
    this.spare.push(h);
  }

  stopReason(): string | null {
    const e = this.exporter.fatalError;
    return e === null ? null : e.message;
  }
}

const EMPTY_WORDS: readonly number[] = [0, 0, 0, 0];

/**
 * The export command without printing: writes each direction of each connection (`options.select` chooses) to its own file
 * in `output.dir`, named as tcpflow names them, and `manifest.jsonl` (one row a connection, written when it
 * ends). Prepares the folder first: throws ExportError when it is not usable (not empty without `force`,
 * not writable), CaptureError when the capture is unreadable. Write errors later on are reported in the result.
 * A full disk stops reading; Ctrl-C (options.signal) too: what was read is written and the manifest finished,
 * connections cut short marked `interrupted` with `complete: false`.
 */
export async function exportCapture(
  source: PassInput,
  output: ExportOptions,
  options: PassOptions = {},
): Promise<ExportResult> {
  // Only a folder this run creates may be taken away again (see below); an injected fs is the caller's business.
  const created = output.fs === undefined && !existsSync(output.dir);
  const keep = output.keepConflicts === true;
  const passOptions: PassOptions = { hashInputs: true, ...options, ...(keep ? { assembler: { ...options.assembler, keepLosingCopies: true } } : {}) };
  const run = { version: packageVersion(), ...output.run, options: effectiveOptions(passOptions, output, output.run?.options) };
  const exporter = StreamExporter.create({ ...output, run });
  const consumer = new ExportConsumer(exporter, keep);
  const { options: opts, warnings } = keepingWarnings(fillingNames(passOptions, consumer.names));
  let pass: PassResult;
  try {
    pass = await runPass(source, consumer, opts);
  } catch (e) {
    // Unreadable input (CaptureError): close the empty manifest, and remove the folder if this run made it and
    // wrote nothing else, so a typo in the capture name leaves no empty output folder behind.
    exporter.close({ failed: e instanceof Error ? e.message : String(e) });
    if (created && exporter.manifestRows === 0) removeIfOnlyRunFiles(output.dir, [exporter.manifestName, exporter.runRecordName]);
    throw e;
  }
  const reason = options.signal?.reason;
  const exportSummary = exporter.close({
    interrupted: pass.interrupted ? (pass.stopReason ?? (typeof reason === 'string' ? reason : 'interrupted')) : null,
    inputs: pass.inputs.map(inputRecord),
  });
  const input = options.sourceName ?? inputName(source);
  return {
    summary: runSummary(input, pass, warnings),
    export: exportSummary,
    exportErrors: exporter.errors,
    exportErrorCount: exporter.errorCount,
    fatalError: exporter.fatalError,
    pass,
  };
}

/** Removes the folder when it holds nothing but this run's manifest and run record (plain files). @internal */
export function removeIfOnlyRunFiles(dir: string, ours: readonly string[]): void {
  try {
    const names = readdirSync(dir);
    if (names.length === ours.length && names.every((n) => ours.includes(n) && statSync(join(dir, n)).isFile())) {
      for (const n of names) unlinkSync(join(dir, n));
      rmdirSync(dir);
    }
  } catch {
    // Best effort: a folder that cannot be cleaned is merely left as it is.
  }
}
