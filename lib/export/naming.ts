/**
 * tcpflow-compatible file names for exported stream directions, so analysts' scripts written against tcpflow
 * output keep working. Checked against tcpflow 1.6.1 (default template `%A.%a-%B.%b%V%v%C%c`) on
 * fixtures/names.pcap: see naming.test.ts.
 *
 *   010.099.001.001.32768-010.099.002.002.09000        IPv4: every byte 3 digits, ports 5 digits
 *   fd99:1::1.40000-fd99:2::2.09000                     IPv6: inet_ntop text, ports still 5 digits
 *   010.099.001.001.32769-010.099.002.002.09000--5     802.1Q tag 5 (tag 0 gives `--0`)
 *   010.000.000.001.41000-010.000.000.002.00080c1      second connection with these names (port reuse)
 *   010.000.000.001.41000-010.000.000.002.00080--9c1   both: the VLAN suffix comes first
 */
import { formatIPv6, type AddressWords } from '../net/address.js';

/** What a direction's file name is made of. */
export interface FlowNameParts {
  ipVersion: 4 | 6;
  /** Sender of this direction's bytes. */
  src: AddressWords;
  srcPort: number;
  dst: AddressWords;
  dstPort: number;
  /** VLAN id for the `--VLAN` suffix, or -1 for none (see {@link tcpflowVlan}). */
  vlan: number;
}

/**
 * The VLAN id tcpflow puts in a name, from TcpPacket's `vlan` (innermost tag) and `outerVlan` (outer tag of a
 * double-tagged frame). tcpflow only reads a first tag of type 802.1Q (0x8100): a single tag gives `--ID`,
 * and an 802.1ad (0x88a8) outer tag, the standard QinQ frame, gives no suffix at all. So: single-tagged ->
 * its id, double-tagged -> none. The decoder does not say which tag type it saw, so two rare frame shapes
 * differ from tcpflow: a lone 802.1ad tag (tcpflow: no suffix; here `--ID`) and two 802.1Q tags (tcpflow:
 * the outer id; here none). Names stay unique either way: a clash takes the next `cN` like port reuse.
 */
export function tcpflowVlan(vlan: number, outerVlan: number): number {
  return outerVlan >= 0 ? -1 : vlan;
}

/** `SRCIP.SRCPORT-DSTIP.DSTPORT[--VLAN]`: the name before any `cN` connection count. */
export function flowBaseName(p: FlowNameParts): string {
  let name = `${nameAddress(p.src, p.ipVersion)}.${pad(p.srcPort, 5)}-${nameAddress(p.dst, p.ipVersion)}.${pad(p.dstPort, 5)}`;
  if (p.vlan >= 0) name += `--${p.vlan}`;
  return name;
}

/** The name of the `count`-th earlier use of a base name: `count` 0 is the base itself, then `c1`, `c2`, ... */
export function withConnectionCount(base: string, count: number): string {
  return count === 0 ? base : `${base}c${count}`;
}

function nameAddress(words: AddressWords, ipVersion: 4 | 6): string {
  if (ipVersion === 6) return formatIPv6(words);
  const w = words[3] >>> 0;
  return `${pad((w >>> 24) & 255, 3)}.${pad((w >>> 16) & 255, 3)}.${pad((w >>> 8) & 255, 3)}.${pad(w & 255, 3)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

// Characters a generated name can hold, and the length limit of a file name on common file systems.
const SAFE_NAME = /^[0-9A-Za-z:][0-9A-Za-z.:_-]*$/;
const MAX_NAME_BYTES = 255;

/**
 * True when `name` is a single plain file name that cannot leave the output folder: no separator, no NUL,
 * not `.` or `..`, not starting with a dot or a dash (never hidden, never read as an option) and not longer than a file name may be.
 * Generated names always pass; the writer checks anyway, because a bug upstream must not write elsewhere.
 */
export function isSafeFileName(name: string): boolean {
  return name.length <= MAX_NAME_BYTES && SAFE_NAME.test(name);
}
