import type { ConnectionInfo } from '../reassembly/index.js';

/**
 * The ISN of a direction whose SYN was seen, else null: what Wireshark's relative sequence numbers count from
 * (the SYN is 0, the first data byte 1), so the numbers an analyst reads here are the ones Wireshark shows.
 */
export function seqBase(conn: ConnectionInfo, dir: 0 | 1): number | null {
  const isn = conn.isn(dir);
  return isn >= 0 ? isn >>> 0 : null;
}
