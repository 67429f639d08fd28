import { compileFilter, FilterSyntaxError, matchesConnection, parseFilter, type FilterNode } from '../filter/index.js';
import { parseAddress } from '../net/address.js';
import type { Column } from './columns.js';

/** A bad `--sort` or filter value: the message says what is allowed. */
export class SelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectionError';
  }
}

/** The column a `--sort` name means (case-insensitive), or a SelectionError listing the valid names. */
export function findColumn<T>(columns: ReadonlyArray<Column<T>>, name: string, what = 'sort column'): Column<T> {
  const want = name.trim().toLowerCase();
  const col = columns.find((c) => c.key.toLowerCase() === want);
  if (col === undefined) {
    throw new SelectionError(`unknown ${what} "${name}"; one of: ${columns.map((c) => c.key).join(', ')}`);
  }
  return col;
}

function compareKeys(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return -1; // absent sorts as the smallest
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

/** Which connections to report: all given kinds of condition must hold, any value of a kind may match. */
export interface ConnectionFilter {
  /**
   * Addresses either end may have, in any valid spelling (`fd00:0::1` matches `fd00::1`), a CIDR prefix
   * (`10.0.0.0/8`), or an endpoint as the tables print it (`10.0.0.1:80`, `[fd00::1]:443`).
   */
  hosts?: readonly string[];
  /** A pcap-filter expression (`host 10.0.0.1 and port 80`, see lib/filter). */
  expression?: string;
  /** Ports either end may use. */
  ports?: readonly number[];
  /** Connection ids. */
  ids?: readonly number[];
}

/** What a selection looks at: the engine's ConnectionInfo has this shape (addresses as four words). */
export interface Selectable {
  readonly id: number;
  readonly vlan?: number;
  readonly outerVlan?: number;
  readonly ipVersion: 4 | 6;
  readonly client: { readonly addr: ArrayLike<number>; readonly port: number };
  readonly server: { readonly addr: ArrayLike<number>; readonly port: number };
}

/** The filter tree of one `--host` value: an address, a prefix, or an endpoint `ADDR:PORT`. */
function hostNode(h: string): FilterNode {
  const t = h.trim();
  const endpoint = /^\[([^\]]+)\]:(\d+)$/.exec(t) ?? /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(t);
  const bad = (): SelectionError =>
    new SelectionError(`--host wants an IPv4 or IPv6 address, a prefix (10.0.0.0/8) or an endpoint (10.0.0.1:80, [fd00::1]:80), not "${h}"`);
  if (endpoint !== null) {
    const [, addr, port] = endpoint;
    if (parseAddress(addr!) === null || Number(port) > 65535) throw bad();
    return parseFilter(`(src host ${addr} and src port ${port}) or (dst host ${addr} and dst port ${port})`);
  }
  const slash = t.indexOf('/');
  if (parseAddress(slash < 0 ? t : t.slice(0, slash)) === null) throw bad();
  try {
    return parseFilter(slash < 0 ? `host ${t}` : `net ${t}`);
  } catch (e) {
    if (e instanceof FilterSyntaxError) throw new SelectionError(`--host ${h}: ${e.detail}`);
    throw e;
  }
}

/**
 * A predicate for a filter, compared on address words (no text per connection), validated up front so a
 * typo is a usage error rather than an empty report; null when the filter selects everything. Throws
 * SelectionError, with the column for an expression that does not parse.
 */
export function connectionFilter(filter: ConnectionFilter): ((c: Selectable) => boolean) | null {
  const hosts = (filter.hosts ?? []).map(hostNode);
  const ports = filter.ports ?? [];
  for (const port of ports) {
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SelectionError(`--port wants a number from 0 to 65535, not ${port}`);
  }
  const idList = filter.ids ?? [];
  for (const id of idList) {
    if (!Number.isInteger(id) || id < 0) throw new SelectionError(`--id wants connection ids (0, 1, ...), not ${id}`);
  }
  let expression: ((c: Selectable) => boolean) | null = null;
  if (filter.expression !== undefined) {
    try {
      expression = compileFilter(filter.expression);
    } catch (e) {
      if (e instanceof FilterSyntaxError) throw new SelectionError(e.message);
      throw e;
    }
  }
  if (hosts.length + ports.length + idList.length === 0 && expression === null) return null;
  const ids = idList.length === 0 ? null : new Set(idList);
  return (c) =>
    (hosts.length === 0 || hosts.some((h) => matchesConnection(h, c))) &&
    (ports.length === 0 || ports.some((p) => c.client.port === p || c.server.port === p)) &&
    (ids === null || ids.has(c.id)) &&
    (expression === null || expression(c));
}

/** A SelectionError for a `--top` that is not a whole number of rows. */
export function checkTop(n: number | undefined): void {
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new SelectionError(`--top wants a whole number of rows, not ${n}`);
}

/**
 * The first `n` rows of a `--sort` as rows come, in O(n) memory whatever the number of rows: a heap of the
 * best `n` so far, worst on top. The result is the first `n` of all rows sorted by the column (stable, ties
 * in `tie` order, by default the order they were added).
 */
export class TopRows<T> {
  private readonly heap: Array<{ row: T; k: number | string | null; t: number }> = [];
  private readonly key: (row: T) => number | string | null;
  private seq = 0;

  constructor(
    private readonly n: number,
    column: Column<T>,
    private readonly descending: boolean = column.numeric,
    private readonly tie?: (row: T) => number,
  ) {
    checkTop(n);
    this.key = column.sortKey ?? column.value;
  }

  add(row: T): void {
    if (this.n === 0) return;
    const e = { row, k: this.key(row), t: this.tie !== undefined ? this.tie(row) : this.seq++ };
    const h = this.heap;
    if (h.length < this.n) {
      h.push(e);
      this.up(h.length - 1);
    } else if (this.order(e, h[0]!) < 0) {
      h[0] = e;
      this.down(0);
    }
  }

  /** The kept rows, best first. */
  rows(): T[] {
    return [...this.heap].sort((a, b) => this.order(a, b)).map((e) => e.row);
  }

  /** Negative when `a` comes before `b` in the sorted report. */
  private order(a: { k: number | string | null; t: number }, b: { k: number | string | null; t: number }): number {
    const c = compareKeys(a.k, b.k);
    return c !== 0 ? (this.descending ? -c : c) : a.t - b.t;
  }

  // Max-heap by report order: the root is the row that would be printed last.
  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.order(h[i]!, h[p]!) <= 0) return;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.order(h[l]!, h[m]!) > 0) m = l;
      if (r < h.length && this.order(h[r]!, h[m]!) > 0) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

/**
 * The row order of a `--sort` over `count` rows read through `rowAt`, as indices (stable: ties in index order,
 * or by `tie` when given). Only the keys are held, one per row, not the rows.
 */
export function sortedOrder<T>(
  count: number,
  rowAt: (i: number) => T,
  column: Column<T>,
  descending: boolean = column.numeric,
  tie?: (row: T) => number,
): Uint32Array {
  const key = column.sortKey ?? column.value;
  const ties = tie === undefined ? null : new Float64Array(count);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  let numeric = true;
  const nums = new Float64Array(count);
  const any: Array<number | string | null> = [];
  for (let i = 0; i < count; i++) {
    const row = rowAt(i);
    if (ties !== null) ties[i] = tie!(row);
    const k = key(row);
    if (numeric && typeof k === 'number') {
      nums[i] = k;
      continue;
    }
    if (numeric) {
      // First non-number: fall back to a general key list.
      numeric = false;
      for (let j = 0; j < i; j++) any.push(nums[j]!);
    }
    any.push(k);
  }
  const sign = descending ? -1 : 1;
  // Array.prototype.sort is stable, but a typed array's sort need not be: ties are broken by index explicitly.
  const idx = Array.from(order);
  const byTie = (a: number, b: number): number => (ties !== null ? ties[a]! - ties[b]! || a - b : a - b);
  if (numeric) idx.sort((a, b) => (nums[a]! - nums[b]!) * sign || byTie(a, b));
  else idx.sort((a, b) => compareKeys(any[a]!, any[b]!) * sign || byTie(a, b));
  order.set(idx);
  return order;
}
