/**
 * A parsed filter as a predicate on connections. The expression is about packets; every packet of a TCP
 * connection carries the same addresses, ports and VLAN tags, one orientation for each direction. So the
 * expression is evaluated twice per connection, once as a client-to-server packet and once as a
 * server-to-client packet, and the connection is selected when either matches: exactly the connections of
 * which tcpdump with the same filter would have shown a packet. Evaluated once per connection, on address words
 * (no text).
 */
import type { FilterDir, FilterNode, Prefix } from './parse.js';

/** What a filter looks at: the engine's ConnectionInfo has this shape. */
export interface FilterTarget {
  readonly ipVersion: 4 | 6;
  readonly client: { readonly addr: ArrayLike<number>; readonly port: number };
  readonly server: { readonly addr: ArrayLike<number>; readonly port: number };
  /** Innermost 802.1Q VLAN id, -1 when untagged. */
  readonly vlan?: number;
  /** Outer 802.1ad VLAN id, -1 when absent. */
  readonly outerVlan?: number;
}

type End = { readonly addr: ArrayLike<number>; readonly port: number };

function inPrefix(p: Prefix, c: FilterTarget, e: End): boolean {
  const a = e.addr;
  const w = p.words;
  const m = p.mask;
  return (
    p.ipVersion === c.ipVersion &&
    ((a[0]! & m[0]!) >>> 0) === w[0] &&
    ((a[1]! & m[1]!) >>> 0) === w[1] &&
    ((a[2]! & m[2]!) >>> 0) === w[2] &&
    ((a[3]! & m[3]!) >>> 0) === w[3]
  );
}

function ends(dir: FilterDir, src: End, dst: End, test: (e: End) => boolean): boolean {
  switch (dir) {
    case 'src':
      return test(src);
    case 'dst':
      return test(dst);
    case 'src or dst':
      return test(src) || test(dst);
    case 'src and dst':
      return test(src) && test(dst);
  }
}

/** The expression on one packet of `c` going from `src` to `dst`. */
function evaluate(n: FilterNode, c: FilterTarget, src: End, dst: End): boolean {
  switch (n.op) {
    case 'and':
      return evaluate(n.left, c, src, dst) && evaluate(n.right, c, src, dst);
    case 'or':
      return evaluate(n.left, c, src, dst) || evaluate(n.right, c, src, dst);
    case 'not':
      return !evaluate(n.arg, c, src, dst);
    case 'net':
      return ends(n.dir, src, dst, (e) => inPrefix(n.prefix, c, e));
    case 'port':
      return ends(n.dir, src, dst, (e) => e.port >= n.low && e.port <= n.high);
    case 'proto':
      return n.proto === 'tcp' || (n.proto === 'ip' && c.ipVersion === 4) || (n.proto === 'ip6' && c.ipVersion === 6);
    case 'vlan': {
      const inner = c.vlan ?? -1;
      const outer = c.outerVlan ?? -1;
      return n.id === null ? inner >= 0 || outer >= 0 : inner === n.id || outer === n.id;
    }
  }
}

/** True when a packet of `c` in either direction matches the expression. */
export function matchesConnection(n: FilterNode, c: FilterTarget): boolean {
  return evaluate(n, c, c.client, c.server) || evaluate(n, c, c.server, c.client);
}
