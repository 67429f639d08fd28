/**
 * exportInWorkers as a library user calls it: the folder exportCapture writes, from 3 workers; what it cannot
 * do is refused before any thread starts or file is made. The workers run the built worker script.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CaptureError } from '../capture/index.js';
import { parseManifest } from '../export/manifest.js';
import { exportCapture } from '../pipeline/export.js';
import { exportInWorkers } from './export-parallel.js';

const SAMPLE = fileURLToPath(new URL('../../samples/ipv4-loss.pcap', import.meta.url));
const WORKER = new URL('../../dist/lib/parallel/worker.js', import.meta.url);
const base = mkdtempSync(join(tmpdir(), 'tcpreasm-export-parallel-'));

/** The stream files of a folder with their bytes, and the manifest rows by id. */
function contents(dir: string): { files: Record<string, string>; rows: Map<number, unknown> } {
  const files: Record<string, string> = {};
  for (const n of readdirSync(dir).sort()) if (!/^(manifest\.jsonl|run\.json)$/.test(n)) files[n] = readFileSync(join(dir, n)).toString('base64');
  const { rows } = parseManifest(readFileSync(join(dir, 'manifest.jsonl'), 'utf8'));
  return { files, rows: new Map(rows.map((r) => [r.id, r])) };
}

describe('exportInWorkers', () => {
  it("writes exportCapture's files and rows, and the same totals", async () => {
    expect(existsSync(WORKER), 'npm test builds dist/ first').toBe(true);
    const ref = await exportCapture(SAMPLE, { dir: join(base, 'one') });
    const progress: number[] = [];
    const par = await exportInWorkers(SAMPLE, { dir: join(base, 'three') }, { workers: 3, workerScript: WORKER, onProgress: (b) => progress.push(b) });
    const a = contents(join(base, 'one'));
    const b = contents(join(base, 'three'));
    expect(Object.keys(b.files)).toEqual(Object.keys(a.files));
    expect(b.files).toEqual(a.files);
    expect(b.rows).toEqual(a.rows);
    const { openFileLimit: _o, bufferBytesAllocated: _b, ...totals } = par.export;
    const { openFileLimit: _o2, bufferBytesAllocated: _b2, ...refTotals } = ref.export;
    expect(totals).toEqual(refTotals);
    expect(par.exportErrorCount).toBe(0);
    expect(par.fatalError).toBeNull();
    expect(par.summary.workers).toBe(3);
    expect(par.summary.bytesReassembled).toBe(ref.summary.bytesReassembled);
    expect(progress.at(-1)).toBe(ref.summary.inputBytes);
    // The run record has the inputs with their sha256, as one run's.
    const run = JSON.parse(readFileSync(join(base, 'three', 'run.json'), 'utf8')) as { status: string; inputs: Array<{ sha256: string }>; options: { workers: number } };
    expect(run.status).toBe('complete');
    expect(run.options.workers).toBe(3);
    expect(run.inputs[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses keepConflicts, an injected fs, one worker and standard input before making the folder', async () => {
    const dir = join(base, 'refused');
    await expect(exportInWorkers(SAMPLE, { dir, keepConflicts: true }, { workers: 2, workerScript: WORKER })).rejects.toThrow(/keepConflicts/);
    await expect(exportInWorkers(SAMPLE, { dir, fs: {} as never }, { workers: 2, workerScript: WORKER })).rejects.toThrow(/injected fs/);
    await expect(exportInWorkers(SAMPLE, { dir }, { workers: 1, workerScript: WORKER })).rejects.toThrow(/at least 2/);
    await expect(exportInWorkers('-', { dir }, { workers: 2, workerScript: WORKER })).rejects.toThrow(/standard input/);
    expect(existsSync(dir)).toBe(false);
  });

  it('an unreadable capture rejects with CaptureError and leaves no folder it made', async () => {
    const junk = join(base, 'junk.pcap');
    writeFileSync(junk, 'not a capture at all, just text\n');
    const dir = join(base, 'junk-out');
    await expect(exportInWorkers(junk, { dir }, { workers: 2, workerScript: WORKER })).rejects.toBeInstanceOf(CaptureError);
    expect(existsSync(dir)).toBe(false);
  });
});
