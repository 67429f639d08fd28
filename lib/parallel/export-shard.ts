/**
 * One shard of an export on several threads: its connections' stream files written into the shared folder by
 * the exporter of a single run (a 4-tuple is always in one shard, so every tcpflow name, `cN` counts included,
 * is the single run's), its rows handed to the main thread as JSON for the manifest there.
 */
import { realFs, StreamExporter, type ExportError, type ExportFs, type ManifestRow } from '../export/index.js';
import type { RowOutput } from '../export/run-files.js';
import { ManifestReserve } from '../export/reserve.js';
import { ExportConsumer } from '../pipeline/export.js';
import type { ConnectionHandler } from '../pipeline/pass.js';
import type { ConnectionInfo } from '../reassembly/index.js';
import { Column } from './column.js';
import { ShardConsumer, type ShardRows } from './shard-consumer.js';
import type { ShardExportEnd, ShardExportError, ShardExportJob } from './protocol.js';

/** An export shard's batches carry no numeric rows. */
const NO_ROWS = new Float64Array(0);

/** An export error as it crosses threads. */
export const plainError = (e: ExportError): ShardExportError => ({ code: e.code, path: e.path, message: e.message });

/** Rows collected for the next batch; the shard's reserve holds the manifest space its open files may need. */
class PostedRows implements RowOutput {
  readonly ids = new Column(256);
  json: string[] = [];
  constructor(readonly space: ManifestReserve) {}
  append(row: ManifestRow): ExportError | null {
    this.ids.push(row.id);
    this.json.push(JSON.stringify(row));
    return null;
  }
}

/** The pass consumer of an export shard: the export's own, plus what the main thread needs to give ids. */
export class ExportShardConsumer extends ShardConsumer {
  readonly exporter: StreamExporter;
  private readonly rows: PostedRows;
  private readonly inner: ExportConsumer;
  /** The fatal error once posted (it is said once). */
  private fatalSent = false;

  /** Files closed since the last batch whose modification times the main thread sets (it is idle, this thread is not). */
  private timedPaths: string[] = [];
  private readonly times = new Column(256);

  constructor(job: ShardExportJob) {
    super();
    this.rows = new PostedRows(new ManifestReserve(realFs, job.options.dir!, job.reserveName, job.shares));
    const fs: ExportFs = {
      ...realFs,
      utimesSync: (path, _atime, mtime) => {
        this.timedPaths.push(path);
        this.times.push(mtime);
      },
    };
    this.exporter = StreamExporter.createShard({ ...job.options, fs }, this.rows);
    this.inner = new ExportConsumer(this.exporter, false);
  }

  /** The record names of conflict records (the inputs of a capture set). */
  get names(): ExportConsumer['names'] {
    return this.inner.names;
  }

  open(conn: ConnectionInfo): ConnectionHandler {
    return this.inner.open(conn);
  }

  stopReason(): string | null {
    return this.inner.stopReason();
  }

  /** The rows since the last batch, and the fatal error the first time there is one. */
  takeRows(): ShardRows {
    const json = this.rows.json;
    this.rows.json = [];
    const timedPaths = this.timedPaths;
    this.timedPaths = [];
    const fatal = this.exporter.fatalError;
    const out = { rows: NO_ROWS, nRows: 0, rowIds: this.rows.ids.take(), rowJson: json, timedPaths, times: this.times.take() };
    if (fatal === null || this.fatalSent) return out;
    this.fatalSent = true;
    return { ...out, fatal: plainError(fatal) };
  }

  /** Closes the shard's files (connections still open get rows marked unfinished): what the end message says. */
  close(interrupted: string | null, inputs: object[]): ShardExportEnd {
    const summary = this.exporter.close({ interrupted });
    const fatal = this.exporter.fatalError;
    return { summary, errors: this.exporter.errors.map(plainError), errorCount: this.exporter.errorCount, fatal: fatal === null ? null : plainError(fatal), inputs };
  }
}
