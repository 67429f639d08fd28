import { resolve } from 'node:path';
import { formatAddress } from '../net/address.js';
import { formatCaptureTime, formatEpoch } from '../report/time.js';
import { DirectionFile, type ExportContext } from './direction-file.js';
import { FATAL_CODES, type ExportError } from './errors.js';
import { ChunkPool, FilePool } from './file-pool.js';
import { prepareOutputFolder } from './folder.js';
import { realFs, type ExportFs } from './fs.js';
import { LruLink, LruList } from './lru.js';
import { ManifestWriter, type ManifestRow } from './manifest.js';
import { tcpflowVlan } from './naming.js';
import type { ConnectionEnd, ConnectionInfo } from './sink.js';

/** Export settings. Defaults bound memory to about `maxBufferedBytes` and files to `maxOpenFiles`. */
export interface ExportOptions {
  /** Output folder: created when missing; must be empty unless `force`. */
  dir: string;
  /**
   * Write into a non-empty folder. Existing stream files are never overwritten (a clashing name takes the
   * next `cN`); an existing manifest.jsonl is replaced by this run's.
   */
  force?: boolean;
  /** Write zeros for holes so file offsets follow sequence numbers (tcpflow's behaviour). Default false. */
  fillGaps?: boolean;
  /** Holes longer than this are not filled even with `fillGaps` (listed with `filled: false`). Default 16 MiB, as tcpflow's `-m`. */
  maxFillBytes?: number;
  /** Most files open at once (the manifest included), whatever the number of connections. Default 64, at least 2. */
  maxOpenFiles?: number;
  /** Most bytes one file buffers: small writes are batched up to this size (rounded to 8 KiB chunks). Default 64 KiB. */
  bufferSize?: number;
  /** Bound on all write buffers together. Default 32 MiB. */
  maxBufferedBytes?: number;
  /** Gap entries kept per direction; further holes are only counted. Default 10 000. */
  maxGapsPerStream?: number;
  /** File-system calls (tests inject failures here). Default: node:fs. */
  fs?: ExportFs;
}

/** Totals after close(). */
export interface ExportSummary {
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
}

const MAX_KEPT_ERRORS = 100;
/** Unit of buffer memory: small enough that thousands of active streams each get some, large enough for few syscalls. */
const CHUNK_SIZE = 8 * 1024;

/**
 * Writes reassembled streams to a folder, one file per direction, named as tcpflow names them, with
 * `manifest.jsonl` (one row per connection, written when it finishes). Create with {@link StreamExporter.create}.
 *
 * The sinks never throw: a file that cannot be written is marked partial with its error, and after an error
 * that stops every write (disk full, read-only file system, I/O error) `fatalError` is set so the caller
 * can stop the pass.
 */
export class StreamExporter {
  /** The first errors (up to 100), each naming its file. */
  readonly errors: ExportError[] = [];
  errorCount = 0;
  /** Set after ENOSPC, EDQUOT, EROFS or EIO: nothing more can be written. */
  fatalError: ExportError | null = null;

  private readonly ctx: ExportContext;
  private readonly manifest: ManifestWriter;
  private readonly active = new LruList<ConnectionExport>();
  private connections = 0;
  private unfinished = 0;
  private files = 0;
  private bytes = 0;
  private failedFiles = 0;
  private closed = false;

  private constructor(dir: string, options: ExportOptions, fs: ExportFs) {
    const wanted = Math.max(1, Math.floor(options.bufferSize ?? 64 * 1024));
    const chunkSize = Math.min(CHUNK_SIZE, wanted);
    const bufferSize = Math.ceil(wanted / chunkSize) * chunkSize;
    this.ctx = {
      fs,
      dir,
      // The manifest keeps one descriptor open for the whole export: the bound counts it.
      files: new FilePool(Math.max(2, options.maxOpenFiles ?? 64) - 1),
      chunks: new ChunkPool(chunkSize, options.maxBufferedBytes ?? 32 * 1024 * 1024),
      bufferSize,
      fillGaps: options.fillGaps ?? false,
      maxFillBytes: options.maxFillBytes ?? 16 * 1024 * 1024,
      maxGapsPerStream: options.maxGapsPerStream ?? 10_000,
      nameHints: new Map(),
      reportError: (err) => this.recordError(err),
    };
    this.manifest = new ManifestWriter(fs, resolve(dir, 'manifest.jsonl'));
  }

  /** Prepares the folder (see {@link prepareOutputFolder}) and opens the manifest. Throws ExportError. */
  static create(options: ExportOptions): StreamExporter {
    const fs = options.fs ?? realFs;
    const dir = resolve(options.dir);
    prepareOutputFolder(fs, dir, options.force ?? false);
    return new StreamExporter(dir, options, fs);
  }

  /** The absolute output folder. */
  get dir(): string {
    return this.ctx.dir;
  }

  /** Starts a connection: its two directions are sinks for the engine's stream callbacks. */
  openConnection(info: ConnectionInfo): ConnectionExport {
    const c = new ConnectionExport(this, this.ctx, info);
    this.active.touch(c.link);
    return c;
  }

  /** Called by ConnectionExport.finish. */
  writeRow(c: ConnectionExport, row: ManifestRow, finished: boolean): void {
    this.active.remove(c.link);
    this.connections++;
    if (!finished) this.unfinished++;
    for (const d of [row.c2s, row.s2c]) {
      if (d.file !== null) this.files++;
      this.bytes += d.bytes;
      if (d.error !== null) this.failedFiles++;
    }
    const err = this.manifest.append(row);
    if (err !== null) this.recordError(err);
  }

  /**
   * Finishes: connections still open get rows with their files marked partial (`complete: false`, state
   * `unfinished`), every file is flushed and closed, the manifest is closed. Idempotent.
   */
  close(): ExportSummary {
    if (!this.closed) {
      this.closed = true;
      for (let c = this.active.oldest(); c !== null; c = this.active.oldest()) c.abandon();
      const err = this.manifest.close();
      if (err !== null) this.recordError(err);
    }
    return {
      connections: this.connections,
      unfinished: this.unfinished,
      files: this.files,
      bytes: this.bytes,
      failedFiles: this.failedFiles,
      fileEvictions: this.ctx.files.evictions,
      openFileLimit: this.ctx.files.limit,
      forcedFlushes: this.ctx.chunks.forcedFlushes,
      bufferBytesAllocated: this.ctx.chunks.allocatedBytes,
    };
  }

  private recordError(err: ExportError): void {
    this.errorCount++;
    if (this.errors.length < MAX_KEPT_ERRORS) this.errors.push(err);
    if (this.fatalError === null && FATAL_CODES.has(err.code)) this.fatalError = err;
  }
}

/** One connection being exported: `c2s` and `s2c` are its sinks; `finish` writes its manifest row. */
export class ConnectionExport {
  readonly link: LruLink<ConnectionExport> = new LruLink<ConnectionExport>(this);
  /** Client-to-server bytes. */
  readonly c2s: DirectionFile;
  /** Server-to-client bytes. */
  readonly s2c: DirectionFile;
  private done = false;

  constructor(
    private readonly exporter: StreamExporter,
    ctx: ExportContext,
    private readonly info: ConnectionInfo,
  ) {
    const vlan = tcpflowVlan(info.vlan, info.outerVlan);
    const v = info.ipVersion;
    this.c2s = new DirectionFile(ctx, { ipVersion: v, src: info.client, srcPort: info.clientPort, dst: info.server, dstPort: info.serverPort, vlan });
    this.s2c = new DirectionFile(ctx, { ipVersion: v, src: info.server, srcPort: info.serverPort, dst: info.client, dstPort: info.clientPort, vlan });
  }

  /**
   * The connection is over: finishes both directions (those not finished already are finished without
   * engine statistics), then writes the manifest row. Returns the row. Later calls return null.
   */
  finish(end: ConnectionEnd): ManifestRow | null {
    if (this.done) return null;
    this.c2s.finish();
    this.s2c.finish();
    return this.emit(end, end.cutShort !== true);
  }

  /** Export closing before the connection ended: files flushed and closed, row marked partial. */
  abandon(): void {
    if (this.done) return;
    this.c2s.abandon();
    this.s2c.abandon();
    this.emit(null, false);
  }

  private emit(end: ConnectionEnd | null, finished: boolean): ManifestRow {
    this.done = true;
    const i = this.info;
    const row: ManifestRow = {
      id: i.id,
      ipVersion: i.ipVersion,
      client: formatAddress(i.client, i.ipVersion),
      clientPort: i.clientPort,
      server: formatAddress(i.server, i.ipVersion),
      serverPort: i.serverPort,
      vlan: i.vlan >= 0 ? i.vlan : null,
      outerVlan: i.outerVlan >= 0 ? i.outerVlan : null,
      firstTime: formatCaptureTime(i.firstTsSec, i.firstTsNsec),
      lastTime: end === null ? null : formatCaptureTime(end.lastTsSec, end.lastTsNsec),
      firstEpoch: formatEpoch(i.firstTsSec, i.firstTsNsec),
      lastEpoch: end === null ? null : formatEpoch(end.lastTsSec, end.lastTsNsec),
      state: end === null ? 'unfinished' : end.state,
      c2s: this.c2s.row(),
      s2c: this.s2c.row(),
    };
    this.exporter.writeRow(this, row, finished);
    return row;
  }
}
