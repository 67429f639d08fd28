/**
 * Runs one phase of one workload in a fresh process, so that peak RSS belongs to that phase alone:
 *
 *   node dist/test/bench/one.js WORKLOAD PATH [--phase scan|read|decode|analyze|export|copy] [--runs N]
 *                                            [--warmup N] [--bytes N] [--out-dir DIR]
 *
 * Prints one JSON line ({@link PhaseReport}) on stdout.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { copyPath, scanPath } from './baselines.js';
import { loadReader, type Reader } from './engine.js';
import { removeTree } from './remove-tree.js';
import { analyzePath, decodePath, exportPath, PhaseCounts, PhaseUnavailable, readPath } from './paths.js';
import type { Phase, PhaseReport, RunReport } from './phase.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

async function runOnce(phase: Phase, reader: Reader, file: string, outDir: string, bytes: number): Promise<RunReport> {
  const c = new PhaseCounts();
  const t0 = performance.now();
  switch (phase) {
    case 'scan': await scanPath(file, c); break;
    case 'read': await readPath(reader, file, c); break;
    case 'decode': await decodePath(reader, file, c); break;
    case 'analyze': await analyzePath(reader, file, c); break;
    case 'export': await exportPath(reader, file, outDir, c); break;
    case 'copy': copyPath(outDir, bytes, c); break;
  }
  const ms = performance.now() - t0;
  if (phase === 'export' && c.outputBytes === 0) c.outputBytes = dirBytes(outDir);
  return { ...c, ms };
}

/** Total size of the files under `dir`. */
function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath ?? dir, e.name)).size;
  }
  return total;
}

async function main(): Promise<void> {
  const [workload, file] = process.argv.slice(2);
  if (!workload || !file) {
    process.stderr.write('usage: one.js WORKLOAD PATH [--phase P] [--runs N] [--warmup N] [--bytes N] [--out-dir DIR]\n');
    process.exit(2);
  }
  const phase = arg('phase', 'decode') as Phase;
  const runs = Number(arg('runs', '3'));
  const warmup = Number(arg('warmup', '1'));
  const bytes = Number(arg('bytes', '0'));
  const baseDir = arg('out-dir', os.tmpdir());
  const report: PhaseReport = { workload, phase, impl: phase, runs: [], peakRss: 0 };
  const reader = await loadReader();
  if (phase === 'read' || phase === 'decode' || phase === 'analyze' || phase === 'export') report.impl = reader.impl;
  fs.mkdirSync(baseDir, { recursive: true });
  const outDir = fs.mkdtempSync(path.join(baseDir, `bench-${phase}-`));
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const r = await runOnce(phase, reader, file, outDir, bytes);
      if (i >= warmup) report.runs.push(r);
      // Output is removed between runs, outside the timing, so every run writes into an empty folder.
      removeTree(outDir);
      fs.mkdirSync(outDir);
    }
  } catch (e) {
    if (e instanceof PhaseUnavailable) report.unavailable = e.message;
    else report.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
  } finally {
    removeTree(outDir);
  }
  // maxRSS is in kilobytes.
  report.peakRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify(report) + '\n');
}

void main();
