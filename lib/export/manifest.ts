import { OPEN_NEW, type ExportFs } from './fs.js';
import { FATAL_CODES, fsError, type ExportError } from './errors.js';
import type { FillLimit } from './fill-budget.js';
import type { ManifestReserve } from './reserve.js';

/**
 * One hole in an exported direction. `offset` is where in the file the missing bytes belong: with
 * `--fill-gaps` the zeros written for them start there; without, the next real byte starts there.
 */
export interface GapEntry {
  /** File offset of the hole. */
  offset: number;
  /** Sequence number of the first missing byte (or of the first byte seen, when `length` is null). */
  seq: number;
  /** Missing bytes; null when unknown (the start of the stream was never seen). */
  length: number | null;
  /** Capture time the hole was passed, ISO 8601 with nanoseconds. */
  time: string;
  /** The same time as an exact epoch decimal (`frame.time_epoch` style). */
  epoch: string;
  /** True when zeros were written for it (`--fill-gaps`, within the fill bounds). */
  filled: boolean;
  /**
   * With `--fill-gaps`, the bound that kept this hole unfilled: `hole` (larger than the largest hole filled),
   * `stream` (the file's zeros), `run` (the export's zeros); null otherwise.
   */
  unfilledBy: FillLimit | null;
}

/** One direction of a connection in the manifest. */
export interface DirectionRow {
  /** File name inside the output folder; null when the direction carried no data. */
  file: string | null;
  /** Bytes in the file (stream bytes plus any zeros written for holes). */
  bytes: number;
  /** Stream bytes written (without fill zeros); after a write error, an upper bound (zeros lost with it count as data). */
  dataBytes: number;
  /**
   * sha256 of exactly the file's bytes, hex, also after a write error (a write cut short is cut back to the
   * bytes hashed); null when the file could not be made or its content is unknown (it could not be cut back).
   */
  sha256: string | null;
  /**
   * True when the file holds everything the capture gave for this direction and was closed normally. False
   * after a write error, or when the export ended before the connection did. Holes do not make a file
   * partial: they are listed in `gaps`.
   */
  complete: boolean;
  /** True when the file holds fewer stream bytes than the capture gave (`droppedBytes` > 0): a write error, or the export stopped. */
  truncated: boolean;
  /** The write error, naming the file, when there was one; or why the export stopped writing it. */
  error: string | null;
  /** Stream bytes dropped after a write error. */
  droppedBytes: number;
  gaps: GapEntry[];
  /** Holes beyond the per-direction gap list bound (still counted in `missingBytes`). */
  gapsOmitted: number;
  /** Sum of the known hole lengths. */
  missingBytes: number;
  conflicts: unknown[];
  stats: object | null;
}

/** One line of manifest.jsonl: a finished connection. */
export interface ManifestRow {
  id: number;
  ipVersion: 4 | 6;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  /** Innermost VLAN id, null when untagged. */
  vlan: number | null;
  /** Outer VLAN id of a double-tagged frame, else null. */
  outerVlan: number | null;
  /** The tunnel layers around the connection, outermost first (`vxlan 10.0.0.1-10.0.0.2 vni 42`); null when none. */
  encapsulation: string | null;
  /** Capture time of the first packet, ISO 8601 with nanoseconds. */
  firstTime: string;
  /** Capture time of the last packet; null for a connection still open when the export was closed. */
  lastTime: string | null;
  /** The same times as exact epoch decimals. */
  firstEpoch: string;
  lastEpoch: string | null;
  /** How the connection ended (the engine's words), or `unfinished` when the export closed first. */
  state: string;
  c2s: DirectionRow;
  s2c: DirectionRow;
}

/** The last line of manifest.jsonl, `{"end": {...}}`: how the run ended and what the manifest holds. */
export interface ManifestEnd {
  /**
   * `complete`: the capture was read to its end and the export closed normally (files may still have failed:
   * `failedFiles`); `interrupted`: a signal stopped the run; `stopped`: an output error stopped every write
   * (`reason` says which); `failed`: the capture could not be read.
   */
  status: 'complete' | 'interrupted' | 'stopped' | 'failed';
  /** Why the run did not complete, or null. */
  reason: string | null;
  /** Connection rows in this file (all lines but this one). */
  rows: number;
  /** Rows that could not be written (the disk was too full even for them): their files exist without a row. */
  rowsLost: number;
  /** Stream files made, bytes in them, files with a write error, files cut short (`truncated`). */
  files: number;
  bytes: number;
  failedFiles: number;
  truncatedFiles: number;
  /** Stream bytes the capture gave that are in no file (write errors, the export stopping). */
  droppedBytes: number;
  /** Wall-clock time the export closed, ISO 8601. */
  closedAt: string;
}

/** Rows are written once this many bytes wait (the size of the writer's one buffer)... */
const BATCH_BYTES = 64 * 1024;
/** ...or once the oldest waiting row is this old (ms), so a crash loses at most about a second of rows. */
const BATCH_AGE_MS = 1000;

/**
 * Appends one JSON line per finished connection. Rows are batched (up to 64 KiB, at most a second) and
 * written only after their files were flushed and closed, so a row on disk always describes files that are
 * whole, even if the process dies later; a crash can leave the last second's files without their rows,
 * never a row without its file. One write per batch instead of one per connection: with a million short
 * connections the manifest was a third of the export's write calls. Each row is encoded straight into one
 * reused buffer, so no row outlives its append (kept as strings until the batch went out, they were promoted
 * to the old generation by the thousand).
 */
export class ManifestWriter {
  private fd: number;
  private position = 0;
  private readonly buffer = Buffer.allocUnsafeSlow(BATCH_BYTES);
  private used = 0;
  private pendingRows = 0;
  private pendingSince = 0;
  /** Rows on disk. */
  rows = 0;
  /** Rows whose write failed (cut back off the file, so every line on disk is whole). */
  rowsLost = 0;

  constructor(
    private readonly fs: ExportFs,
    readonly path: string,
    private readonly reserve: ManifestReserve,
  ) {
    try {
      // Exclusive: a manifest of an earlier run in the folder is never replaced (the exporter takes the next name).
      this.fd = fs.openSync(path, OPEN_NEW, 0o644);
    } catch (err) {
      throw fsError(err, 'create', path);
    }
  }

  /** Queues a row, writing the batch when it is due; returns a write error (fatal when the disk is full) instead of throwing. */
  append(row: ManifestRow): ExportError | null {
    return this.fd < 0 ? null : this.appendJson(JSON.stringify(row));
  }

  /** {@link append} of a row already encoded as JSON (one line, without its newline). */
  appendJson(json: string): ExportError | null {
    if (this.fd < 0) return null;
    // UTF-8 length: the JSON is ASCII unless a string in the engine's stats or conflicts is not.
    const len = Buffer.byteLength(json, 'utf8') + 1;
    let err: ExportError | null = null;
    if (this.used + len > this.buffer.length) err = this.flush();
    if (len > this.buffer.length) {
      // A row larger than the buffer (thousands of gaps): on its own, in order, after the batch before it.
      const line = Buffer.from(`${json}\n`, 'utf8');
      const e = this.writeOut(line, line.length, 1);
      return err ?? e;
    }
    if (this.pendingRows === 0) this.pendingSince = performance.now();
    this.buffer.write(json, this.used, 'utf8');
    this.buffer[this.used + len - 1] = 0x0a;
    this.used += len;
    this.pendingRows++;
    if (this.used === this.buffer.length || performance.now() - this.pendingSince >= BATCH_AGE_MS) err = this.flush() ?? err;
    return err;
  }

  /** Writes the waiting rows; returns the error instead of throwing (the rows are then lost). */
  flush(): ExportError | null {
    if (this.fd < 0 || this.used === 0) return null;
    const bytes = this.used;
    const rows = this.pendingRows;
    this.used = 0;
    this.pendingRows = 0;
    return this.writeOut(this.buffer, bytes, rows);
  }

  /**
   * Writes data[0, bytes) holding `rows` rows at the end of the file. On a full disk the reserve is given up
   * and the write tried once more; a write that still fails is cut back off the file, so the manifest never
   * ends in a partial line.
   */
  private writeOut(data: Buffer, bytes: number, rows: number): ExportError | null {
    const err = this.tryWrite(data, bytes);
    if (err !== null && FATAL_CODES.has(err.code) && this.reserve.held) {
      // The disk is full: the rows go into the reserve's space, and the error still stops the export.
      this.reserve.release();
      if (this.tryWrite(data, bytes) === null) {
        this.position += bytes;
        this.rows += rows;
        return err;
      }
    }
    if (err === null) {
      this.position += bytes;
      this.rows += rows;
      return null;
    }
    this.rowsLost += rows;
    try {
      this.fs.ftruncateSync(this.fd, this.position);
    } catch {
      // Shrinking needs no space; if even that fails the end record cannot help either.
    }
    return err;
  }

  private tryWrite(data: Buffer, bytes: number): ExportError | null {
    try {
      let done = 0;
      while (done < bytes) done += this.fs.writeSync(this.fd, data, done, bytes - done, this.position + done);
      return null;
    } catch (err) {
      return fsError(err, 'write', this.path);
    }
  }

  /**
   * Writes the waiting rows and the end record (`end` completed with the row counts), makes the file durable
   * (fsync) and closes it; returns the first error, if any.
   */
  close(end: Omit<ManifestEnd, 'rows' | 'rowsLost'>): ExportError | null {
    if (this.fd < 0) return null;
    // The rows waiting count as written: a record sent with them goes down with them if they are lost.
    const endLine = (): Buffer =>
      Buffer.from(`${JSON.stringify({ end: { ...end, rows: this.rows + this.pendingRows, rowsLost: this.rowsLost } })}\n`, 'utf8');
    let err: ExportError | null;
    const line = endLine();
    if (this.used + line.length <= this.buffer.length) {
      // With the last batch: one write.
      line.copy(this.buffer, this.used);
      this.used += line.length;
      err = this.flush();
      if (err !== null) {
        // The batch did not fit on the disk: the end record alone, counting those rows as lost, may.
        const alone = endLine();
        this.writeOut(alone, alone.length, 0);
      }
    } else {
      err = this.flush();
      const alone = endLine();
      err = this.writeOut(alone, alone.length, 0) ?? err;
    }
    try {
      this.fs.fsyncSync(this.fd);
    } catch (e2) {
      err ??= fsError(e2, 'sync', this.path);
    }
    try {
      this.fs.closeSync(this.fd);
    } finally {
      this.fd = -1;
    }
    return err;
  }
}

/**
 * Reads the text of a manifest.jsonl: its connection rows and its end record (null when the run died before
 * writing one: the rows on disk are then still whole, but files of the last second may have none).
 * Throws SyntaxError naming the line when a line is not JSON.
 */
export function parseManifest(text: string): { rows: ManifestRow[]; end: ManifestEnd | null } {
  const rows: ManifestRow[] = [];
  let end: ManifestEnd | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(lines[i]);
    } catch (err) {
      throw new SyntaxError(`manifest line ${i + 1}: ${(err as Error).message}`, { cause: err });
    }
    if (v !== null && typeof v === 'object' && 'end' in v) end = (v as { end: ManifestEnd }).end;
    else rows.push(v as ManifestRow);
  }
  return { rows, end };
}
