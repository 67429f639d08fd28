/**
 * vitest's global setup: builds dist/ from the sources before any test runs, so the subprocess tests never run
 * a stale `dist/cli/main.js` (whether the suite was started by `npm test` or by `npx vitest`). The CLI is
 * bundled as `npm run build` bundles it, so the subprocess tests run what ships.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/bundle-cli.mjs'], { stdio: 'inherit' });
}
