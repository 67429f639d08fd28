import type { CaptureSource } from '../capture/index.js';
import type { ConnectionInfo } from '../reassembly/index.js';
import { keepingWarnings } from './collect.js';
import type { PassOptions } from './options.js';
import { runPass, type ConnectionHandler, type PassConsumer, type PassResult } from './pass.js';
import { DEFAULT_MAX_HELD_ROWS, IdReorder } from './reorder.js';
import { ConnectionRowStore } from './row-store.js';
import { connectionReport, type ConnectionReport } from './rows.js';
import { stateText } from './state.js';
import { runSummary, type RunSummary } from './summary.js';

/** Result of {@link analyzeCapture}: one row per connection in id order, and the run summary. */
export interface AnalyzeResult {
  connections: ConnectionReport[];
  summary: RunSummary;
  pass: PassResult;
}

/** Result of {@link streamAnalyze}: the rows went to `onRow`; these are the totals. */
export interface AnalyzeStreamResult {
  summary: RunSummary;
  pass: PassResult;
  /** Rows handed to onRow (one per connection). */
  rows: number;
  /** Rows emitted after a higher id because their connection outlived the hold bound (0: exact id order). */
  lateRows: number;
  /** Most rows held back at once waiting for a lower id. */
  heldRowsPeak: number;
}

/** Options of {@link streamAnalyze} beyond the pass's own. */
export interface AnalyzeStreamOptions extends PassOptions {
  /**
   * Most rows held back waiting for a connection with a lower id to end; past it rows go out anyway and the
   * late ones follow when they end (see {@link IdReorder}). Default {@link DEFAULT_MAX_HELD_ROWS}.
   */
  maxHeldRows?: number;
}

/** Rows waiting for a lower id, in the slots of a columnar store (freed slots are reused). */
class HeldRows {
  private readonly store = new ConnectionRowStore();
  private readonly free: number[] = [];

  put(row: ConnectionReport): number {
    const slot = this.free.length > 0 ? this.free.pop()! : this.store.length;
    this.store.set(slot, row);
    return slot;
  }

  take(slot: number): ConnectionReport {
    this.free.push(slot);
    return this.store.get(slot);
  }
}

/** Turns each ending connection into its report row, in id order; keeps nothing per packet or per connection. */
class AnalyzeConsumer implements PassConsumer {
  constructor(
    private readonly reorder: IdReorder<ConnectionReport | number>,
    private readonly held: HeldRows,
  ) {}

  open(): ConnectionHandler {
    return this.handler;
  }

  // Stateless: one handler serves every connection, and the row is a snapshot taken at complete(), so no
  // engine object is referenced once its connection has ended.
  private readonly handler: ConnectionHandler = {
    reassembled: () => {},
    complete: (conn: ConnectionInfo, interrupted: boolean) => {
      const row = connectionReport(conn, stateText(conn.endReason, interrupted));
      // A row that must wait is kept in columns, not as an object: row objects that lived long enough to be
      // promoted and then died made V8 grow the heap to several times what was live.
      this.reorder.add(conn.id, this.reorder.ready(conn.id) ? row : this.held.put(row));
    },
  };
}

/**
 * The analyze command, streaming: reads the capture once and hands every connection's row to `onRow` as soon
 * as every connection with a lower id has been handed over (Wireshark's `tcp.stream` order), so memory stays
 * flat however many connections the capture holds: only rows behind a still-open connection wait, at most
 * `maxHeldRows` of them. Resolves with the run summary when the capture is done. Throws CaptureError for
 * unreadable input; an exception from `onRow` stops the pass and rejects.
 */
export async function streamAnalyze(
  source: CaptureSource,
  onRow: (row: ConnectionReport) => void,
  options: AnalyzeStreamOptions = {},
): Promise<AnalyzeStreamResult> {
  let rows = 0;
  const held = new HeldRows();
  const reorder = new IdReorder<ConnectionReport | number>((r) => {
    rows++;
    onRow(typeof r === 'number' ? held.take(r) : r);
  }, Math.max(1, options.maxHeldRows ?? DEFAULT_MAX_HELD_ROWS));
  const { options: opts, warnings } = keepingWarnings(options);
  const pass = await runPass(source, new AnalyzeConsumer(reorder, held), opts);
  reorder.flush();
  const input = options.sourceName ?? (typeof source === 'string' ? source : '<stream>');
  return { summary: runSummary(input, pass, warnings), pass, rows, lateRows: reorder.lateRows, heldRowsPeak: reorder.heldPeak };
}

/**
 * The analyze command without printing: reads the capture once and returns every connection's statistics
 * (sorted by id, Wireshark's `tcp.stream` order) and the run summary. Throws CaptureError for unreadable input.
 * Holds every row as an object (about 1.5 kB a connection): for large captures use {@link streamAnalyze}.
 */
export async function analyzeCapture(source: CaptureSource, options: AnalyzeStreamOptions = {}): Promise<AnalyzeResult> {
  const connections: ConnectionReport[] = [];
  const r = await streamAnalyze(source, (row) => connections.push(row), options);
  if (r.lateRows > 0) connections.sort((a, b) => a.id - b.id);
  return { connections, summary: r.summary, pass: r.pass };
}
