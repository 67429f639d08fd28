/**
 * `node dist-tools/test/diff/tshark-follow-oracle.js`: writes samples/follow/tshark-follow.json, what Wireshark's
 * Follow TCP Stream (`tshark -q -z follow,tcp,raw,N`) gives for every stream of the real samples: the length
 * and SHA-256 of each node's bytes, with the tshark version and the command. test/e2e/follow.test.ts checks
 * `tcpreasm follow` against it, so npm test needs no tshark. Run it again when the samples change.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseFollow } from './tshark-follow-parse.js';

const SAMPLES = ['samples/ipv4-loss.pcap', 'samples/ipv6-loss.pcap', 'samples/ipv4-heavyloss.pcap'];

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const version = execFileSync('tshark', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
const streams: unknown[] = [];
for (const file of SAMPLES) {
  const count = new Set(execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'tcp.stream'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter((l) => l !== '')).size;
  const args = ['-n', '-r', file, '-q'];
  for (let i = 0; i < count; i++) args.push('-z', `follow,tcp,raw,${i}`);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  for (const s of parseFollow(out)) {
    streams.push({ sample: file, stream: s.id, node0: s.nodes[0], node1: s.nodes[1], node0Length: s.data[0].length, node0Sha256: sha(s.data[0]), node1Length: s.data[1].length, node1Sha256: sha(s.data[1]) });
  }
}
mkdirSync('samples/follow', { recursive: true });
writeFileSync(
  'samples/follow/tshark-follow.json',
  `${JSON.stringify({ tshark: version, command: 'tshark -n -r SAMPLE -q -z follow,tcp,raw,N (gap markers removed)', streams }, null, 1)}\n`,
);
console.log(`${streams.length} streams written to samples/follow/tshark-follow.json`);
