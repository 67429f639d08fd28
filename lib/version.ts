import { existsSync, readFileSync } from 'node:fs';

/** The name and version in the package's package.json: the nearest one above this module (lib, dist/lib, dist/cli). */
export function packageVersion(): string {
  let dir = new URL('.', import.meta.url);
  for (let i = 0; i < 4; i++) {
    const file = new URL('package.json', dir);
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    dir = new URL('..', dir);
  }
  return 'unknown';
}
