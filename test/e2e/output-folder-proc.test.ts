/**
 * `-o` on a file system that makes no folders (/proc): Node's recursive mkdir loops there forever at full CPU.
 * The export must fail at once with a message naming the level it could not make. Run as a real process under
 * a hard timeout, so a regression is a failed test, not a hung suite.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, SAMPLES } from './support.js';

describe.runIf(existsSync('/proc/self'))('export -o under /proc', () => {
  for (const out of ['/proc/tcpreasm-out', '/proc/tcpreasm-out/deeper/still', '/proc/sys/tcpreasm-out']) {
    it(`${out}: fails within seconds, exit 4, names the level`, () => {
      const r = spawnSync(process.execPath, [CLI, 'export', join(SAMPLES, 'ipv4-loss.pcap'), '-o', out, '-q'], {
        encoding: 'utf8',
        timeout: 10_000,
        killSignal: 'SIGKILL',
      });
      expect(r.signal).toBeNull();
      expect(r.status).toBe(4);
      const level = out.startsWith('/proc/sys') ? '/proc/sys/tcpreasm-out' : '/proc/tcpreasm-out';
      expect(r.stderr).toBe(`tcpreasm: cannot create the output folder ${level}: the file system there does not allow folders to be made\n`);
    });
  }
});
