/**
 * streamAnalyzeInWorkers as a library user calls it: the rows of streamAnalyze on the same capture, in the same
 * order; what it cannot do is refused before any thread starts. The workers run the built worker script.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { streamAnalyze } from '../pipeline/analyze.js';
import { streamAnalyzeInWorkers } from './analyze-parallel.js';

const SAMPLE = fileURLToPath(new URL('../../samples/ipv4-loss.pcap', import.meta.url));
const WORKER = new URL('../../dist/lib/parallel/worker.js', import.meta.url);

describe('streamAnalyzeInWorkers', () => {
  it('hands over the rows streamAnalyze does, in id order, and the same totals', async () => {
    expect(existsSync(WORKER), 'npm test builds dist/ first').toBe(true);
    const one: unknown[] = [];
    const ref = await streamAnalyze(SAMPLE, (r) => one.push(r.report()));
    const two: unknown[] = [];
    const progress: number[] = [];
    const par = await streamAnalyzeInWorkers(SAMPLE, (r) => two.push(r.report()), { workers: 3, workerScript: WORKER, onProgress: (b) => progress.push(b) });
    expect(two).toEqual(one);
    expect(par.rows).toBe(ref.rows);
    expect(par.lateRows).toBe(0);
    expect(par.summary.connections).toBe(ref.summary.connections);
    expect(par.summary.bytesReassembled).toBe(ref.summary.bytesReassembled);
    expect(par.summary.packetsRead).toBe(ref.summary.packetsRead);
    expect(par.summary.workers).toBe(3);
    expect(progress.at(-1)).toBe(ref.summary.inputBytes);
  });

  it('a selection is compiled in each worker: only its rows, every connection still counted', async () => {
    const rows: Array<{ clientPort: number }> = [];
    const r = await streamAnalyzeInWorkers([SAMPLE], (v) => rows.push(v.report()), { workers: 2, workerScript: WORKER, selection: { expression: 'tcp portrange 41600-41700' } });
    const ref: Array<{ clientPort: number }> = [];
    await streamAnalyze(SAMPLE, (v) => {
      const row = v.report();
      if (row.clientPort >= 41600 && row.clientPort <= 41700) ref.push(row);
    });
    // Some of the sample's 20 connections, not all and not none.
    expect(ref.length).toBeGreaterThan(0);
    expect(ref.length).toBeLessThan(20);
    expect(rows).toEqual(ref);
    expect(r.summary.connections).toBe(20);
  });

  it('refuses fewer than 2 workers and standard input, before starting any', async () => {
    await expect(streamAnalyzeInWorkers(SAMPLE, () => {}, { workers: 1, workerScript: WORKER })).rejects.toThrow(/at least 2/);
    await expect(streamAnalyzeInWorkers('-', () => {}, { workers: 2, workerScript: WORKER })).rejects.toThrow(/standard input/);
  });

  it('rejects with the CaptureError one thread gives for a file that is not a capture', async () => {
    const bad = fileURLToPath(new URL('../../samples/damaged/not-a-capture.txt', import.meta.url));
    const one = await streamAnalyze(bad, () => {}).catch((e: unknown) => e);
    const two = await streamAnalyzeInWorkers(bad, () => {}, { workers: 2, workerScript: pathToFileURL(fileURLToPath(WORKER)) }).catch((e: unknown) => e);
    expect(two).toBeInstanceOf(Error);
    expect((two as Error).name).toBe('CaptureError');
    expect((two as Error).message).toBe((one as Error).message);
  });
});
