/**
 * Hashes the engine needs: FNV-1a (32-bit) to fingerprint the two versions of a conflicting retransmission, and a
 * direction-independent hash of a TCP 4-tuple for the connection table.
 */

/** Name of the content hash used in conflict records. */
export const CONTENT_HASH_NAME = 'fnv1a32';

/** FNV-1a 32-bit offset basis: the hash of no bytes. */
export const FNV1A_INIT = 0x811c9dc5;

/**
 * Continues an FNV-1a 32-bit hash over `buf[start, end)`. Pass FNV1A_INIT to start; pass a previous result to hash
 * a concatenation piece by piece.
 */
export function fnv1a32(h: number, buf: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    h = Math.imul(h ^ buf[i]!, 0x01000193);
  }
  return h >>> 0;
}

function mixEndpoint(a: Uint32Array, port: number): number {
  let h = Math.imul(a[0]! ^ 0x2545f491, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ a[1]!, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ a[2]!, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ a[3]!, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15) ^ port, 0x165667b1);
  return h ^ (h >>> 16);
}

/**
 * Hash of the two endpoints alone (addresses and ports), equal for both directions: what picks a connection's
 * shard in a run on several threads. Without the VLAN tags and the tunnel, so connections that share a tcpflow
 * file name (one 4-tuple in two VLANs or tunnels) share a shard, and their names are numbered as one run does.
 */
export function tupleHash(srcAddr: Uint32Array, srcPort: number, dstAddr: Uint32Array, dstPort: number): number {
  const h = Math.imul((mixEndpoint(srcAddr, srcPort) + mixEndpoint(dstAddr, dstPort)) | 0, 0x9e3779b1);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Hash of a connection's two endpoints plus VLAN tags, encapsulation and IP version, equal for both directions: the endpoint
 * hashes are combined with a commutative operation so a packet and its reply land in the same table slot.
 */
export function flowHash(
  srcAddr: Uint32Array,
  srcPort: number,
  dstAddr: Uint32Array,
  dstPort: number,
  vlan: number,
  outerVlan: number,
  ipVersion: number,
  encap = 0,
): number {
  let h = (mixEndpoint(srcAddr, srcPort) + mixEndpoint(dstAddr, dstPort)) | 0;
  h = Math.imul(h ^ (vlan & 0xffff) ^ ((outerVlan & 0xffff) << 16) ^ Math.imul(encap, 0x27d4eb2d), 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16) ^ ipVersion, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}
