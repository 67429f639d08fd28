import { join } from 'node:path';
import { fsError, type ExportError } from './errors.js';
import { OPEN_REOPEN, OPEN_REPLACE, type ExportFs } from './fs.js';

/** The reserve's file in the output folder: removed at the end of every export, and when the disk fills. */
export const RESERVE_FILE = '.tcpreasm-reserve';
/** Room kept from the start: the manifest's batch buffer (64 KiB), the end record, some rows. */
const BASE_BYTES = 256 * 1024;
/** The reserve grows by at least this much at a time, so it costs a write every few hundred files. */
const STEP_BYTES = 1024 * 1024;
const ZEROS = Buffer.alloc(64 * 1024);
/** One writev of this many views of ZEROS writes a step. */
const ZERO_VIEWS: readonly Buffer[] = Array.from({ length: STEP_BYTES / ZEROS.length }, () => ZEROS);

/**
 * Disk space held back for the manifest: a file of real (not sparse) zeros, as large as the rows of every
 * file still open could need. When the disk fills, stream writing stops and the reserve is deleted, so the
 * rows of the files already on disk and the end record still fit, and the manifest stays whole. Without it,
 * the manifest was the first casualty of a full disk (cut in the middle of a line, files without rows).
 *
 * The file is open only while it grows (it takes no place under the open-file bound).
 *
 * `need` is an estimate the exporter keeps: a fixed amount per open stream file plus per gap it lists (the
 * parts of a row that grow); rows bigger than their estimate (many conflicts) may still not fit, and are
 * then counted as lost in the end record.
 */
export class ManifestReserve {
  private exists = false;
  private size = 0;
  private need: number;
  private readonly step: number;
  readonly path: string;

  /**
   * `name`: the file in `dir`. Each of the `shares` shards of an export on several threads holds its own
   * reserve, of that share of the base and of each step, so that all together hold about what one run would.
   */
  constructor(
    private readonly fs: ExportFs,
    dir: string,
    name: string = RESERVE_FILE,
    shares = 1,
  ) {
    this.path = join(dir, name);
    this.need = Math.floor(BASE_BYTES / shares);
    this.step = Math.max(ZEROS.length, Math.floor(STEP_BYTES / shares / ZEROS.length) * ZEROS.length);
  }

  /** Creates the reserve at its base size; returns the error (a disk too full to start) instead of throwing. */
  open(): ExportError | null {
    return this.grow();
  }

  /** `bytes` more row space may be needed; grows the file when the need passes its size. */
  add(bytes: number): ExportError | null {
    this.need += bytes;
    return this.need > this.size ? this.grow() : null;
  }

  /** Row space no longer needed (the row was written). */
  sub(bytes: number): void {
    this.need -= bytes;
  }

  /** True while the file holds space. */
  get held(): boolean {
    return this.exists;
  }

  /** Deletes the reserve, giving its space to the manifest. Idempotent; errors are ignored (best effort). */
  release(): void {
    if (!this.exists) return;
    this.exists = false;
    try {
      this.fs.unlinkSync(this.path);
    } catch {
      // Nothing more to do: the end record will say what was lost.
    }
  }

  private grow(): ExportError | null {
    const first = this.size === 0;
    if (!first && !this.exists) return null; // released: the disk is full, nothing more is reserved
    const target = first ? this.need : Math.max(this.need, this.size + this.step);
    let fd: number;
    try {
      fd = this.fs.openSync(this.path, first ? OPEN_REPLACE : OPEN_REOPEN, 0o600);
      this.exists = true;
    } catch (err) {
      return fsError(err, first ? 'create' : 'reopen', this.path);
    }
    let err: ExportError | null = null;
    try {
      while (this.size < target) {
        const left = target - this.size;
        this.size +=
          left >= STEP_BYTES ? this.fs.writevSync(fd, ZERO_VIEWS, this.size) : this.fs.writeSync(fd, ZEROS, 0, Math.min(ZEROS.length, left), this.size);
      }
    } catch (e) {
      err = fsError(e, 'reserve manifest space in', this.path);
    }
    try {
      this.fs.closeSync(fd);
    } catch {
      // The space is taken whether or not the close reports an error.
    }
    return err;
  }
}
