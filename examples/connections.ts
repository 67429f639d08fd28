/**
 * Every connection of a capture that a filter matches, with its bytes: what a script built on tcpreasm starts
 * with. Prints one line a connection and writes nothing else.
 *
 *   npm run build && npx tsx examples/connections.ts web.pcap 'tcp port 80'
 */
import { connections, type ReassembledConnection } from 'tcpreasm';

/** One line a connection: id, ends, state, bytes each way, holes, and the first line of the client's request. */
export async function listConnections(capture: string, filter?: string, print: (line: string) => void = console.log): Promise<number> {
  let n = 0;
  for await (const c of connections(capture, filter === undefined ? {} : { filter })) {
    print(describe(c));
    n++;
  }
  return n;
}

function describe(c: ReassembledConnection): string {
  const holes = [...c.c2s.pieces, ...c.s2c.pieces].filter((p) => p.kind === 'gap').length;
  const firstLine = c.c2s.bytes().toString('latin1').split('\r\n', 1)[0]!.slice(0, 60);
  return `${c.id} ${c.client} -> ${c.server} ${c.state} c2s=${c.c2s.dataBytes} s2c=${c.s2c.dataBytes} holes=${holes} ${JSON.stringify(firstLine)}`;
}

if (process.argv[1]?.endsWith('connections.ts') === true && process.argv[2] !== undefined) {
  await listConnections(process.argv[2], process.argv[3]);
}
