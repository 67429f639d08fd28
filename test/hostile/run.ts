/**
 * `npm run hostile [-- --cli PATH] [--only a,b] [--table-rows N] [--json FILE]`: builds each hostile input of the hostile-
 * conditions issue, runs the CLI on it as a user would (a child process, GNU time for the peak RSS), and
 * prints a table: peak RSS, time, exit code, what was lost or written, and whether it held its limit.
 * `--cli` runs another build (an older checkout's dist/cli/main.js) for a before/after comparison.
 *
 * Needs GNU time (/usr/bin/time); the full-disk scenario needs root (a 2 MiB tmpfs). Outputs go to a 1 GiB
 * tmpfs when root, so an unbounded build cannot fill the real disk. Takes a few minutes; not part of npm test.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as gen from './inputs.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const CLI = resolve(opt('--cli') ?? 'dist/cli/main.js');
const only = opt('--only')?.split(',') ?? null;
/** Rows of the table scenario (an old build draws a million rows in minutes). */
const tableRows = Number(opt('--table-rows') ?? 1_000_000);
const isRoot = process.getuid?.() === 0;
const MB = 1e6;

const work = mkdtempSync(join(tmpdir(), 'tcpreasm-hostile-'));
const outRoot = join(work, 'out');
mkdirSync(outRoot);
if (isRoot) execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1g', 'tmpfs', outRoot]);

interface Run {
  code: number;
  signal: string | null;
  rssKB: number;
  sec: number;
  stdout: string;
  stderr: string;
}

/** Runs a shell command line under GNU time; `kill` sends a signal to the CLI after that many ms. */
function sh(cmd: string, kill?: { ms: number; signal: NodeJS.Signals }): Promise<Run> {
  return new Promise((done) => {
    const timeFile = join(work, 'time.txt');
    const child = spawn('sh', ['-c', `exec /usr/bin/time -o ${timeFile} -f '%M %e' ${cmd}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout.length < 4 * MB ? (stdout += d.toString()) : undefined));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timer: NodeJS.Timeout | undefined;
    if (kill !== undefined) {
      // GNU time forwards nothing: signal its child, the CLI.
      timer = setTimeout(() => {
        try {
          execFileSync('pkill', [`-${kill.signal.replace('SIG', '')}`, '-P', String(child.pid)]);
        } catch {
          // Already gone.
        }
      }, kill.ms);
    }
    child.on('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      const t = existsSync(timeFile) ? readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ') : ['0', '0'];
      // GNU time writes "Command exited with non-zero status N" first; the CLI's code is ours.
      done({ code: code ?? -1, signal, rssKB: Number(t[0]), sec: Number(t[1]), stdout, stderr });
    });
  });
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const tcpreasm = (...a: string[]) => `node ${q(CLI)} ${a.map(q).join(' ')}`;
const input = (name: string) => join(work, name);
const outDir = (name: string) => {
  const d = join(outRoot, name);
  rmSync(d, { recursive: true, force: true });
  return d;
};
function du(dir: string): number {
  let n = 0;
  if (!existsSync(dir)) return 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? du(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}
/** Manifest lines: whole JSON each? the end record's status, rows. */
function manifest(dir: string): { rows: number; whole: boolean; end: string } {
  const f = join(dir, 'manifest.jsonl');
  if (!existsSync(f)) return { rows: 0, whole: false, end: 'no manifest' };
  const text = readFileSync(f, 'utf8');
  let rows = 0;
  let end = 'no end record';
  let whole = text === '' || text.endsWith('\n');
  for (const l of text.split('\n')) {
    if (l === '') continue;
    try {
      const v = JSON.parse(l) as { end?: { status: string; reason?: string } };
      if (v.end !== undefined) end = v.end.status;
      else rows++;
    } catch {
      whole = false;
    }
  }
  return { rows, whole, end };
}

/** Bytes of the client-to-server files the manifest lists. */
function clientBytes(dir: string): number {
  const f = join(dir, 'manifest.jsonl');
  if (!existsSync(f)) return 0;
  let n = 0;
  for (const l of readFileSync(f, 'utf8').split('\n')) {
    if (l === '') continue;
    const v = JSON.parse(l) as { c2s?: { file: string | null } };
    if (v.c2s?.file != null) n += statSync(join(dir, v.c2s.file)).size;
  }
  return n;
}

interface Result {
  scenario: string;
  item: number;
  limit: string;
  rssMB: number;
  sec: number;
  exit: string;
  outcome: string;
  held: boolean;
}

type Scenario = { name: string; item: number; limit: string; run: () => Promise<Omit<Result, 'scenario' | 'item' | 'limit'>> };
const exitText = (r: Run) => (r.signal !== null ? r.signal : String(r.code));
const base = (r: Run) => ({ rssMB: Math.round(r.rssKB / 1024), sec: r.sec, exit: exitText(r) });
const summaryOf = (r: Run): { bytesReassembled: number } | null => {
  try {
    return (JSON.parse(r.stdout) as { summary: { bytesReassembled: number } }).summary;
  } catch {
    return null;
  }
};

const scenarios: Scenario[] = [
  {
    name: 'stdin',
    item: 1,
    limit: 'RSS < 256 MB, same bytes as by name',
    run: async () => {
      const f = input('bulk.pcap');
      if (!existsSync(f)) gen.bulk(f, 40, 25_000_000);
      const named = await sh(tcpreasm('analyze', f, '--format', 'json', '--top', '0', '-q'));
      const piped = await sh(`sh -c ${q(`cat ${q(f)} | ${tcpreasm('analyze', '-', '--format', 'json', '--top', '0', '-q')}`)}`);
      const a = summaryOf(named)?.bytesReassembled;
      const b = summaryOf(piped)?.bytesReassembled;
      const r = base(piped);
      return { ...r, outcome: `${(statSync(f).size / MB).toFixed(0)} MB piped; by name ${Math.round(named.rssKB / 1024)} MB; bytes ${a === b ? 'equal' : `${a} vs ${b}`}`, held: r.rssMB < 256 && a === b && a !== undefined };
    },
  },
  {
    name: 'fill-bomb',
    item: 2,
    limit: 'zeros <= 64 MiB + payload',
    run: async () => {
      const f = input('fill-bomb.pcap');
      const made = gen.fillBomb(f, 4, 100);
      const o = outDir('fill-bomb');
      const r = await sh(tcpreasm('export', f, '-o', o, '--fill-gaps', '-q'));
      const size = du(o);
      return { ...base(r), outcome: `${(made.bytes / 1e3).toFixed(1)} kB capture -> ${(size / MB).toFixed(1)} MB written`, held: size <= 64 * 2 ** 20 + made.payload + 1 * MB && r.code !== 70 };
    },
  },
  {
    name: 'full-disk',
    item: 3,
    limit: 'whole manifest, end record, exit 4',
    run: async () => {
      if (!isRoot) return { rssMB: 0, sec: 0, exit: '-', outcome: 'skipped: needs root', held: false };
      const f = input('bulk-small.pcap');
      if (!existsSync(f)) gen.bulk(f, 60, 66_000);
      const mnt = join(work, 'small-fs');
      mkdirSync(mnt, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
      try {
        const o = join(mnt, 'out');
        const r = await sh(tcpreasm('export', f, '-o', o, '-q'));
        const m = manifest(o);
        const files = existsSync(o) ? readdirSync(o).filter((n) => n !== 'manifest.jsonl' && !n.startsWith('.')).length : 0;
        return { ...base(r), outcome: `${files} files, ${m.rows} rows, lines ${m.whole ? 'whole' : 'CUT'}, end: ${m.end}`, held: r.code === 4 && m.whole && m.end === 'stopped' };
      } finally {
        execFileSync('umount', [mnt]);
      }
    },
  },
  {
    name: 'symlink',
    item: 4,
    limit: 'a file outside untouched',
    run: async () => {
      const f = input('bulk-small.pcap');
      if (!existsSync(f)) gen.bulk(f, 60, 66_000);
      const o = outDir('symlink');
      mkdirSync(o);
      const victim = join(work, 'victim.txt');
      writeFileSync(victim, 'precious\n');
      symlinkSync(victim, join(o, 'manifest.jsonl'));
      const r = await sh(tcpreasm('export', f, '-o', o, '--force', '-q'));
      const kept = readFileSync(victim, 'utf8') === 'precious\n';
      return { ...base(r), outcome: kept ? 'victim untouched' : 'VICTIM OVERWRITTEN', held: kept };
    },
  },
  {
    name: 'sigterm',
    item: 5,
    limit: 'exit 143, whole manifest, interrupted',
    run: async () => {
      const f = input('bulk.pcap');
      if (!existsSync(f)) gen.bulk(f, 40, 25_000_000);
      const o = outDir('sigterm');
      const r = await sh(tcpreasm('export', f, '-o', o, '-q'), { ms: 1500, signal: 'SIGTERM' });
      const m = manifest(o);
      return { ...base(r), outcome: `${m.rows} rows, lines ${m.whole ? 'whole' : 'CUT'}, end: ${m.end}`, held: r.code === 143 && m.whole && m.end === 'interrupted' };
    },
  },
  {
    name: 'port-reuse',
    item: 6,
    limit: '6,000 connections named in < 10 s',
    run: async () => {
      const f = input('port-reuse.pcap');
      // Ports 40000 and 40000 + 4096: one slot of the old 4096-slot direct-mapped hint table.
      gen.portReuse(f, 6000, 40000, 44096);
      const o = outDir('port-reuse');
      const r = await sh(tcpreasm('export', f, '-o', o, '-q'));
      const m = manifest(o);
      return { ...base(r), outcome: `${m.rows} rows`, held: r.code === 0 && m.rows === 6000 && r.sec < 10 };
    },
  },
  {
    name: 'forged-rst',
    item: 7,
    limit: 'the stream after a forged RST kept',
    run: async () => {
      const f = input('forged-rst.pcap');
      const made = gen.forgedRst(f, 1000);
      const o = outDir('forged-rst');
      const r = await sh(tcpreasm('export', f, '-o', o, '-q'));
      const got = clientBytes(o);
      return { ...base(r), outcome: `${got} of ${made.stream} bytes`, held: got === made.stream };
    },
  },
  {
    name: 'seq-ahead',
    item: 8,
    limit: 'forged data 8 MiB ahead not in the stream',
    run: async () => {
      const f = input('seq-ahead.pcap');
      const made = gen.seqAhead(f, 1000);
      const o = outDir('seq-ahead');
      const r = await sh(tcpreasm('export', f, '-o', o, '-q'));
      const got = clientBytes(o);
      return { ...base(r), outcome: `${got} bytes written of ${made.stream} sent`, held: got === made.stream };
    },
  },
  {
    name: 'table',
    item: 9,
    limit: '>= 100k rows/s',
    run: async () => {
      const f = input('many.pcap');
      gen.manyShort(f, tableRows);
      const none = await sh(tcpreasm('analyze', f, '--top', '0', '-q'));
      const r = await sh(`${tcpreasm('analyze', f, '-q')} > /dev/null`);
      const rate = tableRows / Math.max(0.001, r.sec - none.sec);
      return { ...base(r), outcome: `${tableRows.toLocaleString('en-US')} rows; ${Math.round(rate / 1000)}k rows/s beyond --top 0 (${none.sec} s)`, held: r.code === 0 && rate >= 100_000 };
    },
  },
  {
    name: 'warnings',
    item: 9,
    limit: '<= 20 lines on stderr',
    run: async () => {
      const f = input('warn.pcap');
      gen.warningFlood(f, 1_000_000);
      const r = await sh(tcpreasm('analyze', f, '--top', '0'));
      const lines = r.stderr.split('\n').filter((l) => l !== '').length;
      return { ...base(r), outcome: `${lines} lines, ${(r.stderr.length / 1e3).toFixed(1)} kB`, held: lines <= 20 };
    },
  },
  ...(
    [
      ['syn-flood', '2M SYNs', (f: string) => gen.synFlood(f, 2_000_000)],
      ['fragment-flood', '1M first fragments', (f: string) => gen.fragmentFlood(f, 1_000_000)],
      ['gzip-bomb', '400k records gzipped', (f: string) => gen.gzipBomb(f, 400_000).bytes],
      ['page-flood', '4,000 connections x 64 segments behind a hole', (f: string) => gen.pageFlood(f, 4000, 64)],
    ] as const
  ).map(([name, what, make]): Scenario => ({
    name,
    item: 10,
    limit: 'RSS < 256 MB',
    run: async () => {
      const f = input(`${name}.pcap${name === 'gzip-bomb' ? '.gz' : ''}`);
      make(f);
      const r = await sh(tcpreasm('analyze', f, '--top', '0', '-q'));
      const rr = base(r);
      return { ...rr, outcome: `${what}, ${(statSync(f).size / MB).toFixed(1)} MB`, held: rr.rssMB < 256 && (r.code === 0 || r.code === 3) };
    },
  })),
];

scenarios.push({
  name: 'syn-flood-export',
  item: 10,
  limit: 'RSS < 256 MB',
  run: async () => {
    const f = input('syn-flood.pcap');
    if (!existsSync(f)) gen.synFlood(f, 2_000_000);
    // On the real disk: 2M manifest rows take about 4 GB, more than the outputs' tmpfs.
    const o = join(work, 'syn-export');
    const r = await sh(tcpreasm('export', f, '-o', o, '-q'));
    // Too large to read whole: lines counted by wc (the last is the end record).
    const lines = Number(execFileSync('wc', ['-l', join(o, 'manifest.jsonl')]).toString().trim().split(' ')[0]);
    rmSync(o, { recursive: true, force: true });
    const rr = base(r);
    return { ...rr, outcome: `2M SYNs exported, ${(lines - 1).toLocaleString('en-US')} rows`, held: rr.rssMB < 256 && r.code === 0 && lines - 1 === 2_000_000 };
  },
});

const results: Result[] = [];
try {
  for (const s of scenarios) {
    if (only !== null && !only.includes(s.name)) continue;
    process.stderr.write(`hostile: ${s.name}...\n`);
    const r = await s.run();
    results.push({ scenario: s.name, item: s.item, limit: s.limit, ...r });
    // What a scenario wrote goes before the next runs (an unbounded build can fill the outputs' tmpfs).
    for (const e of readdirSync(outRoot)) rmSync(join(outRoot, e), { recursive: true, force: true });
  }
} finally {
  if (isRoot) execFileSync('umount', [outRoot]);
  rmSync(work, { recursive: true, force: true });
}

console.log(`CLI: ${CLI}\n`);
console.log('| scenario | item | limit | peak RSS | time | exit | outcome | held |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results) console.log(`| ${r.scenario} | ${r.item} | ${r.limit} | ${r.rssMB} MB | ${r.sec} s | ${r.exit} | ${r.outcome} | ${r.held ? 'yes' : 'NO'} |`);
const json = opt('--json');
if (json !== undefined) writeFileSync(json, JSON.stringify(results, null, 2));
process.exitCode = results.every((r) => r.held) ? 0 : 1;
