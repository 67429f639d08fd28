import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/**
 * Removes a folder in a child process: fs.rmSync lists the whole folder in this process, and for an export of
 * 2M files that listing (hundreds of MB) would count in this process's peak RSS, which must be the phase's own.
 */
export function removeTree(dir: string): void {
  const r = spawnSync('rm', ['-rf', '--', dir], { stdio: 'ignore' });
  if (r.status !== 0) fs.rmSync(dir, { recursive: true, force: true });
}
