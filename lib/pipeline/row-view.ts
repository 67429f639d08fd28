import { readRow, rowId, type ConnectionRow } from '../schema/row.js';

const NO_ROW = new Float64Array(0);

/**
 * One finished connection's row as {@link streamAnalyze} hands it out: a view into storage the pipeline reuses
 * (the same object for every row), valid only during the call that received it. Reading it costs nothing;
 * {@link report} builds the plain object, with its address text, for output or for keeping.
 */
export class ConnectionRowView {
  private buf: Float64Array = NO_ROW;
  private pos = 0;

  /** Connection id (Wireshark `tcp.stream` order). */
  get id(): number {
    return rowId(this.buf, this.pos);
  }

  /** The row as a new plain object (what JSON and CSV print); keep this, not the view. */
  report(): ConnectionRow {
    return readRow(this.buf, this.pos);
  }

  /** The numbers of the row: `values[at, at + ROW_FIELDS)`, in the row layout (lib/schema/row.ts). */
  get values(): Float64Array {
    return this.buf;
  }

  get at(): number {
    return this.pos;
  }

  /** Points the view at another row (the pipeline does, before each hand-over). */
  point(values: Float64Array, at: number): void {
    this.buf = values;
    this.pos = at;
  }
}
