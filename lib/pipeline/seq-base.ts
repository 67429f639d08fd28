import type { ConnectionInfo } from '../reassembly/index.js';

/** ISN + 1 of a direction whose SYN was seen (what Wireshark's relative sequence numbers count from), else null. */
export function seqBase(conn: ConnectionInfo, dir: 0 | 1): number | null {
  const isn = conn.isn(dir);
  return isn >= 0 ? (isn + 1) >>> 0 : null;
}
