/**
 * A shard's pass consumer: what every shard keeps for the main thread to give ids (the records that created
 * its connections, the ids of those that ended without a row), and its rows, taken for each batch. analyze's
 * shard hands over rows as numbers; export's (export-shard.ts) as manifest JSON.
 */
import { writeRow } from '../pipeline/snapshot.js';
import type { ConnectionHandler, PassConsumer } from '../pipeline/pass.js';
import type { ConnectionInfo } from '../reassembly/index.js';
import { ROW_FIELDS } from '../schema/row.js';
import { Column } from './column.js';
import type { ShardBatch } from './protocol.js';

/** The rows part of a batch. */
export type ShardRows = Pick<ShardBatch, 'rows' | 'nRows' | 'rowIds' | 'rowJson' | 'timedPaths' | 'times' | 'fatal'>;

export abstract class ShardConsumer implements PassConsumer {
  readonly createdKeys = new Column(1024);
  readonly unselectedIds = new Column(256);
  /** Set by the worker: posts the batch after every chunk, and waits there when it must. */
  drain?: () => void;

  abstract open(conn: ConnectionInfo): ConnectionHandler | null;

  /** The rows that ended since the last batch, and a fresh start. */
  abstract takeRows(): ShardRows;

  created(_conn: ConnectionInfo, record: number): void {
    this.createdKeys.push(record);
  }

  unselected(conn: ConnectionInfo): void {
    this.unselectedIds.push(conn.id);
  }
}

/** analyze's shard: each ended connection's row as numbers (lib/schema/row.ts), the id its own. */
export class AnalyzeShardConsumer extends ShardConsumer {
  private readonly rows = new Column(256 * ROW_FIELDS);

  open(): ConnectionHandler {
    return this.handler;
  }

  takeRows(): ShardRows {
    const nRows = this.rows.n / ROW_FIELDS;
    return { rows: this.rows.take(), nRows };
  }

  private readonly handler: ConnectionHandler = {
    reassembled: () => {},
    complete: (conn: ConnectionInfo) => {
      const r = this.rows;
      r.reserve(ROW_FIELDS);
      writeRow(r.buf, r.n, conn);
      r.n += ROW_FIELDS;
    },
  };
}
