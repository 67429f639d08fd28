import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanPath } from './baselines.js';
import { PhaseCounts } from './paths.js';
import type { TrafficCounts } from './traffic.js';
import type { RealCapture } from './workloads.js';

/** Where the capture tools live: `$TCPREASM_TOOLS`, else `../shared/tools` beside the package. */
export function toolsDir(): string {
  return process.env.TCPREASM_TOOLS ?? path.resolve(process.cwd(), '../shared/tools');
}

/**
 * Runs `mkcapture.sh` (root, iproute2, nftables, tcpdump, ethtool) and moves its capture to `file`. What the
 * capture holds comes from its truth file (connections, stream bytes) and the bench's scan of its records; the
 * wire-level counts a generator knows are not known here and are left at -1, which the bench's checks skip.
 */
export async function makeRealCapture(c: RealCapture, file: string): Promise<TrafficCounts> {
  const script = path.join(toolsDir(), 'mkcapture.sh');
  if (!fs.existsSync(script)) throw new Error(`${script} not found (set TCPREASM_TOOLS to the folder holding mkcapture.sh)`);
  const prefix = `${file}.tmp-${process.pid}`;
  const args = [script, prefix, c.connections, c.parallel, c.maxUp, c.maxDown, c.lossPer1000, c.seed].map(String);
  const r = spawnSync('bash', args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mkcapture.sh failed (needs root, iproute2, nftables, tcpdump, ethtool): ${r.stderr.trim().slice(-500)}`);
  let streamBytes = 0;
  let connections = 0;
  for (const line of fs.readFileSync(`${prefix}.truth.jsonl`, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as { c2s_len: number; s2c_len: number };
    streamBytes += row.c2s_len + row.s2c_len;
    connections++;
  }
  fs.renameSync(`${prefix}.truth.jsonl`, `${file}.truth.jsonl`);
  fs.renameSync(`${prefix}.pcap`, file);
  const scanned = new PhaseCounts();
  await scanPath(file, scanned);
  return {
    packets: scanned.records, connections, streamBytes,
    dataSegments: -1, wirePayloadBytes: -1, outOfOrder: -1, retransmissions: -1, resegmented: -1,
  };
}

/**
 * Runs `samples/make/http-capture.sh` with the plans repeated `repeat` times (root, as mkcapture.sh) and moves
 * its capture to `file`; connections are counted from its truth file (one row an exchange).
 */
export async function makeHttpCapture(repeat: number, file: string): Promise<TrafficCounts> {
  const script = path.resolve(process.cwd(), 'samples/make/http-capture.sh');
  const prefix = `${file}.tmp-${process.pid}`;
  const r = spawnSync('bash', [script, prefix], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, HTTPGEN_REPEAT: String(repeat) } });
  if (r.status !== 0) throw new Error(`http-capture.sh failed (needs root, iproute2, nftables, tcpdump, ethtool): ${r.stderr.trim().slice(-500)}`);
  const ports = new Set<number>();
  for (const line of fs.readFileSync(`${prefix}.truth.jsonl`, 'utf8').split('\n')) if (line.trim() !== '') ports.add((JSON.parse(line) as { cport: number }).cport);
  fs.renameSync(`${prefix}.truth.jsonl`, `${file}.truth.jsonl`);
  fs.renameSync(`${prefix}.pcap`, file);
  const scanned = new PhaseCounts();
  await scanPath(file, scanned);
  return {
    packets: scanned.records, connections: ports.size, streamBytes: -1,
    dataSegments: -1, wirePayloadBytes: -1, outOfOrder: -1, retransmissions: -1, resegmented: -1,
  };
}
