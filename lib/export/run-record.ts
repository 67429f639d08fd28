import { join } from 'node:path';
import { errorCode, fsError, type ExportError } from './errors.js';
import { OPEN_NEW, type ExportFs } from './fs.js';
import type { ManifestEnd } from './manifest.js';

/** How an export was asked for, as its run record keeps it. */
export interface RunRequest {
  /** Program and version that wrote the folder. */
  tool?: string;
  version?: string;
  /** The command line as given (arguments after the program); null when a library call made the export. */
  argv?: readonly string[] | null;
  /** Every option in effect, defaults filled in (engine bounds, RST policy, fill bounds, selection...). */
  options?: object;
}

/**
 * The run record beside a manifest (`run.json`, `run-N.json` for the Nth run into one folder): what wrote the
 * files, from which inputs (each with its size, SHA-256 and first/last capture time), when, with which
 * options, and whether the run completed. Written when the run starts (`status: running`) and replaced when it
 * ends; a record still saying `running` belongs to a run that was killed.
 */
export interface RunRecord {
  tool: string;
  version: string;
  argv: readonly string[] | null;
  options: object;
  /** This run's manifest, in the same folder. */
  manifest: string;
  /** The inputs as read; empty while running. */
  inputs: readonly object[];
  startedAt: string;
  endedAt: string | null;
  status: 'running' | ManifestEnd['status'];
  reason: string | null;
}

/**
 * Writes one run record, whole each time: to a temporary file made exclusively (never through a link), synced,
 * then renamed over the record, so a reader (or a crash) sees the old record or the new one, never half.
 */
export class RunRecordFile {
  readonly path: string;
  private readonly temp: string;

  constructor(
    private readonly fs: ExportFs,
    dir: string,
    readonly name: string,
  ) {
    this.path = join(dir, name);
    this.temp = join(dir, `.${name}.tmp`);
  }

  /** Writes `record`; the error instead of throwing. */
  write(record: RunRecord): ExportError | null {
    const text = Buffer.from(`${JSON.stringify(record, null, 2)}\n`, 'utf8');
    let fd: number;
    try {
      fd = this.openTemp();
    } catch (err) {
      return fsError(err, 'create', this.temp);
    }
    try {
      let done = 0;
      while (done < text.length) done += this.fs.writeSync(fd, text, done, text.length - done, done);
      this.fs.fsyncSync(fd);
    } catch (err) {
      this.fs.closeSync(fd);
      this.removeTemp();
      return fsError(err, 'write', this.temp);
    }
    this.fs.closeSync(fd);
    try {
      this.fs.renameSync(this.temp, this.path);
      return null;
    } catch (err) {
      this.removeTemp();
      return fsError(err, 'write', this.path);
    }
  }

  /** The temporary file, new; one left by a killed run (ours by name, a link or not) is removed first. */
  private openTemp(): number {
    try {
      return this.fs.openSync(this.temp, OPEN_NEW, 0o644);
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
      this.fs.unlinkSync(this.temp);
      return this.fs.openSync(this.temp, OPEN_NEW, 0o644);
    }
  }

  private removeTemp(): void {
    try {
      this.fs.unlinkSync(this.temp);
    } catch {
      // Nothing more to do: the record itself is untouched.
    }
  }
}

/** The file names of run `n` into a folder: the first run's are `manifest.jsonl` and `run.json`. */
export function runFileNames(n: number): { manifest: string; run: string } {
  return n === 1 ? { manifest: 'manifest.jsonl', run: 'run.json' } : { manifest: `manifest-${n}.jsonl`, run: `run-${n}.json` };
}
