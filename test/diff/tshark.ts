/**
 * `npm run diff:tshark -- DIR...`: tcpreasm against Wireshark's Follow TCP Stream on every capture under the
 * folders given (or the files). For each capture, tcpreasm exports every connection (in-process, the CLI's own `export`) and
 * tshark follows every stream that carries payload (`-z follow,tcp,raw,N`). Directions are paired by
 * connection id and endpoints and compared gap-aware: tshark's raw follow writes a "[N bytes missing in capture
 * file]" marker where it saw a hole (the marker is removed here), and an export without `--fill-gaps` leaves
 * holes out, so the two byte strings must be equal.
 *
 * Prints agreement, mismatches by class, and each mismatch (capture, stream, direction, lengths, first
 * differing offset). Options: `--jobs N` (default 2), `--json FILE` (every comparison), `--limit N` captures,
 * `--list` (print every mismatch, not only the first 40).
 *
 * Needs tshark on PATH and the captures (suricata-verify, Zeek: never committed); not part of `npm test`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { main } from '../../cli/program.js';
import { parseManifest } from '../../lib/export/index.js';
import { parseFollow, type TsharkStream } from './tshark-follow-parse.js';


/** One connection of tcpreasm's manifest, with its two directions' bytes. */
interface ReasmConn {
  id: number;
  client: string;
  server: string;
  /** Bytes the client sent, and the server. */
  data: [Buffer, Buffer];
  used: boolean;
}

type Verdict = 'equal' | 'split' | 'differs' | 'unseen' | 'empty' | 'extra';

interface Comparison {
  capture: string;
  stream: number;
  reasmId: number | null;
  /** The sender of this direction, `addr:port`. */
  from: string;
  verdict: Verdict;
  tsharkBytes: number;
  reasmBytes: number;
  /** First offset where the two differ (the shorter length when one is a prefix of the other). */
  firstDiff: number | null;
  idDiffers: boolean;
}

const CAPTURE_EXT = /\.(pcap|pcapng|cap|trace|dmp)$/i;

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { maxBuffer: 1 << 30, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1;
      done({ code, stdout, stderr });
    });
  });
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && CAPTURE_EXT.test(e.name) && statSync(p).size > 24) out.push(p);
  }
}

/** Endpoint text as tshark prints it: IPv6 in brackets? No: tshark prints `addr:port` plainly for both. */
function endpoint(addr: string, port: number): string {
  return `${addr}:${port}`;
}

/** Stream ids that carry payload, then each followed, in batches of 64 streams per tshark run. */
async function tsharkStreams(file: string): Promise<TsharkStream[] | string> {
  const ids = await run('tshark', ['-n', '-r', file, '-Y', 'tcp.len > 0', '-T', 'fields', '-e', 'tcp.stream']);
  if (ids.code !== 0 && ids.stdout === '') return `tshark: ${ids.stderr.trim().split('\n')[0] ?? 'failed'}`;
  const set = new Set<number>();
  for (const line of ids.stdout.split('\n')) {
    // A tunnel carrying TCP in TCP lists two stream ids: the innermost one follows with its own payload.
    for (const f of line.split(',')) if (f !== '') set.add(Number(f));
  }
  const list = [...set].sort((a, b) => a - b);
  const out: TsharkStream[] = [];
  for (let i = 0; i < list.length; i += 64) {
    const args = ['-n', '-r', file, '-q'];
    for (const id of list.slice(i, i + 64)) args.push('-z', `follow,tcp,raw,${id}`);
    const r = await run('tshark', args);
    out.push(...parseFollow(r.stdout));
  }
  return out;
}

/** tshark writes IPv6 endpoints as `[addr]:port`; make both sides the same text. */
function normalEndpoint(e: string): string {
  const m = /^\[(.*)\]:(\d+)$/.exec(e);
  return m === null ? e : `${m[1]}:${m[2]}`;
}

async function reasmConnections(file: string): Promise<ReasmConn[] | string> {
  const dir = mkdtempSync(join(tmpdir(), 'diff-tshark-'));
  try {
    let err = '';
    const code = await main(['export', file, '-o', join(dir, 'out'), '-q', '--format', 'json'], { out: () => {}, err: (t: string) => void (err += t) });
    if (code !== 0 && code !== 3) return `tcpreasm exit ${code}: ${err.trim().split('\n')[0] ?? ''}`;
    let text = '';
    try {
      text = readFileSync(join(dir, 'out', 'manifest.jsonl'), 'utf8');
    } catch {
      return [];
    }
    const read = (f: string | null) => (f === null ? Buffer.alloc(0) : readFileSync(join(dir, 'out', f)));
    return parseManifest(text).rows.map((m) => {
        return { id: m.id, client: endpoint(m.client, m.clientPort), server: endpoint(m.server, m.serverPort), data: [read(m.c2s.file), read(m.s2c.file)] as [Buffer, Buffer], used: false };
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function firstDiff(a: Buffer, b: Buffer): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? null : n;
}

/** Compares one capture: every tshark direction with payload, then tcpreasm directions left over. */
function compare(capture: string, ts: TsharkStream[], rs: ReasmConn[]): Comparison[] {
  const out: Comparison[] = [];
  const byId = new Map<number, ReasmConn[]>();
  for (const r of rs) {
    const l = byId.get(r.id) ?? [];
    l.push(r);
    byId.set(r.id, l);
  }
  const sameEnds = (r: ReasmConn, a: string, b: string) => (r.client === a && r.server === b) || (r.client === b && r.server === a);
  for (const t of ts) {
    const n0 = normalEndpoint(t.nodes[0]);
    const n1 = normalEndpoint(t.nodes[1]);
    let r = (byId.get(t.id) ?? []).find((c) => !c.used && sameEnds(c, n0, n1));
    r ??= rs.find((c) => !c.used && sameEnds(c, n0, n1));
    if (r !== undefined) r.used = true;
    for (const d of [0, 1] as const) {
      const want = t.data[d];
      if (want.length === 0) continue;
      const from = d === 0 ? n0 : n1;
      if (r === undefined) {
        out.push({ capture, stream: t.id, reasmId: null, from, verdict: 'unseen', tsharkBytes: want.length, reasmBytes: 0, firstDiff: 0, idDiffers: false });
        continue;
      }
      const got = r.data[r.client === from ? 0 : 1];
      const fd = firstDiff(want, got);
      let verdict: Verdict = fd === null ? 'equal' : got.length === 0 ? 'empty' : 'differs';
      if (verdict === 'empty') {
        // The bytes may be whole in another connection on the same endpoints: the two cut connections apart
        // differently (a VLAN one way only, a reset and a new connection), the bytes agree.
        const other = rs.find((c) => c !== r && sameEnds(c, n0, n1) && c.data[c.client === from ? 0 : 1].equals(want));
        if (other !== undefined) {
          other.data[other.client === from ? 0 : 1] = Buffer.alloc(0);
          verdict = 'split';
        }
      }
      out.push({ capture, stream: t.id, reasmId: r.id, from, verdict, tsharkBytes: want.length, reasmBytes: got.length, firstDiff: fd, idDiffers: r.id !== t.id });
    }
    // A direction tshark saw empty but tcpreasm filled.
    if (r !== undefined) {
      for (const d of [0, 1] as const) {
        const from = d === 0 ? n0 : n1;
        const got = r.data[r.client === from ? 0 : 1];
        if (t.data[d].length === 0 && got.length > 0) out.push({ capture, stream: t.id, reasmId: r.id, from, verdict: 'extra', tsharkBytes: 0, reasmBytes: got.length, firstDiff: 0, idDiffers: r.id !== t.id });
      }
    }
  }
  for (const r of rs) {
    if (r.used) continue;
    for (const d of [0, 1] as const) {
      if (r.data[d].length > 0) out.push({ capture, stream: -1, reasmId: r.id, from: d === 0 ? r.client : r.server, verdict: 'extra', tsharkBytes: 0, reasmBytes: r.data[d].length, firstDiff: 0, idDiffers: false });
    }
  }
  return out;
}

async function pool<T>(items: T[], jobs: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: jobs }, worker));
}

async function cliMain(argv: string[]): Promise<number> {
  const dirs: string[] = [];
  let jobs = 2;
  let json: string | null = null;
  let limit = Infinity;
  let list = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--jobs') jobs = Number(argv[++i]);
    else if (a === '--json') json = argv[++i]!;
    else if (a === '--limit') limit = Number(argv[++i]);
    else if (a === '--list') list = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run diff:tshark -- [--jobs N] [--json FILE] [--limit N] [--list] DIR|FILE...\n');
      return 0;
    } else dirs.push(a);
  }
  if (dirs.length === 0) {
    process.stderr.write('diff:tshark: give one or more folders of captures\n');
    return 2;
  }
  const files: string[] = [];
  for (const d of dirs) {
    if (statSync(d).isDirectory()) walk(d, files);
    else files.push(d);
  }
  files.sort();
  const chosen = files.slice(0, limit);
  const all: Comparison[] = [];
  const failures: string[] = [];
  let done = 0;
  const started = Date.now();
  await pool(chosen, jobs, async (file) => {
    const name = relative(process.cwd(), file);
    const [ts, rs] = [await tsharkStreams(file), await reasmConnections(file)];
    if (typeof ts === 'string') failures.push(`${name}: ${ts}`);
    else if (typeof rs === 'string') failures.push(`${name}: ${rs}`);
    else all.push(...compare(name, ts, rs));
    done++;
    if (process.stderr.isTTY) process.stderr.write(`\r${done}/${chosen.length} captures`);
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const count = (v: Verdict) => all.filter((c) => c.verdict === v).length;
  const bytes = (v: Verdict) => all.filter((c) => c.verdict === v).reduce((n, c) => n + c.tsharkBytes, 0);
  const compared = all.filter((c) => c.verdict !== 'extra');
  const lines = [
    `captures: ${chosen.length} (${failures.length} not compared) in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    `tshark directions with payload: ${compared.length}`,
    `  equal:   ${count('equal')}`,
    `  split:   ${count('split')} (equal bytes, in another connection on the same endpoints)`,
    `  differs: ${count('differs')}`,
    `  empty in tcpreasm: ${count('empty')} (${bytes('empty')} bytes)`,
    `  unseen by tcpreasm: ${count('unseen')} (${bytes('unseen')} bytes, ${new Set(all.filter((c) => c.verdict === 'unseen').map((c) => `${c.capture}#${c.stream}`)).size} streams)`,
    `tcpreasm directions tshark has no payload for: ${count('extra')}`,
    `paired directions whose connection id differs from tcp.stream: ${all.filter((c) => c.idDiffers).length}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const bad = all.filter((c) => c.verdict !== 'equal' && c.verdict !== 'split');
  const shown = list ? bad : bad.slice(0, 40);
  for (const c of shown) {
    process.stdout.write(`${c.verdict.padEnd(7)} ${c.capture} stream ${c.stream} (tcpreasm ${c.reasmId ?? '-'}) from ${c.from}: tshark ${c.tsharkBytes} B, tcpreasm ${c.reasmBytes} B, first difference at ${c.firstDiff ?? '-'}\n`);
  }
  if (bad.length > shown.length) process.stdout.write(`... ${bad.length - shown.length} more (--list)\n`);
  for (const f of failures.slice(0, list ? Infinity : 20)) process.stdout.write(`not compared: ${f}\n`);
  if (json !== null) writeFileSync(json, JSON.stringify({ comparisons: all, failures }, null, 1));
  return 0;
}

// `| head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await cliMain(process.argv.slice(2));
