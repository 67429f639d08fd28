/**
 * Every report through a real pipe whose reader has gone: `| true` exits before the first write (node takes
 * longer to start), `| head -c 100` after the first bytes of an output larger than a pipe holds. Each ends
 * quietly with 141 (128 + SIGPIPE), as a Unix tool killed by the signal does: no stack trace on stderr.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from './support.js';

/** Exit status of tcpreasm and its stderr, with stdout piped into `reader`. */
function piped(args: string, reader: string): { status: number; stderr: string } {
  const r = spawnSync('bash', ['-c', `node ${CLI} ${args} 2>/tmp/tcpreasm-pipe-err.$$ | ${reader}; s=\${PIPESTATUS[0]}; cat /tmp/tcpreasm-pipe-err.$$ >&2; rm -f /tmp/tcpreasm-pipe-err.$$; echo $s`], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: Number(r.stdout.trim()), stderr: r.stderr };
}

describe('a closed stdout ends every report quietly with 141', () => {
  const reports = [
    'analyze samples/crafted/syn-flood.pcap',
    'analyze samples/crafted/syn-flood.pcap --format json',
    'analyze samples/crafted/syn-flood.pcap --format csv',
    'overlaps samples/ipv4-heavyloss.pcap',
    'overlaps samples/ipv4-heavyloss.pcap --format csv',
    'overlaps samples/ipv4-heavyloss.pcap --format json',
    'follow samples/ipv4-loss.pcap 0',
  ];
  for (const args of reports) {
    it(`${args} | true`, () => {
      const r = piped(args, 'true');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(141);
    });
  }
  for (const args of ['analyze samples/crafted/syn-flood.pcap --format json', 'analyze samples/crafted/syn-flood.pcap']) {
    it(`${args} | head -c 100 (the reader leaves after the first bytes)`, () => {
      const r = piped(args, 'head -c 100 >/dev/null');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(141);
    });
  }
  it('a reader that takes everything leaves the status alone', () => {
    expect(piped('analyze samples/ipv4-heavyloss.pcap --format csv', 'cat >/dev/null').status).toBe(0);
  });
});
