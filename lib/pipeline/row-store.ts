import { CONNECTION_FIELDS, FIELD_OFFSET, readRow, ROW_FIELDS, type ConnectionRow } from '../schema/row.js';
import { NumberColumn } from './number-column.js';
import type { ConnectionRowView } from './row-view.js';

/** Row positions of the `optional` fields (-1 for none): stored + 1 so that their columns stay unsigned. */
const SHIFTED = new Uint8Array(ROW_FIELDS);
for (const f of CONNECTION_FIELDS) if (f.kind === 'optional') SHIFTED[FIELD_OFFSET[f.name]] = 1;

/**
 * Every connection row of a report kept in columns instead of objects, for the outputs that need all rows
 * before the first can be printed (the table, whose column widths depend on every row, and `--sort`).
 * One {@link NumberColumn} per number of the row layout (1 to 8 bytes a value, by magnitude); text is made
 * again only when a row is read.
 *
 * Memory: on typical traffic (small counters, IPv4) 100 to 200 bytes a connection, at most about 700 bytes
 * when every counter needs a float (see {@link bytes}). A row of objects costs about 1.5 kB.
 */
export class ConnectionRowStore {
  private n = 0;
  private readonly cols = Array.from({ length: ROW_FIELDS }, () => new NumberColumn());
  /** One row read back, in the row layout. */
  private readonly scratch = new Float64Array(ROW_FIELDS);

  /** Rows stored. */
  get length(): number {
    return this.n;
  }

  /** Appends the row a view shows (copied number by number: no text, no object). */
  pushRow(row: ConnectionRowView): void {
    const i = this.n++;
    const a = row.values;
    const at = row.at;
    const cols = this.cols;
    for (let k = 0; k < ROW_FIELDS; k++) cols[k]!.set(i, a[at + k]! + SHIFTED[k]!);
  }

  /** Row `i` as a fresh object, equal to what the view's `report()` gave. */
  get(i: number): ConnectionRow {
    const a = this.scratch;
    for (let k = 0; k < ROW_FIELDS; k++) a[k] = this.cols[k]!.get(i) - SHIFTED[k]!;
    return readRow(a, 0);
  }

  /** Bytes of column storage (what the rows cost). */
  get bytes(): number {
    return this.cols.reduce((s, c) => s + c.bytes, 0);
  }
}
