/**
 * `npm run diff:http -- DIR...`: the HTTP objects tcpreasm finds against Wireshark's `--export-objects http` on
 * every capture under the folders given. tshark writes each body, of requests and responses (de-chunked and, by its default,
 * decompressed); tcpreasm writes each body raw and, with --decode, decoded. An object is matched by the sha256
 * of its content (the decoded copy where tcpreasm has one). Prints, per capture and in all, the objects both
 * found, only tshark found and only tcpreasm found; `--list` prints every capture with a difference. tshark runs
 * with `tcp.reassemble_out_of_order` on, as an endpoint reassembles (`--tshark-defaults`: as shipped).
 * `--expect TEXT` adds the capture's own ground truth where it has one: which tool wrote an object holding TEXT
 * (suricata-verify's http-evader tests each assert that the client got the EICAR test file).
 *
 * Needs tshark on PATH and the captures (suricata-verify, Zeek: never committed); not part of `npm test`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/program.js';

/** An object as the comparison needs it: its hash, and whether it holds the text `--expect` names. */
interface Found {
  sha: string;
  holds: boolean;
}
let expected: Buffer | null = null;
const found = (b: Buffer): Found => ({ sha: createHash('sha256').update(b).digest('hex'), holds: expected !== null && b.includes(expected) });

function captures(paths: string[]): string[] {
  return paths.flatMap((p) => (statSync(p).isDirectory() ? readdirSync(p).map((n) => join(p, n)).filter((f) => /\.pcap(ng)?$/.test(f)) : [p]));
}

// Wireshark leaves out-of-order segments unreassembled by default and then exports each as an object of its own
// (http-range-file: 7 fragments for one 10 kB response); an endpoint reassembles them, so the oracle does too.
// `--tshark-defaults` runs it as shipped.
function tshark(capture: string, dir: string, defaults: boolean): Promise<Found[]> {
  const prefs = defaults ? [] : ['-o', 'tcp.reassemble_out_of_order:TRUE'];
  return new Promise((done) => {
    execFile('tshark', [...prefs, '-r', capture, '-Q', '--export-objects', `http,${dir}`], { timeout: 120_000 }, () => {
      done(existsSync(dir) ? readdirSync(dir).map((n) => found(readFileSync(join(dir, n)))) : []);
    });
  });
}

async function ours(capture: string, dir: string): Promise<Found[]> {
  const quiet = { out: () => {}, err: () => {} };
  await main(['http', capture, '-o', dir, '--decode', '-q', '--format', 'csv'], quiet);
  const list = join(dir, 'objects.jsonl');
  if (!existsSync(list)) return [];
  const rows = readFileSync(list, 'utf8').trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { which: string; file: string; decoded?: { file?: string } });
  // tshark exports request bodies too (a POST's, a GET's with a body): every object counts.
  return rows.map((r) => found(readFileSync(join(dir, r.decoded?.file ?? r.file))));
}

async function run(): Promise<void> {
  const args = process.argv.slice(2);
  const list = args.includes('--list');
  const defaults = args.includes('--tshark-defaults');
  const e = args.indexOf('--expect');
  if (e >= 0) expected = Buffer.from(args.splice(e, 2)[1] ?? '', 'latin1');
  const files = captures(args.filter((a) => !a.startsWith('--')));
  const total = { both: 0, onlyTshark: 0, onlyOurs: 0, captures: 0, differing: 0 };
  // With --expect: per capture, which tool wrote an object holding the text (both, only one, neither).
  const holding = { both: 0, onlyTshark: 0, onlyOurs: 0, neither: 0 };
  for (const f of files) {
    const work = mkdtempSync(join(tmpdir(), 'tcpreasm-httpdiff-'));
    try {
      const [t, o] = await Promise.all([tshark(f, join(work, 't'), defaults), ours(f, join(work, 'o'))]);
      if (expected !== null) {
        const th = t.some((x) => x.holds);
        const oh = o.some((x) => x.holds);
        holding[th && oh ? 'both' : th ? 'onlyTshark' : oh ? 'onlyOurs' : 'neither']++;
        if (list && th !== oh) console.log(`${f}: expected content only in ${th ? 'tshark' : 'tcpreasm'}'s objects`);
      }
      const left = new Map<string, number>();
      for (const { sha: h } of o) left.set(h, (left.get(h) ?? 0) + 1);
      let both = 0;
      let onlyT = 0;
      for (const { sha: h } of t) {
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
        if (list && expected === null) console.log(`${f}: both ${both}, only tshark ${onlyT}, only tcpreasm ${onlyO}`);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  if (expected !== null) {
    console.log(`expected content in objects of both ${holding.both}, only tshark ${holding.onlyTshark}, only tcpreasm ${holding.onlyOurs}, neither ${holding.neither}`);
  }
  console.log(`${total.captures} captures: ${total.both} objects found by both, ${total.onlyTshark} only by tshark, ${total.onlyOurs} only by tcpreasm; ${total.differing} captures differ`);
}

await run();
