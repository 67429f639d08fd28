/**
 * One connection by id (Wireshark's tcp.stream number), both directions saved to files and every hole named:
 * `tcpreasm follow` as a library call.
 *
 *   npm run build && npx tsx examples/follow-stream.ts capture.pcap 3 out-prefix
 */
import { writeFileSync } from 'node:fs';
import { followStream } from 'tcpreasm';

/** Writes PREFIX.c2s and PREFIX.s2c; returns the holes as text (`c2s: 10 bytes missing at seq 1448`). */
export async function saveStream(capture: string, id: number, prefix: string): Promise<string[]> {
  const c = await followStream(capture, id);
  if (c === null) throw new Error(`${capture} has no connection ${id}`);
  writeFileSync(`${prefix}.c2s`, c.c2s.bytes());
  writeFileSync(`${prefix}.s2c`, c.s2c.bytes());
  const holes: string[] = [];
  for (const [dir, d] of [['c2s', c.c2s], ['s2c', c.s2c]] as const) {
    for (const p of d.pieces) if (p.kind === 'gap') holes.push(`${dir}: ${p.length ?? 'unknown'} bytes missing at seq ${p.seq}`);
  }
  return holes;
}

if (process.argv[1]?.endsWith('follow-stream.ts') === true && process.argv[4] !== undefined) {
  for (const h of await saveStream(process.argv[2]!, Number(process.argv[3]), process.argv[4])) console.log(h);
}
