/**
 * Helpers of the end-to-end tests: the command line run in-process (its output collected) or, where a real
 * process is what is tested (help, version, stdin, signals, the exit status), the built CLI in a subprocess;
 * the samples' manifest and truth files. The suite's global setup builds dist/ first.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifest } from '../../lib/export/manifest.js';
import { manyProfile, writeCapture } from '../bench/workloads.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SAMPLES = join(ROOT, 'samples');
export const CLI = join(ROOT, 'dist/cli/main.js');

/** What a CLI run gave. */
export interface CliRun {
  code: number | null;
  stdout: string;
  /** Standard output as bytes (what `follow --as raw` writes). */
  stdoutBytes: Buffer;
  stderr: string;
}

/** Where a run may not be in-process: a real process is what these test. */
const PROCESS_ONLY = new Set(['--help', '-h', '--version', '-V', '-']);

/**
 * Runs the command line ARGS and collects its output: in-process through the commands' injectable output
 * (cli/program.ts `main`), or in a subprocess when it reads stdin, needs its own cwd or environment, asks for
 * help or the version (yargs prints those itself), or when `subprocess` is set.
 */
export async function cli(args: string[], opts: { stdin?: Buffer; cwd?: string; env?: NodeJS.ProcessEnv; subprocess?: boolean } = {}): Promise<CliRun> {
  const spawnIt = opts.subprocess === true || opts.stdin !== undefined || opts.cwd !== undefined || opts.env !== undefined || args.some((a) => PROCESS_ONLY.has(a));
  if (spawnIt) return spawnCli(args, opts);
  const { main } = await import('../../cli/program.js');
  const chunks: Buffer[] = [];
  let stderr = '';
  const io = { out: (t: string) => void chunks.push(Buffer.from(t)), bytes: (b: Uint8Array) => void chunks.push(Buffer.from(b)), err: (t: string) => void (stderr += t) };
  const outBytes = (): Buffer => Buffer.concat(chunks);
  try {
    const code = await main(args, io);
    return { code, stdout: outBytes().toString('utf8'), stdoutBytes: outBytes(), stderr };
  } catch (err) {
    // What the executable does with an exception (cli/main.ts).
    return { code: 70, stdout: outBytes().toString('utf8'), stdoutBytes: outBytes(), stderr: `${stderr}tcpreasm: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n` };
  }
}

/** Runs `node dist/cli/main.js ARGS` (optionally feeding stdin) and collects its output. */
export function spawnCli(args: string[], opts: { stdin?: Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does it)`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout: Buffer.concat(out).toString('utf8'), stdoutBytes: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => {}); // the CLI may exit before reading all of stdin (e.g. usage errors)
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();
  });
}

/** Runs jobs at most `n` at a time (the machine has 2 cores; subprocesses mostly wait on each other). */
export async function inParallel<T>(jobs: Array<() => Promise<T>>, n = 3): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, worker));
  return results;
}

export interface SampleEntry {
  file: string;
  format: 'pcap' | 'pcapng' | null;
  compressed: boolean;
  linkTypes: number[];
  truth: string | null;
  /** What the truth file holds: one row per stream, or one per HTTP exchange. */
  truthKind?: 'streams' | 'http-exchanges';
  base: string | null;
  records: number;
  connections?: number;
  snaplen?: number;
  missingBytes?: number;
  missing?: Array<{ cport: number; sport: number; direction: 'c2s' | 's2c'; length: number; missingBytes: number; conflictingBytes: number }>;
  damage?: { damageRecord: number; damageOffset: number; recordsBefore: number; recoverableAfter: number; diagnostic: string };
}

export function samples(): SampleEntry[] {
  return (JSON.parse(readFileSync(join(SAMPLES, 'manifest.json'), 'utf8')) as { samples: SampleEntry[] }).samples;
}

export interface TruthRow {
  cport: number;
  sport: number;
  c2s_len: number;
  c2s_sha256: string;
  s2c_len: number;
  s2c_sha256: string;
}

export function truth(file: string): TruthRow[] {
  return readFileSync(join(SAMPLES, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as TruthRow);
}

/** The rows of an export's manifest.jsonl. */
export function manifestRows(dir: string): ManifestRowJson[] {
  return parseManifest(readFileSync(join(dir, 'manifest.jsonl'), 'utf8')).rows as unknown as ManifestRowJson[];
}

export interface GapJson {
  offset: number;
  seq: number;
  length: number | null;
  time: string;
  epoch: string;
  filled: boolean;
}

export interface DirectionJson {
  file: string | null;
  bytes: number;
  dataBytes: number;
  sha256: string | null;
  complete: boolean;
  error: string | null;
  gaps: GapJson[];
  missingBytes: number;
  conflicts: Array<Record<string, unknown>>;
  stats: Record<string, number | boolean> | null;
}

export interface ManifestRowJson {
  id: number;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  vlan: number | null;
  state: string;
  firstTime: string;
  lastTime: string | null;
  c2s: DirectionJson;
  s2c: DirectionJson;
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `tcpreasm-e2e-${tag}-`));
}

/**
 * Writes at `path` a generated capture of `connections` short connections, `concurrency` of them open at once
 * (the bench's many-connections workload, smaller); returns the path.
 */
export function writeManyConnections(path: string, connections: number, concurrency = 400): string {
  writeCapture({ name: 'many', description: '', format: 'pcap', gzip: false, source: { kind: 'traffic', profile: manyProfile(connections, concurrency) } }, path);
  return path;
}

/** Whether this machine lets us mount a tmpfs: root (CI runs as root) with CAP_SYS_ADMIN. */
export function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const at = mkdtempSync(join(tmpdir(), 'tcpreasm-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', at], { stdio: 'ignore' });
    execFileSync('umount', [at], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(at, { recursive: true, force: true });
  }
}

/** Every sample capture (pcap, pcapng, gzip), the crafted and damaged ones too: what the runs in workers are compared on. */
export function sampleCaptures(): string[] {
  const captures = (d: string): string[] => readdirSync(d).filter((f) => /\.(pcap|pcapng|gz)$/.test(f)).map((f) => join(d, f));
  return [...captures(SAMPLES), ...captures(join(SAMPLES, 'crafted')), ...captures(join(SAMPLES, 'damaged'))];
}

/**
 * A report as JSON without what a run in workers reports otherwise: the engine's peaks (added up over the
 * workers), times, rates and the number of workers; `also` names more keys to leave out.
 */
export function withoutWorkerFigures(doc: unknown, also?: RegExp): string {
  return JSON.stringify(doc, (k, v: unknown) => (/Peak|^elapsedNs$|PerSecond$|^workers$/.test(k) || also?.test(k) === true ? undefined : v));
}

/**
 * A connection row without its page counts (`pagesPeak` of each direction, `peakPages`): a window read back
 * from a plain capture file holds no pages, so they are lower than for the same capture gzipped or piped.
 */
export function withoutPageCounts<T>(row: T): T {
  return JSON.parse(JSON.stringify(row, (k, v: unknown) => (k === 'pagesPeak' || k === 'peakPages' ? undefined : v))) as T;
}
