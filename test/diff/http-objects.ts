/**
 * `npm run diff:http -- DIR...`: the HTTP objects tcpreasm finds against Wireshark's `--export-objects http` on
 * every capture under the folders given. tshark writes each body, of requests and responses (de-chunked and, by its default,
 * decompressed); tcpreasm writes each body raw and, with --decode, decoded. An object is matched by the sha256
 * of its content (the decoded copy where tcpreasm has one). Prints, per capture and in all, the objects both
 * found, only tshark found and only tcpreasm found; `--list` prints every capture with a difference.
 *
 * Needs tshark on PATH and the captures (suricata-verify, Zeek: never committed); not part of `npm test`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/program.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function captures(paths: string[]): string[] {
  return paths.flatMap((p) => (statSync(p).isDirectory() ? readdirSync(p).map((n) => join(p, n)).filter((f) => /\.pcap(ng)?$/.test(f)) : [p]));
}

function tshark(capture: string, dir: string): Promise<string[]> {
  return new Promise((done) => {
    execFile('tshark', ['-r', capture, '-Q', '--export-objects', `http,${dir}`], { timeout: 120_000 }, () => {
      done(existsSync(dir) ? readdirSync(dir).map((n) => sha(readFileSync(join(dir, n)))) : []);
    });
  });
}

async function ours(capture: string, dir: string): Promise<string[]> {
  const quiet = { out: () => {}, err: () => {} };
  await main(['http', capture, '-o', dir, '--decode', '-q', '--format', 'csv'], quiet);
  const list = join(dir, 'objects.jsonl');
  if (!existsSync(list)) return [];
  const rows = readFileSync(list, 'utf8').trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { which: string; file: string; decoded?: { file?: string } });
  // tshark exports request bodies too (a POST's, a GET's with a body): every object counts.
  return rows.map((r) => sha(readFileSync(join(dir, r.decoded?.file ?? r.file))));
}

async function run(): Promise<void> {
  const args = process.argv.slice(2);
  const list = args.includes('--list');
  const files = captures(args.filter((a) => !a.startsWith('--')));
  const total = { both: 0, onlyTshark: 0, onlyOurs: 0, captures: 0, differing: 0 };
  for (const f of files) {
    const work = mkdtempSync(join(tmpdir(), 'tcpreasm-httpdiff-'));
    try {
      const [t, o] = await Promise.all([tshark(f, join(work, 't')), ours(f, join(work, 'o'))]);
      const left = new Map<string, number>();
      for (const h of o) left.set(h, (left.get(h) ?? 0) + 1);
      let both = 0;
      let onlyT = 0;
      for (const h of t) {
        const n = left.get(h) ?? 0;
        if (n > 0) {
          both++;
          left.set(h, n - 1);
        } else onlyT++;
      }
      const onlyO = [...left.values()].reduce((a, b) => a + b, 0);
      total.captures++;
      total.both += both;
      total.onlyTshark += onlyT;
      total.onlyOurs += onlyO;
      if (onlyT + onlyO > 0) {
        total.differing++;
        if (list) console.log(`${f}: both ${both}, only tshark ${onlyT}, only tcpreasm ${onlyO}`);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  console.log(`${total.captures} captures: ${total.both} objects found by both, ${total.onlyTshark} only by tshark, ${total.onlyOurs} only by tcpreasm; ${total.differing} captures differ`);
}

await run();
