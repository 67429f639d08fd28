import { OPEN_REPLACE, type ExportFs } from './fs.js';
import { fsError, type ExportError } from './errors.js';

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
  /** True when zeros were written for it (`--fill-gaps`, and not larger than the fill limit). */
  filled: boolean;
}

/** One direction of a connection in the manifest. */
export interface DirectionRow {
  /** File name inside the output folder; null when the direction carried no data. */
  file: string | null;
  /** Bytes in the file (stream bytes plus any zeros written for holes). */
  bytes: number;
  /** Stream bytes written (without fill zeros); after a write error, an upper bound (zeros lost with it count as data). */
  dataBytes: number;
  /** sha256 of exactly the file's bytes, hex; null when a write failed (the file content is then unknown). */
  sha256: string | null;
  /**
   * True when the file holds everything the capture gave for this direction and was closed normally. False
   * after a write error, or when the export ended before the connection did. Holes do not make a file
   * partial: they are listed in `gaps`.
   */
  complete: boolean;
  /** The write error, naming the file, when there was one. */
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

  constructor(
    private readonly fs: ExportFs,
    readonly path: string,
  ) {
    try {
      this.fd = fs.openSync(path, OPEN_REPLACE, 0o644);
    } catch (err) {
      throw fsError(err, 'create', path);
    }
  }

  /** Queues a row, writing the batch when it is due; returns a write error (fatal when the disk is full) instead of throwing. */
  append(row: ManifestRow): ExportError | null {
    if (this.fd < 0) return null;
    const json = JSON.stringify(row);
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
    if (this.fd < 0 || this.pendingRows === 0) return null;
    const bytes = this.used;
    const rows = this.pendingRows;
    this.used = 0;
    this.pendingRows = 0;
    return this.writeOut(this.buffer, bytes, rows);
  }

  /** Writes data[0, bytes) holding `rows` rows at the end of the file. */
  private writeOut(data: Buffer, bytes: number, rows: number): ExportError | null {
    try {
      let done = 0;
      while (done < bytes) {
        done += this.fs.writeSync(this.fd, data, done, bytes - done, this.position + done);
      }
      this.position += bytes;
      this.rows += rows;
      return null;
    } catch (err) {
      return fsError(err, 'write', this.path);
    }
  }

  /** Writes the waiting rows and closes the file; returns a write error, if any. */
  close(): ExportError | null {
    if (this.fd < 0) return null;
    const err = this.flush();
    try {
      this.fs.closeSync(this.fd);
    } finally {
      this.fd = -1;
    }
    return err;
  }
}
