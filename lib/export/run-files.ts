import { basename, resolve } from 'node:path';
import { ExportError } from './errors.js';
import type { ExportFs } from './fs.js';
import { ManifestWriter, type ManifestEnd, type ManifestRow } from './manifest.js';
import { ManifestReserve } from './reserve.js';
import { RunRecordFile, runFileNames, type RunRecord, type RunRequest } from './run-record.js';

/** Runs one folder may hold (numbered manifest names tried) before giving up. */
const MAX_RUNS_PER_FOLDER = 10_000;

/**
 * Where the rows of finished connections go, and the manifest space they may need: the run's manifest
 * ({@link RunFiles}), or, for a shard of an export on several threads, the thread that writes it.
 */
export interface RowOutput {
  /** Writes (or hands on) a row; returns a write error (fatal when the disk is full) instead of throwing. */
  append(row: ManifestRow): ExportError | null;
  /** The manifest space held back for the rows of the files still open (given up when the disk is full). */
  readonly space: ManifestReserve;
}

/**
 * One run's own files in the output folder: the manifest, the run record beside it, and the space reserve
 * that keeps the manifest whole on a full disk. Opened before the first stream file, closed after the last.
 */
export class RunFiles implements RowOutput {
  private readonly manifest: ManifestWriter;
  private readonly runFile: RunRecordFile;
  private readonly record: RunRecord;
  readonly space: ManifestReserve;

  /**
   * Claims the first free manifest name, writes the run record (`status: running`) and opens the reserve.
   * Throws ExportError when the manifest or the record cannot be made; a reserve that cannot be made is
   * returned in `openError` (the export goes on without it).
   */
  constructor(fs: ExportFs, dir: string, req: RunRequest) {
    this.space = new ManifestReserve(fs, dir);
    const { manifest, run } = claimManifest(fs, dir, this.space);
    this.manifest = manifest;
    this.runFile = new RunRecordFile(fs, dir, run);
    this.record = {
      tool: req.tool ?? 'tcpreasm',
      version: req.version ?? 'unknown',
      argv: req.argv ?? null,
      options: req.options ?? {},
      manifest: basename(manifest.path),
      inputs: [],
      startedAt: new Date().toISOString(),
      endedAt: null,
      status: 'running',
      reason: null,
    };
    // Without its record the folder cannot prove where it came from: as fatal as a manifest that cannot be made.
    const runErr = this.runFile.write(this.record);
    if (runErr !== null) {
      this.manifest.close({ status: 'failed', reason: runErr.message, files: 0, bytes: 0, failedFiles: 0, truncatedFiles: 0, droppedBytes: 0, closedAt: new Date().toISOString() });
      throw runErr;
    }
    this.openError = this.space.open();
  }

  /** The reserve could not be made at the start (a disk already too full), or null. */
  readonly openError: ExportError | null;

  /** This run's manifest and run record, file names in the folder. */
  get manifestName(): string {
    return this.record.manifest;
  }

  get runRecordName(): string {
    return this.runFile.name;
  }

  /** Rows on disk, and rows that could not be written. */
  get rows(): number {
    return this.manifest.rows;
  }

  get rowsLost(): number {
    return this.manifest.rowsLost;
  }

  append(row: ManifestRow): ExportError | null {
    return this.manifest.append(row);
  }

  /** A row already encoded as its JSON line (without the newline). */
  appendJson(json: string): ExportError | null {
    return this.manifest.appendJson(json);
  }

  /**
   * Writes the end record (`end`, completed with the row counts), syncs and closes the manifest, removes the
   * reserve and rewrites the run record with the inputs and the outcome; returns the errors, first first.
   */
  close(end: Omit<ManifestEnd, 'rows' | 'rowsLost'>, inputs: readonly object[]): ExportError[] {
    const errors: ExportError[] = [];
    const err = this.manifest.close(end);
    if (err !== null) errors.push(err);
    this.space.release();
    const runErr = this.runFile.write({ ...this.record, inputs, endedAt: end.closedAt, status: end.status, reason: end.reason });
    if (runErr !== null) errors.push(runErr);
    return errors;
  }
}

/**
 * The first free manifest name (`manifest.jsonl`, then `manifest-2.jsonl`...), made exclusively, so two runs
 * never share one; with the run record's name that goes with it.
 */
function claimManifest(fs: ExportFs, dir: string, reserve: ManifestReserve): { manifest: ManifestWriter; run: string } {
  for (let n = 1; n <= MAX_RUNS_PER_FOLDER; n++) {
    const names = runFileNames(n);
    // A run record left without its manifest (deleted by hand) still belongs to that run: the name is taken.
    if (exists(fs, resolve(dir, names.run))) continue;
    try {
      return { manifest: new ManifestWriter(fs, resolve(dir, names.manifest), reserve), run: names.run };
    } catch (err) {
      if (!(err instanceof ExportError) || err.code !== 'EEXIST') throw err;
    }
  }
  throw new ExportError('EEXIST', dir, `the output folder ${dir} already holds ${MAX_RUNS_PER_FOLDER} runs' manifests: choose another folder`);
}

function exists(fs: ExportFs, path: string): boolean {
  try {
    fs.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
