/**
 * `npm run bench`: generates (or takes from `.bench-cache/`) the workloads, runs every phase of each in its own
 * child process (warm-up, then N runs, median), and prints one table, or JSON with `--json`.
 *
 *   npm run bench -- [--runs 3] [--only bulk,small] [--size-mb 1000] [--quick] [--json]
 *                    [--phases read,decode] [--corners] [--flat]
 *   npm run bench -- --peers [--runs 3] [--only real,http,small,many]   (the CLI beside gopacket and tcpflow; http beside its export)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { pageOpenRow } from './page-open.js';
import { DEFAULT_CLI, defaultExportDir, findPeers, peerRows, printPeers, startupRow, type PeerRow, type PeerSettings } from './peers.js';
import { PHASES, type Phase, type PhaseReport, type RunReport } from './phase.js';
import {
  bulkProfile, cornerWorkloads, defaultCacheDir, ensureWorkload, httpWorkload, realWorkload, standardWorkloads,
  type Workload, type WorkloadMeta,
} from './workloads.js';

const ONE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'one.js');
const MB = 1e6;

/** What the JSON output says of the machine the figures come from. */
function machineInfo() {
  return { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, totalMemMB: Math.round(os.totalmem() / MB) };
}

/** Median of the run times, and the run it came from (its counts are reported). */
function median(runs: RunReport[]): RunReport {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  return sorted[(sorted.length - 1) >> 1];
}

/** One phase of one workload, summarised. */
interface PhaseResult {
  phase: Phase;
  impl: string;
  medianSeconds: number;
  runSeconds: number[];
  captureMBps: number;
  segmentsPerSecond: number;
  connectionsPerSecond: number;
  /** Peak RSS of one cold run in a fresh process (what one `tcpreasm` run uses). */
  peakRssMB: number;
  /** Peak RSS of the timed child over its warm-up and all its runs. */
  peakRssAllRunsMB?: number;
  /** For export: bytes written; for copy: bytes the plain writer wrote. */
  outputBytes: number;
  /** Export time over the plain-copy time of the same bytes. */
  exportOverCopy?: number;
  /** Disagreements between what the phase counted and what the workload holds. */
  check: string;
  unavailable?: string;
  error?: string;
}

interface WorkloadResult {
  workload: string;
  description: string;
  file: string;
  captureMB: number;
  fileMB: number;
  packets: number;
  connections: number;
  streamBytes: number;
  phases: PhaseResult[];
}

function runChild(w: WorkloadMeta, phase: Phase, runs: number, warmup: number, outDir: string, bytes: number): PhaseReport {
  const args = [ONE, w.name, w.file, '--phase', phase, '--runs', String(runs), '--warmup', String(warmup), '--out-dir', outDir, '--bytes', String(bytes)];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as PhaseReport;
  } catch {
    return { workload: w.name, phase, impl: '?', runs: [], peakRss: 0, error: `child exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().slice(-2000)}` };
  }
}

/** Compares a phase's counts with the workload's metadata: the bench also notices a reader or decoder losing packets. */
function check(phase: Phase, m: RunReport, w: WorkloadMeta): string {
  const bad: string[] = [];
  if (phase === 'scan' || phase === 'read' || phase === 'decode' || phase === 'analyze') {
    if (m.records !== 0 || phase !== 'analyze') if (m.records !== w.packets) bad.push(`records ${m.records}≠${w.packets}`);
  }
  if (phase === 'decode' && w.wirePayloadBytes >= 0 && m.segments !== w.packets) bad.push(`segments ${m.segments}≠${w.packets}`);
  if (phase === 'decode' && w.wirePayloadBytes >= 0 && m.payloadBytes !== w.wirePayloadBytes) bad.push(`payload ${m.payloadBytes}≠${w.wirePayloadBytes}`);
  if ((phase === 'analyze' || phase === 'export') && m.connections !== 0 && m.connections !== w.connections) bad.push(`connections ${m.connections}≠${w.connections}`);
  if ((phase === 'analyze' || phase === 'export') && m.streamBytes !== 0 && m.streamBytes !== w.streamBytes) bad.push(`stream bytes ${m.streamBytes}≠${w.streamBytes}`);
  return bad.length === 0 ? 'ok' : bad.join(', ');
}

function summarise(rep: PhaseReport, w: WorkloadMeta): PhaseResult {
  const base = { phase: rep.phase, impl: rep.impl, peakRssMB: rep.peakRss / 2 ** 20 };
  if (rep.runs.length === 0) {
    return { ...base, medianSeconds: NaN, runSeconds: [], captureMBps: NaN, segmentsPerSecond: NaN, connectionsPerSecond: NaN, outputBytes: 0, check: '', unavailable: rep.unavailable, error: rep.error };
  }
  const m = median(rep.runs);
  const s = m.ms / 1000;
  const isCopy = rep.phase === 'copy';
  return {
    ...base,
    medianSeconds: s,
    runSeconds: rep.runs.map((r) => r.ms / 1000),
    captureMBps: isCopy ? m.outputBytes / MB / s : w.captureBytes / MB / s,
    segmentsPerSecond: isCopy ? NaN : w.packets / s,
    connectionsPerSecond: isCopy ? NaN : w.connections / s,
    outputBytes: m.outputBytes,
    check: isCopy ? 'ok' : check(rep.phase, m, w),
    error: rep.error,
  };
}

const fmt = (x: number, digits = 0): string => (Number.isFinite(x) ? x.toFixed(digits) : '');
const mfmt = (x: number): string => (Number.isFinite(x) ? (x / 1e6).toFixed(2) + 'M' : '');
const kfmt = (x: number): string => (!Number.isFinite(x) ? '' : x >= 1e4 ? (x / 1e3).toFixed(0) + 'k' : x.toFixed(0));

function printTable(results: WorkloadResult[]): void {
  const t = new Table({
    head: ['workload', 'capture', 'phase', 'median s', 'MB/s', 'segments/s', 'conns/s', 'peak RSS MB (1 run)', 'check / note'],
    style: { head: [], border: [], compact: true },
  });
  for (const r of results) {
    let first = true;
    for (const p of r.phases) {
      const note = p.unavailable !== undefined ? `n/a: ${p.unavailable}`
        : p.error !== undefined ? `ERROR: ${p.error.split('\n')[0].slice(0, 80)}`
        : p.phase === 'copy' ? `plain writer, ${fmt(p.outputBytes / MB)} MB`
        : p.exportOverCopy !== undefined ? `${p.check}; export/copy ${p.exportOverCopy.toFixed(2)}`
        : p.phase !== 'scan' && p.impl !== p.phase ? `${p.check} (${p.impl})` : p.check;
      t.push([
        first ? r.workload : '',
        first ? `${fmt(r.captureMB)} MB, ${mfmt(r.packets)} pkts, ${r.connections} conns` : '',
        p.phase,
        fmt(p.medianSeconds, 3),
        fmt(p.captureMBps),
        mfmt(p.segmentsPerSecond),
        kfmt(p.connectionsPerSecond),
        fmt(p.peakRssMB),
        note,
      ]);
      first = false;
    }
  }
  process.stdout.write(t.toString() + '\n');
}

function printCorners(results: WorkloadResult[], phases: Phase[]): void {
  const t = new Table({ head: ['corner', 'n', 'packets', ...phases.map((p) => `${p} ns/packet`), ...phases.map((p) => `${p} RSS MB`)], style: { head: [], border: [], compact: true } });
  const byKind = new Map<string, WorkloadResult[]>();
  for (const r of results) {
    const kind = r.workload.replace(/-\d+$/, '');
    if (!byKind.has(kind)) byKind.set(kind, []);
    byKind.get(kind)!.push(r);
  }
  const perPacket = (r: WorkloadResult, p: Phase): number => {
    const x = r.phases.find((q) => q.phase === p);
    return x ? (x.medianSeconds * 1e9) / r.packets : NaN;
  };
  for (const [kind, rs] of byKind) {
    for (const r of rs) {
      t.push([kind, r.workload.slice(kind.length + 1), String(r.packets), ...phases.map((p) => {
        const x = r.phases.find((q) => q.phase === p);
        return x?.unavailable !== undefined ? 'n/a' : x?.error !== undefined ? 'ERROR' : fmt(perPacket(r, p));
      }), ...phases.map((p) => fmt(r.phases.find((q) => q.phase === p)?.peakRssMB ?? NaN))]);
    }
    // Small sizes carry fixed costs (start-up, JIT), so flatness is judged on marginal cost between sizes:
    // the last step costing no more per added packet than the first means no super-linear corner.
    const seconds = (r: WorkloadResult, p: Phase): number => r.phases.find((q) => q.phase === p)?.medianSeconds ?? NaN;
    for (let i = 1; i < rs.length; i++) {
      const a = rs[i - 1];
      const b = rs[i];
      t.push([kind, `marginal ${a.workload.slice(kind.length + 1)}→${b.workload.slice(kind.length + 1)}`, '',
        ...phases.map((p) => fmt(((seconds(b, p) - seconds(a, p)) * 1e9) / (b.packets - a.packets))), ...phases.map(() => '')]);
    }
  }
  process.stdout.write(t.toString() + '\n');
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('bench')
    .option('runs', { type: 'number', default: 3, describe: 'timed runs per phase (median reported), after one warm-up' })
    .option('only', { type: 'string', array: true, describe: 'workload names (comma or space separated)' })
    .option('phases', { type: 'string', describe: `comma-separated subset of ${PHASES.join(',')}` })
    .option('size-mb', { type: 'number', default: 1000, describe: 'size of the bulk workload and its variants, MB' })
    .option('quick', { type: 'boolean', default: false, describe: 'small sizes, one run, no warm-up: a smoke run' })
    .option('json', { type: 'boolean', default: false, describe: 'print JSON instead of the table' })
    .option('corners', { type: 'boolean', default: false, describe: 'adversarial shapes at growing sizes: cost per packet must stay flat' })
    .option('flat', { type: 'boolean', default: false, describe: 'bulk at --size-mb and at 4x side by side (peak RSS must stay flat)' })
    .option('peers', { type: 'boolean', default: false, describe: 'the CLI beside gopacket and tcpflow on real, small and many, with ratios' })
    .option('cli', { type: 'string', describe: '--peers: the tcpreasm CLI to run (default: this build\'s dist/cli/main.js)' })
    .option('tasks', { type: 'string', describe: "--peers: comma-separated tasks ('analyze json,analyze csv,analyze --top 1,export')" })
    .option('export-dir', { type: 'string', describe: '--peers: where both tools export (default: a tmpfs, /dev/shm, when there is one)' })
    .option('cache-dir', { type: 'string', default: defaultCacheDir(), describe: 'where generated captures are kept' })
    .strict()
    .help()
    .parseAsync();

  const quick = argv.quick;
  const runs = quick ? 1 : argv.runs;
  const warmup = quick ? 0 : 1;
  const sizeMB = quick && argv['size-mb'] === 1000 ? 50 : argv['size-mb'];
  const only = argv.only?.flatMap((s) => s.split(',')).filter((s) => s.length > 0);
  let phases: Phase[] = argv.phases ? (argv.phases.split(',') as Phase[]) : [...PHASES];
  for (const p of phases) if (!PHASES.includes(p)) throw new Error(`unknown phase ${p}`);

  const log = (s: string): void => void process.stderr.write(s + '\n');
  if (argv.peers) {
    const scratch = path.join(argv['cache-dir'], 'tmp');
    const settings: PeerSettings = {
      cli: path.resolve(argv.cli ?? DEFAULT_CLI), runs, warmup, scratch, exportDir: argv['export-dir'] ?? defaultExportDir(scratch),
      tasks: argv.tasks?.split(',').map((t) => t.trim()),
    };
    await runPeers(argv['cache-dir'], settings, only ?? ['real', 'small', 'many'], argv.json, log);
    return;
  }
  let workloads: Workload[];
  if (argv.corners) {
    workloads = cornerWorkloads(quick ? [2_000, 5_000, 10_000] : [10_000, 50_000, 100_000]);
    if (!argv.phases) phases = ['decode', 'analyze'];
  } else {
    workloads = standardWorkloads(quick
      ? { bulkMB: sizeMB, reorderMB: 20, smallPackets: 200_000, manyConnections: 50_000, manyConcurrency: 5_000 }
      : { bulkMB: sizeMB });
    if (argv.flat) {
      workloads = [workloads[0], { ...workloads[0], name: 'bulk-4x', description: `${4 * sizeMB} MB bulk transfers`, source: { kind: 'traffic', profile: bulkProfile(4 * sizeMB) } }];
      if (!argv.phases) phases = ['read', 'decode', 'analyze'];
    }
  }
  if (only) workloads = workloads.filter((w) => only.includes(w.name) || only.some((o) => w.name.startsWith(o + '-')) && argv.corners);
  if (workloads.length === 0) throw new Error('no workload selected');

  const scratch = path.join(argv['cache-dir'], 'tmp');
  fs.mkdirSync(scratch, { recursive: true });
  const results: WorkloadResult[] = [];
  for (const w of workloads) {
    const meta = await ensureWorkload(w, argv['cache-dir'], log);
    const r: WorkloadResult = {
      workload: w.name, description: w.description, file: meta.file, captureMB: meta.captureBytes / MB, fileMB: meta.fileBytes / MB,
      packets: meta.packets, connections: meta.connections, streamBytes: meta.streamBytes, phases: [],
    };
    for (const phase of phases) {
      // The plain copy writes what export wrote (or, without export, the workload's stream bytes).
      const exported = r.phases.find((p) => p.phase === 'export' && p.outputBytes > 0);
      const bytes = exported ? exported.outputBytes : meta.streamBytes;
      log(`${w.name}: ${phase}...`);
      const timed = summarise(runChild(meta, phase, runs, warmup, scratch, bytes), meta);
      // maxRSS only grows within a process, so the timed child's figure is the worst of warm-up and every run.
      // What a user running the tool once sees is one cold run in a fresh process: measure that separately.
      if (timed.error === undefined && timed.unavailable === undefined && phase !== 'scan' && phase !== 'copy') {
        timed.peakRssAllRunsMB = timed.peakRssMB;
        timed.peakRssMB = runChild(meta, phase, 1, 0, scratch, bytes).peakRss / 2 ** 20;
      }
      r.phases.push(timed);
    }
    const exp = r.phases.find((p) => p.phase === 'export');
    const copy = r.phases.find((p) => p.phase === 'copy');
    if (exp && copy && Number.isFinite(exp.medianSeconds) && Number.isFinite(copy.medianSeconds)) {
      exp.exportOverCopy = exp.medianSeconds / copy.medianSeconds;
    }
    results.push(r);
  }

  if (argv.json) {
    const machine = machineInfo();
    process.stdout.write(JSON.stringify({ machine, runs, warmup, phases, results }, null, 2) + '\n');
  } else if (argv.corners) {
    printCorners(results, phases);
  } else {
    printTable(results);
    process.stdout.write(`MB = 10^6 bytes of (decompressed) capture; median of ${runs} run(s) after ${warmup} warm-up; each phase in its own process.\n`);
  }
}

/** `--peers`: the real-traffic workload and the generated ones, each task beside its peer. */
async function runPeers(cacheDir: string, o: PeerSettings, only: string[], json: boolean, log: (s: string) => void): Promise<void> {
  const { runs, warmup, scratch } = o;
  fs.mkdirSync(scratch, { recursive: true });
  fs.mkdirSync(o.exportDir, { recursive: true });
  log(`tcpreasm: ${o.cli}; exports into ${o.exportDir}`);
  const peers = findPeers(cacheDir);
  for (const m of peers.missing) log(`not measured: ${m}`);
  const all = [realWorkload(), httpWorkload(), ...standardWorkloads()];
  const rows: PeerRow[] = [];
  for (const name of only) {
    const w = all.find((x) => x.name === name);
    if (!w) throw new Error(`unknown workload ${name} (${all.map((x) => x.name).join(', ')})`);
    const meta = await ensureWorkload(w, cacheDir, log);
    rows.push(...peerRows(meta, peers, o, log));
  }
  const sample = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../samples/ipv4-loss.pcap');
  if (fs.existsSync(sample)) rows.push(startupRow(sample, peers, o));
  if (o.tasks === undefined || o.tasks.includes('report')) {
    log('report page open in chromium...');
    const page = await pageOpenRow(o);
    if (typeof page === 'string') peers.missing.push(page);
    else rows.push(page);
  }
  if (json) {
    const machine = machineInfo();
    process.stdout.write(JSON.stringify({ machine, cli: o.cli, exportDir: o.exportDir, runs, warmup, rows, missing: peers.missing }, null, 2) + '\n');
  } else {
    printPeers(rows, peers.missing);
    process.stdout.write(`median of ${runs} run(s) after ${warmup} warm-up; wall time of the whole command; ratio = tcpreasm / peer.\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
