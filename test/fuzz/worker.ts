/**
 * Worker thread of the long fuzzer: runs cases [from, to) and reports each one's start and outcome, so the main
 * thread can tell a hang (no outcome within the timeout) from a crash (the worker died) and carry on after both.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCorpus } from './corpus.js';
import { makeCase } from './mutate.js';
import { runCapture } from './pipeline.js';

export interface WorkerInput {
  seed: number;
  from: number;
  to: number;
  maxBytes: number;
}

/** Messages from the worker. */
export type WorkerMessage =
  | { type: 'start'; index: number; kind: string; seedName: string }
  | {
      type: 'done';
      index: number;
      kind: string;
      via: string;
      crash: string | null;
      rejected: string | null;
      violations: string[];
      records: number;
      segments: number;
      diagnosticCodes: Record<string, number>;
      heapUsed: number;
      ms: number;
    }
  | { type: 'finished' };

async function main(): Promise<void> {
  const input = workerData as WorkerInput;
  const port = parentPort!;
  const corpus = loadCorpus(input.maxBytes);
  for (let i = input.from; i < input.to; i++) {
    const c = makeCase(corpus, input.seed, i);
    port.postMessage({ type: 'start', index: i, kind: c.kind, seedName: c.seedName } satisfies WorkerMessage);
    // Lets the runner's hang detection itself be checked: `TCPREASM_FUZZ_HANG_AT=5 npm run fuzz -- --cases 10`.
    if (process.env.TCPREASM_FUZZ_HANG_AT === String(i)) for (;;);
    const t0 = performance.now();
    const r = await runCapture(c.input, { via: c.via, seed: i, resync: c.resync, streamLength: c.streamLength });
    port.postMessage({
      type: 'done',
      index: i,
      kind: c.kind,
      via: c.via,
      crash: r.crash,
      rejected: r.rejected,
      violations: r.violations,
      records: r.records,
      segments: r.segments,
      diagnosticCodes: r.diagnosticCodes,
      heapUsed: process.memoryUsage().heapUsed,
      ms: performance.now() - t0,
    } satisfies WorkerMessage);
  }
  port.postMessage({ type: 'finished' } satisfies WorkerMessage);
}

if (parentPort !== null) void main();
