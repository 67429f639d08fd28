import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { formatAddress, type AddressWords } from '../net/address.js';
import { formatCaptureTime, formatEpoch } from '../report/time.js';
import { DirectionFile, type ExportContext } from './direction-file.js';
import { FATAL_CODES, errorCode, fsError, type ExportError } from './errors.js';
import { ChunkPool, FilePool } from './file-pool.js';
import { prepareOutputFolder } from './folder.js';
import { OPEN_NEW, realFs, type ExportFs } from './fs.js';
import { LruLink, LruList } from './lru.js';
import { NameHints } from './name-hints.js';
import type { DirectionRow, ManifestEnd, ManifestRow } from './manifest.js';
import { RunFiles, type RowOutput } from './run-files.js';
import type { RunRequest } from './run-record.js';
import { FillBudget, type FillBounds, type FillLimit } from './fill-budget.js';
import { tcpflowVlan, type FlowNameParts } from './naming.js';
import type { ConnectionEnd, ExportConnection } from './sink.js';

/** Default bound on output files open at once (the manifest included). */
export const DEFAULT_MAX_OPEN_FILES = 64;
/** Default bound on all write buffers together. */
export const DEFAULT_MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/** Export settings. Defaults bound memory to about `maxBufferedBytes` and files to `maxOpenFiles`. */
export interface ExportOptions {
  /** Output folder: created when missing; must be empty unless `force`. */
  dir: string;
  /**
   * Write into a non-empty folder. Nothing there is overwritten: a clashing stream name takes the next `cN`,
   * and a folder that holds an earlier run's `manifest.jsonl` gets `manifest-2.jsonl` and `run-2.json` (then 3...).
   */
  force?: boolean;
  /** What the run record (`run.json`) says of how the export was asked for: program, command line, options. */
  run?: RunRequest;
  /** Write zeros for holes so file offsets follow sequence numbers (tcpflow's behaviour). Default false. */
  fillGaps?: boolean;
  /** Bounds on those zeros (per hole, per file, per export); a hole past one stays a hole (`filled: false`). */
  fill?: FillBounds;
  /** Most files open at once (the manifest included), whatever the number of connections. Default {@link DEFAULT_MAX_OPEN_FILES}, at least 2. */
  maxOpenFiles?: number;
  /** Most bytes one file buffers: small writes are batched up to this size (rounded to 8 KiB chunks). Default 64 KiB. */
  bufferSize?: number;
  /** Bound on all write buffers together. Default {@link DEFAULT_MAX_BUFFERED_BYTES} (32 MiB). */
  maxBufferedBytes?: number;
  /** Gap entries kept per direction; further holes are only counted. Default 10 000. */
  maxGapsPerStream?: number;
  /** File-system calls (tests inject failures here). Default: node:fs. */
  fs?: ExportFs;
  /**
   * Also write the losing copy of every conflicting range the manifest lists (the bytes the stream does not
   * hold), each in its own file beside the streams, listed with its sha256 in the conflict's `losingCopy`.
   */
  keepConflicts?: boolean;
}

/** Totals after close(). */
export interface ExportSummary {
  /** This run's manifest and run record: file names in the output folder (`manifest-2.jsonl` for a second run). */
  manifest: string;
  runRecord: string;
  connections: number;
  /** Rows for connections still open when the export closed (their files are marked partial). */
  unfinished: number;
  files: number;
  bytes: number;
  failedFiles: number;
  /** Files closed to stay under the open-file bound (reopened when written again). */
  fileEvictions: number;
  /** The bound on stream files open at once at the end (the manifest is one more); lower than asked if the system refused files (EMFILE). */
  openFileLimit: number;
  /** Write buffers flushed early to stay under the memory bound. */
  forcedFlushes: number;
  bufferBytesAllocated: number;
  /** Files holding fewer stream bytes than the capture gave (`truncated: true` in their rows). */
  truncatedFiles: number;
  /** Stream bytes not written (write errors, the export stopping), in all rows. */
  droppedBytes: number;
  /** With fillGaps: zeros written for holes, holes a fill bound kept unfilled and their bytes, the first such bound. */
  filledBytes: number;
  unfilledHoles: number;
  unfilledBytes: number;
  firstFillRefusal: FillLimit | null;
  /** Manifest rows that could not be written (a disk too full even for the reserve): counted in the end record. */
  rowsLost: number;
  /** Files of losing conflict copies written beside the streams (`keepConflicts`). */
  conflictCopies: number;
}

/** A file written beside the streams in one go (a conflict's losing copy), as its manifest entry lists it. */
export interface SideFile {
  file: string;
  bytes: number;
  sha256: string;
}

/** How the run that fed the export ended, for the manifest's end record. */
export interface ExportOutcome {
  /** A signal (or the caller) stopped reading: the reason, e.g. `interrupted by SIGTERM`. */
  interrupted?: string | null;
  /** The capture could not be read: the error message. */
  failed?: string | null;
  /** The inputs as read (name, size, sha256, first/last capture time...), for the run record. */
  inputs?: readonly object[];
}

/** Numbered names tried (copies of one conflict range) before giving up. */
const MAX_NUMBERED_NAMES = 10_000;

/** Export errors kept in full (the rest are counted in `errorCount`). */
export const MAX_KEPT_ERRORS = 100;
/** Unit of buffer memory: small enough that thousands of active streams each get some, large enough for few syscalls. */
const CHUNK_SIZE = 8 * 1024;

/**
 * Writes reassembled streams to a folder, one file per direction, named as tcpflow names them, with
 * `manifest.jsonl` (one row per connection, written when it finishes). Create with {@link StreamExporter.create}.
 *
 * The sinks never throw: a file that cannot be written is marked partial with its error, and after an error
 * that stops every write (disk full, read-only file system, I/O error) `fatalError` is set so the caller
 * can stop the pass.
 *
 * Memory does not grow with the files written, only with the connections open at once:
 * - write buffers: at most `maxBufferedBytes` (a stream's first 1 KiB chunk comes from slabs, so 10 000 short
 *   streams open at once hold about 20 MB, not the whole bound of 8 KiB chunks);
 * - per connection open at once, about 1.9 KB of objects (ConnectionExport, two DirectionFiles, their list
 *   links and name parts; measured with 20 000 open), kept for the next connection once {@link release}d;
 * - fixed: the name-hint table (about 200 KiB), the manifest's 64 KiB buffer, at most `maxOpenFiles` descriptors.
 * Per file written: nothing. Names are found by exclusive creation (the folder is the registry of names used),
 * so an export of 2 million files needs no table of 2 million names (a Set of them would be ~100 B each).
 */
export class StreamExporter {
  /** The first errors (up to 100), each naming its file. */
  readonly errors: ExportError[] = [];
  errorCount = 0;
  /** Set after ENOSPC, EDQUOT, EROFS or EIO: nothing more can be written. */
  fatalError: ExportError | null = null;

  private readonly ctx: ExportContext;
  /** Where rows go: the run's manifest, or a shard's hand-over to the thread that writes it. */
  private readonly rowOut: RowOutput;
  /** The run's own files (manifest, run record, reserve); null in a shard (the main thread has them). */
  private readonly runFiles: RunFiles | null;
  private readonly active = new LruList<ConnectionExport>();
  /** Released connections, reused by openConnection: at most as many as were ever open at once. */
  private readonly spare: ConnectionExport[] = [];
  private connections = 0;
  private unfinished = 0;
  private files = 0;
  private bytes = 0;
  private failedFiles = 0;
  private truncatedFiles = 0;
  private droppedBytes = 0;
  private conflictCopies = 0;
  private summary: ExportSummary | null = null;

  private constructor(dir: string, options: ExportOptions, fs: ExportFs, shardRows: RowOutput | null) {
    const wanted = Math.max(1, Math.floor(options.bufferSize ?? 64 * 1024));
    const chunkSize = Math.min(CHUNK_SIZE, wanted);
    const bufferSize = Math.ceil(wanted / chunkSize) * chunkSize;
    this.ctx = {
      fs,
      dir,
      // The manifest keeps one descriptor open for the whole export: the bound counts it.
      files: new FilePool(Math.max(2, options.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES) - 1),
      chunks: new ChunkPool(chunkSize, options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES),
      bufferSize,
      fillGaps: options.fillGaps ?? false,
      fill: new FillBudget(options.fill),
      maxGapsPerStream: options.maxGapsPerStream ?? 10_000,
      nameHints: new NameHints(),
      reportError: (err) => this.recordError(err),
      stopped: () => this.fatalError,
      reserveRowSpace: (bytes) => {
        const err = this.rowOut.space.add(bytes);
        if (err !== null) this.recordError(err);
      },
    };
    this.runFiles = shardRows === null ? new RunFiles(fs, dir, options.run ?? {}) : null;
    this.rowOut = shardRows ?? this.runFiles!;
    if (this.runFiles?.openError != null) this.recordError(this.runFiles.openError);
  }

  /** Prepares the folder (see {@link prepareOutputFolder}) and opens the manifest. Throws ExportError. */
  static create(options: ExportOptions): StreamExporter {
    const fs = options.fs ?? realFs;
    const dir = resolve(options.dir);
    prepareOutputFolder(fs, dir, options.force ?? false);
    return new StreamExporter(dir, options, fs, null);
  }

  /**
   * One shard of an export on several threads: stream files in `options.dir` (already prepared by the thread
   * that writes the manifest), rows handed to `rows` instead of a manifest of its own. @internal
   */
  static createShard(options: ExportOptions, rows: RowOutput): StreamExporter {
    return new StreamExporter(resolve(options.dir), options, options.fs ?? realFs, rows);
  }

  /** The absolute output folder. */
  get dir(): string {
    return this.ctx.dir;
  }

  /** This run's manifest and run record, file names in {@link dir} ('' in a shard). */
  get manifestName(): string {
    return this.runFiles?.manifestName ?? '';
  }

  get runRecordName(): string {
    return this.runFiles?.runRecordName ?? '';
  }

  /**
   * Starts a connection: its two directions are sinks for the engine's stream callbacks. Everything in
   * `info` is copied (the addresses too), so the caller may reuse it and its arrays as soon as this returns.
   */
  openConnection(info: ExportConnection): ConnectionExport {
    const c = this.spare.pop() ?? new ConnectionExport(this, this.ctx);
    c.start(info);
    this.active.touch(c.link);
    return c;
  }

  /**
   * Hands a finished connection back for reuse by a later {@link openConnection}: the caller promises not to
   * touch it or its sinks again. Rows it returned stay valid. Optional: without it every connection costs its
   * objects (about 1.3 KB that outlive the young generation); with it the objects are those of the
   * connections open at once. Ignored for a connection not finished.
   */
  release(c: ConnectionExport): void {
    if (c.isDone && !c.spare) {
      c.recycle();
      this.spare.push(c);
    }
  }

  /** Called by ConnectionExport.finish. */
  writeRow(c: ConnectionExport, row: ManifestRow, finished: boolean): void {
    this.active.remove(c.link);
    this.connections++;
    if (!finished) this.unfinished++;
    this.count(row.c2s);
    this.count(row.s2c);
    const err = this.rowOut.append(row);
    this.rowOut.space.sub(c.c2s.reservedRowBytes + c.s2c.reservedRowBytes);
    if (err !== null) this.recordError(err);
  }

  /**
   * Finishes: connections still open get rows with their files marked partial (`complete: false`, state
   * `unfinished`), every file is flushed and closed, the manifest gets its end record (`outcome` says how the
   * run ended) and is synced and closed, the space reserve is removed. Idempotent: later calls return the
   * first summary.
   */
  close(outcome: ExportOutcome = {}): ExportSummary {
    if (this.summary !== null) return this.summary;
    for (let c = this.active.oldest(); c !== null; c = this.active.oldest()) c.abandon();
    const end: Omit<ManifestEnd, 'rows' | 'rowsLost'> = {
      status: outcome.failed != null ? 'failed' : this.fatalError !== null ? 'stopped' : outcome.interrupted != null ? 'interrupted' : 'complete',
      reason: outcome.failed ?? this.fatalError?.message ?? outcome.interrupted ?? null,
      files: this.files,
      bytes: this.bytes,
      failedFiles: this.failedFiles,
      truncatedFiles: this.truncatedFiles,
      droppedBytes: this.droppedBytes,
      closedAt: new Date().toISOString(),
    };
    if (this.runFiles !== null) for (const err of this.runFiles.close(end, outcome.inputs ?? [])) this.recordError(err);
    else this.rowOut.space.release();
    this.summary = {
      manifest: this.manifestName,
      runRecord: this.runRecordName,
      connections: this.connections,
      unfinished: this.unfinished,
      files: this.files,
      bytes: this.bytes,
      failedFiles: this.failedFiles,
      fileEvictions: this.ctx.files.evictions,
      openFileLimit: this.ctx.files.limit,
      forcedFlushes: this.ctx.chunks.forcedFlushes,
      bufferBytesAllocated: this.ctx.chunks.allocatedBytes,
      truncatedFiles: this.truncatedFiles,
      droppedBytes: this.droppedBytes,
      filledBytes: this.ctx.fill.filledBytes,
      unfilledHoles: this.ctx.fill.refusedHoles,
      unfilledBytes: this.ctx.fill.refusedBytes,
      firstFillRefusal: this.ctx.fill.firstRefusal,
      rowsLost: this.runFiles?.rowsLost ?? 0,
      conflictCopies: this.conflictCopies,
    };
    return this.summary;
  }

  /**
   * Writes `data` to a new file `name` in the folder (`name.2`, `name.3`... when taken), never through a link;
   * its entry, or null when it could not be written (the error is recorded like a stream file's).
   */
  writeSideFile(name: string, data: Uint8Array): SideFile | null {
    if (this.fatalError !== null) return null;
    const fs = this.ctx.fs;
    for (let k = 1; k <= MAX_NUMBERED_NAMES; k++) {
      const file = k === 1 ? name : `${name}.${k}`;
      const path = resolve(this.ctx.dir, file);
      let fd: number;
      try {
        fd = fs.openSync(path, OPEN_NEW, 0o644);
      } catch (err) {
        if (errorCode(err) === 'EEXIST') continue;
        this.recordError(fsError(err, 'create', path));
        return null;
      }
      try {
        for (let done = 0; done < data.length; ) done += fs.writeSync(fd, data, done, data.length - done, done);
      } catch (err) {
        fs.closeSync(fd);
        // A part of a copy would pass for the whole of it: none is left.
        try {
          fs.unlinkSync(path);
        } catch {
          // The error below says the file failed; its name is in the message.
        }
        this.recordError(fsError(err, 'write', path));
        return null;
      }
      fs.closeSync(fd);
      this.conflictCopies++;
      return { file, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
    }
    return null;
  }

  /** Rows on disk in the manifest so far. */
  get manifestRows(): number {
    return this.runFiles?.rows ?? 0;
  }

  private count(d: DirectionRow): void {
    if (d.file !== null) this.files++;
    this.bytes += d.bytes;
    if (d.error !== null) this.failedFiles++;
    if (d.truncated && d.file !== null) this.truncatedFiles++;
    this.droppedBytes += d.droppedBytes;
  }

  private recordError(err: ExportError): void {
    this.errorCount++;
    if (this.errors.length < MAX_KEPT_ERRORS) this.errors.push(err);
    if (this.fatalError === null && FATAL_CODES.has(err.code)) {
      // Every stream stops writing now (they ask ctx.stopped()), and the reserve's space goes to the manifest.
      this.fatalError = err;
      this.rowOut.space.release();
    }
  }
}

/** One connection being exported: `c2s` and `s2c` are its sinks; `finish` writes its manifest row. */
export class ConnectionExport {
  readonly link: LruLink<ConnectionExport> = new LruLink<ConnectionExport>(this);
  /** Client-to-server bytes. */
  readonly c2s: DirectionFile;
  /** Server-to-client bytes. */
  readonly s2c: DirectionFile;
  /** In the exporter's spare list (released, not yet reused). @internal */
  spare = false;
  private done = false;
  // The connection, copied field by field: the engine reuses its connection objects and address arrays.
  private id = 0;
  private ipVersion: 4 | 6 = 4;
  // Plain arrays: a Uint32Array(4) costs about 200 B with its ArrayBuffer, and there is one per open connection.
  private readonly client: number[] = [0, 0, 0, 0];
  private readonly server: number[] = [0, 0, 0, 0];
  private clientPort = 0;
  private serverPort = 0;
  private vlan = -1;
  private outerVlan = -1;
  private encapsulation = '';
  private firstTsSec = 0;
  private firstTsNsec = 0;
  private readonly c2sParts: FlowNameParts;
  private readonly s2cParts: FlowNameParts;

  /** Use {@link StreamExporter.openConnection}. */
  constructor(
    private readonly exporter: StreamExporter,
    ctx: ExportContext,
  ) {
    this.c2sParts = { ipVersion: 4, src: this.client, srcPort: 0, dst: this.server, dstPort: 0, vlan: -1 };
    this.s2cParts = { ipVersion: 4, src: this.server, srcPort: 0, dst: this.client, dstPort: 0, vlan: -1 };
    this.c2s = new DirectionFile(ctx, this.c2sParts);
    this.s2c = new DirectionFile(ctx, this.s2cParts);
  }

  /** Empties a finished connection for the spare list, dropping what its row held (names, hashes, stats). @internal */
  recycle(): void {
    this.c2s.reset();
    this.s2c.reset();
    this.done = false;
    this.spare = true;
  }

  /** Takes on a new connection (a fresh object, or a recycled one). @internal */
  start(info: ExportConnection): void {
    this.spare = false;
    this.id = info.id;
    this.ipVersion = info.ipVersion;
    copyWords(this.client, info.client);
    copyWords(this.server, info.server);
    this.clientPort = info.clientPort;
    this.serverPort = info.serverPort;
    this.vlan = info.vlan;
    this.outerVlan = info.outerVlan;
    this.encapsulation = info.encapsulation;
    this.firstTsSec = info.firstTsSec;
    this.firstTsNsec = info.firstTsNsec;
    const vlan = tcpflowVlan(info.vlan, info.outerVlan);
    fillParts(this.c2sParts, info.ipVersion, info.clientPort, info.serverPort, vlan);
    fillParts(this.s2cParts, info.ipVersion, info.serverPort, info.clientPort, vlan);
  }

  /** True once finished or abandoned (its row is written). */
  get isDone(): boolean {
    return this.done;
  }

  /**
   * The connection is over: finishes both directions (those not finished already are finished without
   * engine statistics), then writes the manifest row. Returns the row. Later calls return null.
   */
  finish(end: ConnectionEnd): ManifestRow | null {
    if (this.done || this.spare) return null;
    this.c2s.finish();
    this.s2c.finish();
    return this.emit(end, end.cutShort !== true);
  }

  /** Export closing before the connection ended: files flushed and closed, row marked partial. */
  abandon(): void {
    if (this.done || this.spare) return;
    this.c2s.abandon();
    this.s2c.abandon();
    this.emit(null, false);
  }

  private emit(end: ConnectionEnd | null, finished: boolean): ManifestRow {
    this.done = true;
    const row: ManifestRow = {
      id: this.id,
      ipVersion: this.ipVersion,
      client: formatAddress(this.client, this.ipVersion),
      clientPort: this.clientPort,
      server: formatAddress(this.server, this.ipVersion),
      serverPort: this.serverPort,
      vlan: this.vlan >= 0 ? this.vlan : null,
      outerVlan: this.outerVlan >= 0 ? this.outerVlan : null,
      encapsulation: this.encapsulation === '' ? null : this.encapsulation,
      firstTime: formatCaptureTime(this.firstTsSec, this.firstTsNsec),
      lastTime: end === null ? null : formatCaptureTime(end.lastTsSec, end.lastTsNsec),
      firstEpoch: formatEpoch(this.firstTsSec, this.firstTsNsec),
      lastEpoch: end === null ? null : formatEpoch(end.lastTsSec, end.lastTsNsec),
      state: end === null ? 'unfinished' : end.state,
      c2s: this.c2s.row(),
      s2c: this.s2c.row(),
    };
    this.exporter.writeRow(this, row, finished);
    return row;
  }
}

function copyWords(to: number[], from: AddressWords): void {
  for (let i = 0; i < 4; i++) to[i] = (from[i] ?? 0) >>> 0;
}

function fillParts(p: FlowNameParts, ipVersion: 4 | 6, srcPort: number, dstPort: number, vlan: number): void {
  p.ipVersion = ipVersion;
  p.srcPort = srcPort;
  p.dstPort = dstPort;
  p.vlan = vlan;
}
