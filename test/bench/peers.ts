/**
 * `npm run bench -- --peers`: the CLI as a user runs it, side by side with the tools a user would otherwise run
 * (gopacket's reassembly through `../shared/tools/gopacket-ref`, and tcpflow), on the same file, their runs in
 * turns, so each ratio holds whatever the machine is doing. Every command runs once to warm the page cache,
 * then `runs` times; the median wall time, the peak RSS (GNU time's %M) and the median of the pairs' ratios
 * are reported.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { toolsDir } from './real-capture.js';
import { removeTree } from './remove-tree.js';
import type { WorkloadMeta } from './workloads.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The CLI as `npm run build` makes it (bundled), from the package root two levels above dist-tools/test/bench. */
export const DEFAULT_CLI = path.resolve(HERE, '../../../dist/cli/main.js');
const GNU_TIME = '/usr/bin/time';

/** What the peer runs are given. */
export interface PeerSettings {
  /** The tcpreasm CLI to run (another build's dist/cli/main.js for a before/after comparison). */
  cli: string;
  runs: number;
  warmup: number;
  /** Scratch files (timing output, the one-packet capture). */
  scratch: string;
  /**
   * Where both tools export. Default a tmpfs (/dev/shm) when there is one: creating a file on this machine's
   * ext4 costs 0.9 ms of kernel time, which would measure the disk, not the tools, and make the 2M files of
   * `many` a half-hour run for each.
   */
  exportDir: string;
  /** Only these tasks (`analyze json`, `analyze csv`, `analyze json --workers 2`, `analyze --top 1`, `export`, `report`, ...); all when absent. */
  tasks?: string[];
}

/** A tmpfs to export into when the machine has one, else the scratch folder. */
export function defaultExportDir(scratch: string): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm/tcpreasm-bench';
  } catch {
    return scratch;
  }
}

/** One command's timing. */
export interface Timing {
  seconds: number;
  runSeconds: number[];
  /** Peak RSS in MB, from GNU time (NaN without it). */
  peakRssMB: number;
  error?: string;
}

/** One row of the table: a tcpreasm task and, when there is one, the peer doing the same work. */
export interface PeerRow {
  workload: string;
  task: string;
  tcpreasm: Timing;
  peer?: string;
  peerTiming?: Timing;
  /** tcpreasm seconds over peer seconds. */
  ratio?: number;
  /** The target for the ratio (or, for startup, for tcpreasm's seconds). */
  target?: number;
  targetKind?: 'ratio' | 'seconds';
}

interface Command {
  argv: string[];
  /** A folder emptied before every run (outside the timing) and removed afterwards. */
  outDir?: string;
}

function runOnce(c: Command, devNull: number, timeFile: string): { ms: number; rssKB: number; error?: string } {
  if (c.outDir) removeTree(c.outDir);
  const useTime = fs.existsSync(GNU_TIME);
  const argv = useTime ? [GNU_TIME, '-f', '%M', '-o', timeFile, ...c.argv] : c.argv;
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', devNull, 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  // Gone before the next command runs: a tmpfs holds one folder of the many workload's 2M files, not two.
  if (c.outDir) removeTree(c.outDir);
  const rssKB = useTime ? Number(fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()) : NaN;
  const error = r.status === 0 ? undefined : `exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().slice(-300)}`;
  return { ms, rssKB, error };
}

/** Timed runs of one command: the median wall time and the largest peak RSS. */
class Runs {
  private readonly secs: number[] = [];
  private rss = 0;
  error?: string;

  constructor(private readonly c: Command) {}

  /** One run (not counted when `warm`); false once a run failed. */
  run(devNull: number, timeFile: string, warm: boolean): boolean {
    const r = runOnce(this.c, devNull, timeFile);
    if (r.error !== undefined) {
      this.error = r.error;
      return false;
    }
    if (!warm) {
      this.secs.push(r.ms / 1000);
      this.rss = Math.max(this.rss, r.rssKB);
    }
    return true;
  }

  /** The seconds of each counted run, in order. */
  get runSeconds(): number[] {
    return this.secs;
  }

  timing(): Timing {
    if (this.error !== undefined) return { seconds: NaN, runSeconds: this.secs, peakRssMB: NaN, error: this.error };
    return { seconds: median(this.secs), runSeconds: this.secs, peakRssMB: (this.rss * 1024) / 2 ** 20 };
  }
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1]!;
}

/** Runs `each(devNull, timeFile)` with /dev/null and a GNU time output file open, then cleans up after `dirs`. */
function withRunFiles<T>(scratch: string, dirs: Array<string | undefined>, each: (devNull: number, timeFile: string) => T): T {
  const devNull = fs.openSync('/dev/null', 'w');
  const timeFile = path.join(scratch, `time-${process.pid}.txt`);
  try {
    return each(devNull, timeFile);
  } finally {
    fs.closeSync(devNull);
    for (const d of dirs) if (d !== undefined) removeTree(d);
  }
}

/** Warm-up, then `runs` timed runs; the median wall time and the largest peak RSS. */
export function time(c: Command, runs: number, warmup: number, scratch: string): Timing {
  return withRunFiles(scratch, [c.outDir], (devNull, timeFile) => {
    const r = new Runs(c);
    for (let i = 0; i < warmup + runs && r.run(devNull, timeFile, i < warmup); i++);
    return r.timing();
  });
}

/**
 * tcpreasm and its peer in turns: both warm up, then tcpreasm, peer, tcpreasm, peer, ... Each pair ran at
 * nearly the same moment, so the ratio (the median of the pairs' ratios) holds through the minutes this shared
 * machine is slower; timing one tool's runs and then the other's let such a stretch land on one side (a small
 * analyze once read 1.48 that alternated runs put at 0.9 to 1.1).
 */
export function timeInTurns(mine: Command, peer: Command, runs: number, warmup: number, scratch: string): { mine: Timing; peer: Timing; ratio: number } {
  return withRunFiles(scratch, [mine.outDir, peer.outDir], (devNull, timeFile) => {
    const a = new Runs(mine);
    const b = new Runs(peer);
    for (let i = 0; i < warmup + runs; i++) {
      if (!a.run(devNull, timeFile, i < warmup) || !b.run(devNull, timeFile, i < warmup)) break;
    }
    const ratios = a.runSeconds.map((s, i) => s / b.runSeconds[i]!).filter((r) => Number.isFinite(r));
    return { mine: a.timing(), peer: b.timing(), ratio: ratios.length > 0 ? median(ratios) : NaN };
  });
}

/** Where the peers are, or why one is missing. */
export interface Peers {
  gopacket?: string;
  tcpflow?: string;
  missing: string[];
}

function onPath(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p !== '' ? p : undefined;
}

/** Builds the gopacket reference into the cache (again when its source is newer) and finds tcpflow. */
export function findPeers(cacheDir: string): Peers {
  const missing: string[] = [];
  let gopacket: string | undefined;
  const src = path.join(toolsDir(), 'gopacket-ref');
  const out = path.join(cacheDir, 'peers', 'gopacket-ref');
  if (!fs.existsSync(path.join(src, 'build.sh'))) {
    missing.push(`gopacket: ${src}/build.sh not found (set TCPREASM_TOOLS)`);
  } else {
    const fresh = fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(path.join(src, 'main.go')).mtimeMs;
    if (!fresh) {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      const r = spawnSync('bash', [path.join(src, 'build.sh'), out], { encoding: 'utf8' });
      if (r.status !== 0) missing.push('gopacket: build failed; apt-get install -y golang-go golang-github-google-gopacket-dev libpcap-dev');
    }
    if (fs.existsSync(out)) gopacket = out;
  }
  const tcpflow = onPath('tcpflow');
  if (!tcpflow) missing.push('tcpflow: apt-get install -y tcpflow');
  if (!fs.existsSync(GNU_TIME)) missing.push('peak RSS: apt-get install -y time');
  return { gopacket, tcpflow, missing };
}

/** Targets of the performance issue: ratios against the peer; startup in seconds. */
const TARGETS: Record<string, Record<string, number>> = {
  real: { 'analyze json': 0.8, 'analyze csv': 0.8, 'analyze json --workers 2': 0.8, 'analyze csv --workers 2': 0.8, export: 1.0, 'export --workers 2': 1.0 },
  bulk: { 'analyze json': 0.8, 'analyze csv': 0.8, 'analyze json --workers 2': 0.8, 'analyze csv --workers 2': 0.8, export: 1.0, 'export --workers 2': 1.0 },
  small: { 'analyze json': 1.0, 'analyze csv': 1.0, 'analyze json --workers 2': 1.0, 'analyze csv --workers 2': 1.0, export: 1.0, 'export --workers 2': 1.0 },
  // The http command against tcpreasm's own export of the same capture (the HTTP issue's bar).
  http: { http: 1.5, 'http -o': 1.5 },
  // report: against tcpreasm's own analyze json of the same file (the report issue's bar).
  many: { 'analyze json': 0.6, 'analyze csv': 0.6, 'analyze json --workers 2': 0.6, 'analyze csv --workers 2': 0.6, 'analyze --top 1': 0.6, export: 1.0, 'export --workers 2': 1.0, report: 1.5 },
};

/** The first record of a sample as a capture of its own: what startup costs. */
export function onePacketCapture(sample: string, file: string): string {
  const b = fs.readFileSync(sample);
  const len = b.readUInt32LE(24 + 8);
  fs.writeFileSync(file, b.subarray(0, 24 + 16 + len));
  return file;
}

/**
 * Runs every task of one workload, each in turns with its peer (gopacket for analyze, tcpflow for export; see
 * timeInTurns), so every row has its own peer runs from the same minutes.
 */
export function peerRows(w: WorkloadMeta, peers: Peers, o: PeerSettings, log: (s: string) => void): PeerRow[] {
  const { runs, warmup, scratch } = o;
  const node = process.execPath;
  const out = path.join(o.exportDir, 'tcpreasm-out');
  // The peer exports into its own folder: both are emptied before every run, outside the timing.
  const peerOut = path.join(o.exportDir, 'peer-out');
  const rows: PeerRow[] = [];
  const targets = TARGETS[w.name] ?? {};
  const tasks: { task: string; argv: string[]; outDir?: string; peer?: 'gopacket' | 'tcpflow' }[] = [
    { task: 'analyze json', argv: ['analyze', '--format', 'json', w.file], peer: 'gopacket' },
    { task: 'analyze csv', argv: ['analyze', '--format', 'csv', w.file], peer: 'gopacket' },
    // The same on both cores of this machine: connections shared out over two worker threads.
    { task: 'analyze json --workers 2', argv: ['analyze', '--format', 'json', '--workers', '2', w.file], peer: 'gopacket' },
    { task: 'analyze csv --workers 2', argv: ['analyze', '--format', 'csv', '--workers', '2', w.file], peer: 'gopacket' },
    ...(w.connections > 100_000 ? [{ task: 'analyze --top 1', argv: ['analyze', '--top', '1', w.file], peer: 'gopacket' as const }] : []),
    { task: 'export', argv: ['export', w.file, '-o', out], outDir: out, peer: 'tcpflow' },
    { task: 'export --workers 2', argv: ['export', '--workers', '2', w.file, '-o', out], outDir: out, peer: 'tcpflow' },
  ];
  for (const t of tasks) {
    if (o.tasks !== undefined && !o.tasks.includes(t.task)) continue;
    const mineCmd: Command = { argv: [node, o.cli, ...t.argv], outDir: t.outDir };
    const row: PeerRow = { workload: w.name, task: t.task, tcpreasm: { seconds: NaN, runSeconds: [], peakRssMB: NaN }, target: targets[t.task], targetKind: 'ratio' };
    const peerCmd: Command | undefined =
      t.peer === 'gopacket' && peers.gopacket
        ? { argv: [peers.gopacket, w.file] }
        : t.peer === 'tcpflow' && peers.tcpflow
          ? { argv: [peers.tcpflow, '-r', w.file, '-o', peerOut], outDir: peerOut }
          : undefined;
    if (peerCmd === undefined) {
      log(`${w.name}: tcpreasm ${t.task}...`);
      row.tcpreasm = time(mineCmd, runs, warmup, scratch);
    } else {
      log(`${w.name}: tcpreasm ${t.task} and ${t.peer}, in turns...`);
      const turns = timeInTurns(mineCmd, peerCmd, runs, warmup, scratch);
      row.tcpreasm = turns.mine;
      row.peer = t.peer;
      row.peerTiming = turns.peer;
      row.ratio = turns.ratio;
    }
    rows.push(row);
  }
  const analyzed = rows.find((r) => r.task === 'analyze json');
  if (analyzed !== undefined && (o.tasks === undefined || o.tasks.includes('report'))) {
    log(`${w.name}: tcpreasm report...`);
    const page = path.join(o.exportDir, 'report.html');
    const mine = time({ argv: [node, o.cli, 'report', w.file, '-o', page, '--force', '-q'] }, runs, warmup, scratch);
    fs.rmSync(page, { force: true });
    rows.push({ workload: w.name, task: 'report', tcpreasm: mine, peer: 'tcpreasm analyze json', peerTiming: analyzed.tcpreasm, ratio: mine.seconds / analyzed.tcpreasm.seconds, target: targets.report, targetKind: 'ratio' });
  }
  const exported = rows.find((r) => r.task === 'export');
  if (w.name === 'http' && exported !== undefined) {
    const objects = path.join(o.exportDir, 'http-out');
    for (const t of [
      { task: 'http', argv: ['http', w.file, '--format', 'csv'] },
      { task: 'http -o', argv: ['http', w.file, '-o', objects, '--format', 'csv'], outDir: objects },
    ]) {
      log(`${w.name}: tcpreasm ${t.task}...`);
      const mine = time({ argv: [node, o.cli, ...t.argv], outDir: t.outDir }, runs, warmup, scratch);
      rows.push({ workload: w.name, task: t.task, tcpreasm: mine, peer: 'tcpreasm export', peerTiming: exported.tcpreasm, ratio: mine.seconds / exported.tcpreasm.seconds, target: targets[t.task], targetKind: 'ratio' });
    }
  }
  return rows;
}

/** Startup: analyze of a one-packet capture, against the 150 ms. */
export function startupRow(sample: string, peers: Peers, o: PeerSettings): PeerRow {
  const { runs, scratch } = o;
  const file = onePacketCapture(sample, path.join(scratch, 'one-packet.pcap'));
  const mine = time({ argv: [process.execPath, o.cli, 'analyze', file] }, Math.max(runs, 9), 1, scratch);
  const row: PeerRow = { workload: '1 packet', task: 'analyze (startup)', tcpreasm: mine, target: 0.15, targetKind: 'seconds' };
  if (peers.gopacket) {
    row.peer = 'gopacket';
    row.peerTiming = time({ argv: [peers.gopacket, file] }, Math.max(runs, 9), 1, scratch);
    row.ratio = mine.seconds / row.peerTiming.seconds;
  }
  return row;
}

const s = (x: number | undefined, d = 2): string => (x !== undefined && Number.isFinite(x) ? x.toFixed(d) : '');

/** The table: one row a task, its ratio and whether the target is met. */
export function printPeers(rows: PeerRow[], missing: string[]): void {
  const t = new Table({
    head: ['workload', 'task', 'tcpreasm s', 'RSS MB', 'peer', 'peer s', 'peer RSS MB', 'ratio', 'target', 'met'],
    style: { head: [], border: [], compact: true },
  });
  for (const r of rows) {
    const value = r.targetKind === 'seconds' ? r.tcpreasm.seconds : r.ratio;
    const met = r.target === undefined || value === undefined || !Number.isFinite(value) ? '' : value <= r.target ? 'yes' : 'no';
    const target = r.target === undefined ? '' : r.targetKind === 'seconds' ? `${r.target} s` : `≤${r.target}`;
    t.push([
      r.workload, r.task,
      r.tcpreasm.error ? `ERROR ${r.tcpreasm.error.slice(0, 40)}` : s(r.tcpreasm.seconds, 3), s(r.tcpreasm.peakRssMB, 0),
      r.peer ?? '', r.peerTiming?.error ? `ERROR ${r.peerTiming.error.slice(0, 40)}` : s(r.peerTiming?.seconds, 3), s(r.peerTiming?.peakRssMB, 0),
      s(r.ratio), target, met,
    ]);
  }
  process.stdout.write(t.toString() + '\n');
  for (const m of missing) process.stdout.write(`not measured: ${m}\n`);
}
