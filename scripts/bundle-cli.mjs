// Bundles the compiled CLI (dist/cli/main.js and everything it imports, yargs included) into that one file.
// Loading ~120 ES modules cost a one-packet `analyze` about 60 ms of its ~200 ms; one file loads in a few ms.
// Whitespace and syntax are minified (less to parse); names are kept, so an internal error's stack still reads.
import { buildSync } from 'esbuild';
import { renameSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const entry = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const tmp = `${entry}.bundle-${process.pid}`;
buildSync({
  entryPoints: [entry],
  outfile: tmp,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Bundled CommonJS packages (cli-table3) call require() for Node's own modules.
  banner: { js: "import { createRequire as __tcpreasmRequire } from 'node:module'; const require = __tcpreasmRequire(import.meta.url);" },
});
renameSync(tmp, entry);
