// Bundles the compiled CLI (dist/cli/main.js and everything it imports, yargs included) into one file,
// dist/cli/tcpreasm.cjs, and makes dist/cli/main.js a small loader that runs it through V8's code cache.
// Loading ~120 ES modules cost a one-packet `analyze` about 60 ms of its ~230 ms; one file loads in a few ms,
// and with the code cache (dist/cli/tcpreasm.cache, written by a run of the CLI at build time) V8 neither parses
// nor compiles it again: Node 20 has no module compile cache of its own (module.enableCompileCache is Node 22).
// Whitespace and syntax are minified (less to read); names are kept, so an internal error's stack still reads.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { dirname } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

/**
 * string-width (imported by yargs, cliui and wrap-ansi for help text) makes an Intl.Segmenter when it loads, and
 * the first one loads ICU's segmentation data: 17 ms of every run, help or not. Its ES imports are given a stand-in
 * that requires the real module on the first width asked for; esbuild evaluates a required module lazily.
 * (cli-table3's CommonJS string-width 4 makes no segmenter and is left as it is.)
 */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.kind !== 'import-statement' || args.pluginData?.real === true) return undefined;
      const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: `let real; export default function stringWidth(text, options) { real ??= require(${JSON.stringify(args.path)}).default; return real(text, options); }`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

const entry = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const bundle = fileURLToPath(new URL('../dist/cli/tcpreasm.cjs', import.meta.url));
const cache = fileURLToPath(new URL('../dist/cli/tcpreasm.cache', import.meta.url));
const sample = fileURLToPath(new URL('../samples/ipv4-loss.pcap', import.meta.url));

const tmp = `${bundle}.tmp-${process.pid}`;
await build({
  entryPoints: [entry],
  plugins: [lazyStringWidth],
  outfile: tmp,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  // The loader hands the bundle its own file URL (CommonJS has no import.meta).
  define: { 'import.meta.url': '__tcpreasmUrl' },
});
// The entry's #! line would be a syntax error inside the loader's function wrapper: kept as a comment.
writeFileSync(bundle, readFileSync(tmp, 'utf8').replace(/^#!/, '//'));
rmSync(tmp);

const loader = `#!/usr/bin/env node
// The tcpreasm command: runs the bundled CLI (tcpreasm.cjs) through V8's code cache (tcpreasm.cache), made at
// build time by scripts/bundle-cli.mjs. A cache V8 does not accept (another Node version) is ignored.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

const file = fileURLToPath(new URL('./tcpreasm.cjs', import.meta.url));
const cacheFile = fileURLToPath(new URL('./tcpreasm.cache', import.meta.url));
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new Script('(function (require, module, exports, __filename, __dirname, __tcpreasmUrl) {' + readFileSync(file, 'utf8') + '\\n})', { filename: file, cachedData });
if (process.env.TCPREASM_WRITE_CODE_CACHE === '1') process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
const module = { exports: {} };
script.runInThisContext()(createRequire(file), module, module.exports, file, dirname(file), pathToFileURL(file).href);
`;
writeFileSync(entry, loader);
chmodSync(entry, 0o755);

// The cache holds what one analyze compiles (V8 compiles a function the first time it runs).
rmSync(cache, { force: true });
spawnSync(process.execPath, [entry, 'analyze', sample, '-q'], { env: { ...process.env, TCPREASM_WRITE_CODE_CACHE: '1' }, stdio: 'ignore' });
if (!existsSync(cache)) throw new Error(`bundle-cli: no code cache written at ${cache}`);
