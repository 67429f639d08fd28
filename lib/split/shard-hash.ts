/**
 * Which shard a TCP segment belongs to: a hash of its connection's identity that is the same for both directions
 * and the same on every machine, platform and version, so shards made on one host are reduced on another.
 *
 * The key is 45 bytes: the IP version (1 byte); the lower endpoint then the higher one, each its address as four
 * big-endian 32-bit words (IPv4 in the last word, the first three zero; IPv6 as its four words) and its port (2 bytes, big-endian), endpoints
 * ordered by address words then port; then 0xffff twice and four zero bytes, where the key once held the VLAN
 * ids and the tunnel: one 4-tuple in two VLANs or tunnels has one tcpflow file name, so its connections must be
 * numbered (`cN`) by one shard, or the export folders clash when merged. (Untagged traffic outside tunnels hashes as
 * it always did.) The hash is FNV-1a 32 over those bytes and the shard is `hash % shards`. Test vector:
 * 10.0.0.1:40000 -> 10.0.0.2:80, IPv4: 0x0893f962, whatever its VLANs and tunnel.
 */
import { FNV1A_INIT, fnv1a32 } from '../reassembly/hash.js';

/** The 45 key bytes, reused: hashing a segment allocates nothing. */
const key = new Uint8Array(45);
const view = new DataView(key.buffer);
// The tail where the VLAN ids and the tunnel once were: the same for every connection, so written once.
view.setUint16(37, 0xffff);
view.setUint16(39, 0xffff);
view.setUint32(41, 0);

/** The connection key's FNV-1a 32 (see the module comment for its bytes). */
export function connectionHash(
  ipVersion: number,
  srcAddr: Uint32Array,
  srcPort: number,
  dstAddr: Uint32Array,
  dstPort: number,
): number {
  const srcFirst = compareEndpoints(srcAddr, srcPort, dstAddr, dstPort) <= 0;
  key[0] = ipVersion;
  putEndpoint(1, srcFirst ? srcAddr : dstAddr, srcFirst ? srcPort : dstPort);
  putEndpoint(19, srcFirst ? dstAddr : srcAddr, srcFirst ? dstPort : srcPort);
  return fnv1a32(FNV1A_INIT, key, 0, key.length);
}

function putEndpoint(at: number, addr: Uint32Array, port: number): void {
  for (let i = 0; i < 4; i++) view.setUint32(at + 4 * i, addr[i]!);
  view.setUint16(at + 16, port);
}

function compareEndpoints(a: Uint32Array, ap: number, b: Uint32Array, bp: number): number {
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return ap - bp;
}
