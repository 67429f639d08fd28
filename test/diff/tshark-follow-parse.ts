/** Reading `tshark -q -z follow,tcp,raw,N` output: each stream's bytes of each node, gap markers removed. */

/** One stream direction as tshark gave it. */
export interface TsharkStream {
  id: number;
  /** `addr:port` of node 0 (the first packet's sender) and node 1. */
  nodes: [string, string];
  /** Bytes node 0 sent, and node 1 sent. */
  data: [Buffer, Buffer];
}

const MISSING = /^\[\d+ bytes missing in capture file\]$/;

export function parseFollow(text: string): TsharkStream[] {
  const out: TsharkStream[] = [];
  let cur: { id: number; nodes: [string, string]; chunks: [Buffer[], Buffer[]] } | null = null;
  const end = () => {
    if (cur !== null) out.push({ id: cur.id, nodes: cur.nodes, data: [Buffer.concat(cur.chunks[0]), Buffer.concat(cur.chunks[1])] });
    cur = null;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('=====')) {
      end();
      continue;
    }
    const filter = /^Filter: tcp\.stream eq (\d+)/.exec(line);
    if (filter !== null) {
      cur = { id: Number(filter[1]), nodes: ['', ''], chunks: [[], []] };
      continue;
    }
    if (cur === null) continue;
    const node = /^Node ([01]): (.*)$/.exec(line);
    if (node !== null) {
      cur.nodes[Number(node[1]) as 0 | 1] = node[2]!;
      continue;
    }
    if (line.startsWith('Follow:') || line === '') continue;
    const side = line.startsWith('\t') ? 1 : 0;
    const bytes = Buffer.from(side === 1 ? line.slice(1) : line, 'hex');
    // tshark writes its gap marker into the raw bytes: "[N bytes missing in capture file]" and a NUL.
    if (bytes.length < 64 && MISSING.test(bytes.toString('latin1').replace(/\0$/, ''))) continue;
    cur.chunks[side].push(bytes);
  }
  end();
  return out;
}

