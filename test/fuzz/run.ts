/**
 * The long fuzzer and the attack measurements.
 *
 *   npm run fuzz -- [--cases N] [--seed S] [--timeout SEC] [--max-bytes B] [--out DIR]
 *   npm run fuzz -- --attacks [--sizes 10000,100000,1000000] [--only NAME,...]
 *   npm run fuzz -- --write-crafted          (re-generates samples/crafted/*)
 *
 * Fuzzing: cases run in a worker thread; a case with no outcome within --timeout seconds is a hang (the worker is
 * terminated and a new one continues after it), a worker that dies (out of memory, a native fault) is a crash of
 * the case it was running. Every crash, hang or invariant violation is saved under --out (default dist/fuzz-findings/)
 * as the input bytes plus a JSON description, to become a regression sample. Exit code 1 when any was found.
 *
 * Attacks: each attack at each size runs in its own child process (node --expose-gc), so peak RSS is its own.
 * "peak heap" is sampled every 16384 segments without a gc (garbage included); "live heap" is measured after a
 * forced gc at the end of the attack, with the engine still holding its state: the memory the attack pinned.
 */
import { Worker } from 'node:worker_threads';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerInput, WorkerMessage } from './worker.js';
import { loadCorpus } from './corpus.js';
import { makeCase, MUTATION_KINDS } from './mutate.js';

interface Args {
  cases: number;
  seed: number;
  timeout: number;
  maxBytes: number;
  out: string;
  attacks: boolean;
  attack: string | null;
  sizes: number[];
  only: string[] | null;
  writeCrafted: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    cases: 2000,
    seed: 1,
    timeout: 10,
    maxBytes: Infinity,
    out: 'dist/fuzz-findings',
    attacks: false,
    attack: null,
    sizes: [10_000, 100_000, 1_000_000],
    only: null,
    writeCrafted: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--cases') a.cases = Number(v());
    else if (k === '--seed') a.seed = Number(v());
    else if (k === '--timeout') a.timeout = Number(v());
    else if (k === '--max-bytes') a.maxBytes = Number(v());
    else if (k === '--out') a.out = v();
    else if (k === '--attacks') a.attacks = true;
    else if (k === '--attack') a.attack = v();
    else if (k === '--sizes') a.sizes = v().split(',').map(Number);
    else if (k === '--only') a.only = v().split(',');
    else if (k === '--write-crafted') a.writeCrafted = true;
    else throw new Error(`unknown argument ${k}`);
  }
  if (!(a.cases >= 0) || !Number.isInteger(a.seed) || !(a.timeout > 0)) throw new Error('bad --cases, --seed or --timeout');
  return a;
}

interface KindTally {
  cases: number;
  crashes: number;
  hangs: number;
  violations: number;
  rejected: number;
  ms: number;
}

async function fuzz(args: Args): Promise<number> {
  const tally: Record<string, KindTally> = {};
  for (const k of MUTATION_KINDS) tally[k] = { cases: 0, crashes: 0, hangs: 0, violations: 0, rejected: 0, ms: 0 };
  const vias: Record<string, number> = {};
  const diagCodes: Record<string, number> = {};
  let records = 0;
  let segments = 0;
  let peakHeap = 0;
  let done = 0;
  const findings: string[] = [];
  const corpus = loadCorpus(args.maxBytes);

  const save = (index: number, what: string, info: object): void => {
    mkdirSync(args.out, { recursive: true });
    const c = makeCase(corpus, args.seed, index);
    const base = join(args.out, `seed${args.seed}-case${index}-${what}`);
    writeFileSync(`${base}.bin`, c.input);
    writeFileSync(`${base}.json`, JSON.stringify({ seed: args.seed, index, what, kind: c.kind, sample: c.seedName, via: c.via, resync: c.resync, detail: c.detail, ...info }, null, 1));
    findings.push(`${base}.bin`);
  };

  const started = Date.now();
  let next = 0;
  while (next < args.cases) {
    // One worker runs cases from `next` on until it finishes, hangs or dies.
    const from = next;
    let current = -1;
    let currentKind = '';
    let lastStart = Date.now();
    const outcome = await new Promise<'finished' | 'hang' | 'died'>((resolve) => {
      const w = new Worker(new URL('./worker.js', import.meta.url), {
        workerData: { seed: args.seed, from, to: args.cases, maxBytes: args.maxBytes } satisfies WorkerInput,
        resourceLimits: { maxOldGenerationSizeMb: 1536 },
      });
      let settled = false;
      const settle = (o: 'finished' | 'hang' | 'died'): void => {
        if (settled) return;
        settled = true;
        clearInterval(watchdog);
        resolve(o);
      };
      const watchdog = setInterval(() => {
        if (current >= 0 && Date.now() - lastStart > args.timeout * 1000) {
          void w.terminate();
          settle('hang');
        }
      }, 250);
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'start') {
          current = m.index;
          currentKind = m.kind;
          lastStart = Date.now();
        } else if (m.type === 'done') {
          const t = tally[m.kind]!;
          t.cases++;
          t.ms += m.ms;
          vias[m.via] = (vias[m.via] ?? 0) + 1;
          records += m.records;
          segments += m.segments;
          if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
          for (const [code, n] of Object.entries(m.diagnosticCodes)) diagCodes[code] = (diagCodes[code] ?? 0) + n;
          if (m.rejected !== null) t.rejected++;
          if (m.crash !== null) {
            t.crashes++;
            save(m.index, 'crash', { error: m.crash });
            console.error(`case ${m.index} (${m.kind}) CRASH: ${m.crash.split('\n').slice(0, 3).join(' | ')}`);
          } else if (m.violations.length > 0) {
            t.violations++;
            save(m.index, 'violation', { violations: m.violations });
            console.error(`case ${m.index} (${m.kind}) VIOLATION: ${m.violations.slice(0, 3).join(' | ')}`);
          }
          done++;
          current = -1;
          next = m.index + 1;
          if (done % 500 === 0) console.error(`  ${done} cases, ${((Date.now() - started) / 1000).toFixed(0)} s`);
        } else if (m.type === 'finished') {
          settle('finished');
        }
      });
      w.on('error', (e) => {
        if (current >= 0) {
          tally[currentKind]!.cases++;
          tally[currentKind]!.crashes++;
          save(current, 'crash', { error: `worker died: ${e.stack ?? e.message}` });
          console.error(`case ${current} (${currentKind}) WORKER DIED: ${e.message}`);
        }
        settle('died');
      });
      w.on('exit', () => settle(current >= 0 ? 'died' : 'finished'));
    });
    if (outcome === 'hang') {
      tally[currentKind]!.cases++;
      tally[currentKind]!.hangs++;
      save(current, 'hang', { timeoutSec: args.timeout });
      console.error(`case ${current} (${currentKind}) HANG (> ${args.timeout} s)`);
    }
    if (outcome !== 'finished') {
      done++;
      next = current + 1;
    } else if (next < args.cases && done === 0) break;
  }

  const sum = (f: keyof KindTally): number => Object.values(tally).reduce((a, t) => a + t[f], 0);
  const secs = (Date.now() - started) / 1000;
  console.log(`fuzz: seed ${args.seed}, ${sum('cases')} cases in ${secs.toFixed(1)} s over ${corpus.length} samples`);
  console.log(`  crashes ${sum('crashes')}, hangs ${sum('hangs')}, invariant violations ${sum('violations')}, inputs rejected as not a capture ${sum('rejected')}`);
  console.log(`  records delivered ${records}, TCP segments ${segments}, worker peak heap ${(peakHeap / 1048576).toFixed(1)} MiB`);
  console.log(`  by mutation kind:`);
  console.log(`    ${'kind'.padEnd(20)}${'cases'.padStart(8)}${'crash'.padStart(7)}${'hang'.padStart(6)}${'viol'.padStart(6)}${'reject'.padStart(8)}${'ms/case'.padStart(9)}`);
  for (const [k, t] of Object.entries(tally)) {
    console.log(`    ${k.padEnd(20)}${String(t.cases).padStart(8)}${String(t.crashes).padStart(7)}${String(t.hangs).padStart(6)}${String(t.violations).padStart(6)}${String(t.rejected).padStart(8)}${(t.cases ? t.ms / t.cases : 0).toFixed(1).padStart(9)}`);
  }
  console.log(`  by input path: ${Object.entries(vias).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  console.log(`  diagnostics by code: ${Object.entries(diagCodes).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (findings.length > 0) console.log(`  findings saved: ${findings.join(' ')}`);
  return sum('crashes') + sum('hangs') + sum('violations') > 0 ? 1 : 0;
}

async function attacks(args: Args): Promise<number> {
  const { ATTACKS } = await import('../attacks/catalog.js');
  const names = args.only ?? Object.keys(ATTACKS);
  const self = fileURLToPath(import.meta.url);
  console.log(`${'attack'.padEnd(30)}${'segments'.padStart(10)}${'total ms'.padStart(10)}${'ns/seg'.padStart(9)}${'peak heap'.padStart(11)}${'live heap'.padStart(11)}${'max RSS'.padStart(10)}  counts`);
  let failed = 0;
  for (const name of names) {
    for (const size of args.sizes) {
      const r = spawnSync(process.execPath, ['--expose-gc', self, '--attack', name, '--sizes', String(size)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (r.status !== 0) {
        failed++;
        console.log(`${name.padEnd(30)}${String(size).padStart(10)}  FAILED: ${(r.stderr || r.stdout).split('\n').slice(0, 4).join(' | ')}`);
        continue;
      }
      const m = JSON.parse(r.stdout) as import('../attacks/catalog.js').AttackMeasure;
      const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
      const counts = Object.entries(m.counts).filter(([, v]) => v !== 0).map(([k, v]) => `${k}=${v}`).join(' ');
      console.log(`${name.padEnd(30)}${String(m.segments).padStart(10)}${m.ms.toFixed(0).padStart(10)}${m.nsPerSegment.toFixed(0).padStart(9)}${mb(m.peakHeap).padStart(11)}${mb(m.liveHeap).padStart(11)}${mb(m.maxRss).padStart(10)}  ${counts}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.attack !== null) {
    const { measure } = await import('../attacks/catalog.js');
    process.stdout.write(JSON.stringify(measure(args.attack, args.sizes[0]!)));
    return;
  }
  if (args.writeCrafted) {
    const { writeCrafted } = await import('../attacks/crafted.js');
    for (const f of writeCrafted()) console.log(`wrote ${f}`);
    return;
  }
  process.exitCode = args.attacks ? await attacks(args) : await fuzz(args);
}

main().catch((e: unknown) => {
  console.error((e as Error).stack ?? String(e));
  process.exitCode = 2;
});
