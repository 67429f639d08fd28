/**
 * Connection reports written piece by piece, so a report of a million connections never exists as one string
 * (nor as a million row objects): JSON and CSV rows go out as they come.
 */
import { CONNECTION_CSV_COLUMNS, connectionJson } from './connection-columns.js';
import { csvLine } from './csv.js';
import { summaryJson } from './render.js';
import { rowCsv, rowJson } from './row-text.js';
import type { ConnectionRow, RunSummary } from './rows.js';

/** Receives report text in order. */
export type TextSink = (text: string) => void;

const indent = (json: string, pad: string): string => json.replace(/\n/g, `\n${pad}`);

/**
 * The JSON analyze report written as rows come: one document `{ "connections": [...], "summary": {...} }`,
 * byte for byte what `JSON.stringify(doc, null, 2)` gives for it. `connections` comes first because the
 * summary is only known at the end (JSON readers do not care about key order).
 */
export class ConnectionsJsonWriter {
  private rows = 0;

  constructor(private readonly out: TextSink) {
    out('{\n  "connections": [');
  }

  row(r: ConnectionRow): void {
    this.out(`${this.rows++ === 0 ? '\n' : ',\n'}    ${indent(JSON.stringify(connectionJson(r), null, 2), '    ')}`);
  }

  /** The same as {@link row} for the row stored as numbers at `values[at...]` (lib/schema/row.ts layout), with no row object. */
  rowNumbers(values: ArrayLike<number>, at: number): void {
    this.out(`${this.rows++ === 0 ? '\n' : ',\n'}    ${rowJson(values, at)}`);
  }

  /** Closes the list and writes the summary: the document is complete. */
  end(summary: RunSummary): void {
    this.out(`${this.rows > 0 ? '\n  ]' : ']'},\n  "summary": ${indent(JSON.stringify(summaryJson(summary), null, 2), '  ')}\n}\n`);
  }
}

/** The CSV analyze report written as rows come: the header line first, then one line a connection. */
export class ConnectionsCsvWriter {
  private readonly cols = CONNECTION_CSV_COLUMNS;

  constructor(private readonly out: TextSink) {
    out(csvLine(this.cols.map((c) => c.key)));
  }

  row(r: ConnectionRow): void {
    this.out(csvLine(this.cols.map((c) => c.value(r))));
  }

  /** The same as {@link row} for the row stored as numbers at `values[at...]`, with no row object. */
  rowNumbers(values: ArrayLike<number>, at: number): void {
    this.out(rowCsv(values, at));
  }

  /** The end of the report: CSV is rows only (the summary is in the JSON and table outputs). */
  end(_summary: RunSummary): void {}
}
