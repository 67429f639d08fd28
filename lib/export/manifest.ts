import type { ExportFs } from './fs.js';
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

/**
 * Appends one JSON line per finished connection. Each row is written straight away (one write per
 * connection, not per packet) and only after its files were flushed and closed, so a row on disk always
 * describes files that are whole, even if the process dies later.
 */
export class ManifestWriter {
  private fd: number;
  private position = 0;
  rows = 0;

  constructor(
    private readonly fs: ExportFs,
    readonly path: string,
  ) {
    try {
      this.fd = fs.openSync(path, 'w', 0o644);
    } catch (err) {
      throw fsError(err, 'create', path);
    }
  }

  /** Writes a row; returns an error (fatal when the disk is full) instead of throwing. */
  append(row: ManifestRow): ExportError | null {
    if (this.fd < 0) return null;
    const line = Buffer.from(`${JSON.stringify(row)}\n`, 'utf8');
    try {
      let done = 0;
      while (done < line.length) {
        done += this.fs.writeSync(this.fd, line, done, line.length - done, this.position + done);
      }
      this.position += line.length;
      this.rows++;
      return null;
    } catch (err) {
      return fsError(err, 'write', this.path);
    }
  }

  close(): void {
    if (this.fd < 0) return;
    try {
      this.fs.closeSync(this.fd);
    } finally {
      this.fd = -1;
    }
  }
}
