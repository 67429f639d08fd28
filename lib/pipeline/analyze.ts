import type { CaptureSource } from '../capture/index.js';
import type { ConnectionInfo } from '../reassembly/index.js';
import { keepingWarnings } from './collect.js';
import type { PassOptions } from './options.js';
import { runPass, type ConnectionHandler, type PassConsumer, type PassResult } from './pass.js';
import { connectionReport, type ConnectionReport } from './rows.js';
import { stateText } from './state.js';
import { runSummary, type RunSummary } from './summary.js';

/** Result of {@link analyzeCapture}: one row per connection in id order, and the run summary. */
export interface AnalyzeResult {
  connections: ConnectionReport[];
  summary: RunSummary;
  pass: PassResult;
}

/** Collects one report row per connection when it ends; keeps nothing per packet. */
class AnalyzeConsumer implements PassConsumer {
  readonly rows: ConnectionReport[] = [];

  open(): ConnectionHandler {
    return this.handler;
  }

  // Stateless: one handler serves every connection (statistics come from the engine's ConnectionInfo).
  private readonly handler: ConnectionHandler = {
    reassembled: () => {},
    complete: (conn: ConnectionInfo, interrupted: boolean) => {
      this.rows.push(connectionReport(conn, stateText(conn.endReason, interrupted)));
    },
  };
}

/**
 * The analyze command without printing: reads the capture once and returns every connection's statistics
 * (sorted by id, Wireshark's `tcp.stream` order) and the run summary. Throws CaptureError for unreadable input.
 */
export async function analyzeCapture(source: CaptureSource, options: PassOptions = {}): Promise<AnalyzeResult> {
  const consumer = new AnalyzeConsumer();
  const { options: opts, warnings } = keepingWarnings(options);
  const pass = await runPass(source, consumer, opts);
  consumer.rows.sort((a, b) => a.id - b.id);
  const input = options.sourceName ?? (typeof source === 'string' ? source : '<stream>');
  return { connections: consumer.rows, summary: runSummary(input, pass, warnings), pass };
}
