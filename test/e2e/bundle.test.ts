/**
 * The built command: dist/cli/main.js is a loader that runs the one bundled file (tcpreasm.cjs) through V8's
 * code cache (tcpreasm.cache), both made by scripts/bundle-cli.mjs (the suite's global setup runs it).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from './support.js';

const BUNDLE = join(ROOT, 'dist/cli/tcpreasm.cjs');
const CACHE = join(ROOT, 'dist/cli/tcpreasm.cache');
// The loader's wrapper, as dist/cli/main.js writes it: the cache is only valid for this exact source.
const WRAP = '(function (require, module, exports, __filename, __dirname, __tcpreasmUrl) {';

describe('the bundled command', () => {
  it('the code cache made at build time is one V8 accepts for the bundle (no parse and compile at start)', () => {
    const script = new Script(`${WRAP}${readFileSync(BUNDLE, 'utf8')}\n})`, { filename: BUNDLE, cachedData: readFileSync(CACHE) });
    expect(script.cachedDataRejected).toBe(false);
    // The loader builds the same wrapper, or the cache above would not be the one it uses.
    expect(readFileSync(CLI, 'utf8')).toContain(WRAP);
  });

  it('runs from any folder, and finds its package version through its own URL', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = spawnSync(process.execPath, [CLI, '--version'], { cwd: '/', encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('with a cache that does not fit (another Node, a damaged file) or none, it still runs, only slower', () => {
    const sample = join(ROOT, 'samples/ipv4-loss.pcap');
    const args = ['analyze', sample, '--format', 'csv'];
    const want = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    for (const cache of [readFileSync(CACHE).subarray(0, 100), null]) {
      const dir = mkdtempSync(join(tmpdir(), 'tcpreasm-bundle-'));
      try {
        copyFileSync(BUNDLE, join(dir, 'tcpreasm.cjs'));
        if (cache !== null) writeFileSync(join(dir, 'tcpreasm.cache'), cache);
        // An ES module outside any package.json with "type": "module" needs the .mjs name.
        copyFileSync(CLI, join(dir, 'main.mjs'));
        const r = spawnSync(process.execPath, [join(dir, 'main.mjs'), ...args], { encoding: 'utf8' });
        expect(r.stderr).toBe(want.stderr);
        expect(r.status).toBe(want.status);
        expect(r.stdout).toBe(want.stdout);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('makes no Intl.Segmenter unless it measures text for help or a table (string-width is loaded lazily)', () => {
    // A preload that counts segmenters made (the first loads ICU data: 17 ms of every run when it was eager).
    const dir = mkdtempSync(join(tmpdir(), 'tcpreasm-bundle-'));
    try {
      const hook = join(dir, 'count-segmenters.cjs');
      writeFileSync(hook, [
        'let n = 0;',
        'const Real = Intl.Segmenter;',
        'Intl.Segmenter = class extends Real { constructor(...a) { super(...a); n++; } };',
        "process.on('exit', () => process.stderr.write(`segmenters=${n}\\n`));",
      ].join('\n'));
      const made = (...args: string[]): string => {
        const r = spawnSync(process.execPath, ['-r', hook, CLI, ...args], { encoding: 'utf8' });
        expect(r.status).toBe(0);
        return /segmenters=(\d+)/.exec(r.stderr)?.[1] ?? 'none';
      };
      const sample = join(ROOT, 'samples/ipv4-loss.pcap');
      expect(made('analyze', sample, '--format', 'json', '-q')).toBe('0');
      expect(made('analyze', sample, '--format', 'csv')).toBe('0');
      // Help measures its text: the segmenter is made then, so the count above means something.
      expect(Number(made('analyze', '--help'))).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
