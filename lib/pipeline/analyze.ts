import type { ConnectionInfo } from '../reassembly/index.js';
import { keepingWarnings } from './collect.js';
import { inputName, type PassInput, type PassOptions } from './options.js';
import { runPass, type ConnectionHandler, type PassConsumer, type PassResult } from './pass.js';
import { HeldRows, SlotQueue } from './held-rows.js';
import { DEFAULT_MAX_HELD_ROWS, IdReorder } from './reorder.js';
import { ROW_FIELDS, type ConnectionRow } from '../schema/row.js';
import { writeRow } from './snapshot.js';
import { ConnectionRowView } from './row-view.js';
import { runSummary, type RunSummary } from './summary.js';

/** Result of {@link analyzeCapture}: one row per connection in id order, and the run summary. */
export interface AnalyzeResult {
  connections: ConnectionRow[];
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

/**
 * Writes each ending connection's row straight from the engine into the row layout and hands it over in id
 * order: a row whose id is next goes out from one scratch row at once, a row that must wait is written into
 * a held slot. Nothing is allocated per connection.
 *
 * Paced (the pass has a `drain`): rows are not handed over inside the engine's callbacks, where nothing can
 * wait, but queued in held slots and handed over after each chunk of input, a batch at a time with `drain`
 * awaited between batches. A slow reader of the output then holds rows in their compact form (8 bytes a
 * field) instead of their text, even when thousands go out at once (a long-lived connection ends and
 * releases the rows behind it; the open connections end with the capture).
 */
class AnalyzeConsumer implements PassConsumer {
  private readonly scratch = new Float64Array(ROW_FIELDS);
  private readonly held = new HeldRows();
  private readonly view = new ConnectionRowView();
  /** Slots in id order; SCRATCH for the row in `scratch`. */
  readonly reorder: IdReorder<number>;
  /** Paced: slots whose row is next in the output, oldest first. */
  private readonly due = new SlotQueue();
  rows = 0;

  constructor(
    private readonly onRow: (row: ConnectionRowView) => void,
    maxHeldRows: number,
    private readonly outputDrain: (() => Promise<void> | void) | undefined,
  ) {
    this.reorder = new IdReorder<number>((slot) => (this.outputDrain === undefined ? this.emit(slot) : this.due.push(slot)), maxHeldRows);
  }

  open(): ConnectionHandler {
    return this.handler;
  }

  /** Not selected: no row, but its id still takes its place in the order. */
  unselected(conn: ConnectionInfo): void {
    this.reorder.add(conn.id, NO_ROW);
  }

  /** Paced: hands the due rows over, waiting for the output after every batch. */
  async drain(): Promise<void> {
    const wait = this.outputDrain;
    if (wait === undefined) return;
    while (this.due.size > 0) {
      for (let n = 0; n < PACED_BATCH && this.due.size > 0; n++) this.emit(this.due.shift());
      await wait();
    }
  }

  // Stateless: one handler serves every connection, and the row is a snapshot taken at complete(), so no
  // engine object is referenced once its connection has ended.
  private readonly handler: ConnectionHandler = {
    reassembled: () => {},
    complete: (conn: ConnectionInfo) => {
      if (this.outputDrain === undefined && this.reorder.ready(conn.id)) {
        writeRow(this.scratch, 0, conn);
        this.reorder.add(conn.id, SCRATCH);
        return;
      }
      const slot = this.held.alloc();
      writeRow(this.held.values(slot), this.held.offset(slot), conn);
      this.reorder.add(conn.id, slot);
    },
  };

  private emit(slot: number): void {
    if (slot === NO_ROW) return;
    if (slot === SCRATCH) this.view.point(this.scratch, 0);
    else this.view.point(this.held.values(slot), this.held.offset(slot));
    this.rows++;
    this.onRow(this.view);
    if (slot !== SCRATCH) this.held.release(slot);
  }
}

/** Rows handed over between two waits for the output: about a megabyte of JSON. */
const PACED_BATCH = 512;

const SCRATCH = -1;
/** The place of a connection the selection did not choose. */
const NO_ROW = -2;

/**
 * The analyze command, streaming: reads the capture once and hands every connection's row to `onRow` as soon
 * as every connection with a lower id has been handed over (Wireshark's `tcp.stream` order), so memory stays
 * flat however many connections the capture holds: only rows behind a still-open connection wait, at most
 * `maxHeldRows` of them. The row is a view valid only during the call (`row.report()` gives the object to
 * print or keep). With `options.drain` (back-pressure from a slow output) the rows due are handed over after
 * each chunk of input, 512 at a time with `drain` awaited between, never inside the engine's callbacks.
 * Resolves with the run summary when the capture is done. Throws CaptureError for unreadable input; an
 * exception from `onRow` stops the pass and rejects.
 */
export async function streamAnalyze(
  source: PassInput,
  onRow: (row: ConnectionRowView) => void,
  options: AnalyzeStreamOptions = {},
): Promise<AnalyzeStreamResult> {
  const consumer = new AnalyzeConsumer(onRow, Math.max(1, options.maxHeldRows ?? DEFAULT_MAX_HELD_ROWS), options.drain);
  // The consumer waits for the output itself, between its batches.
  const { options: opts, warnings } = keepingWarnings({ ...options, drain: undefined });
  const pass = await runPass(source, consumer, opts);
  const reorder = consumer.reorder;
  reorder.flush();
  await consumer.drain();
  const input = options.sourceName ?? inputName(source);
  return { summary: runSummary(input, pass, warnings), pass, rows: consumer.rows, lateRows: reorder.lateRows, heldRowsPeak: reorder.heldPeak };
}

/**
 * The analyze command without printing: reads the capture once and returns every connection's statistics
 * (sorted by id, Wireshark's `tcp.stream` order) and the run summary. Throws CaptureError for unreadable input.
 * Holds every row as an object (about 1.5 kB a connection): for large captures use {@link streamAnalyze}.
 */
export async function analyzeCapture(source: PassInput, options: AnalyzeStreamOptions = {}): Promise<AnalyzeResult> {
  const connections: ConnectionRow[] = [];
  const r = await streamAnalyze(source, (row) => connections.push(row.report()), options);
  if (r.lateRows > 0) connections.sort((a, b) => a.id - b.id);
  return { connections, summary: r.summary, pass: r.pass };
}
