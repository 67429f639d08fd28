import { formatAddress, parseAddress } from '../net/address.js';
import type { Column } from './columns.js';
import type { ConnectionRow } from './rows.js';

/** A bad `--sort` or filter value: the message says what is allowed. */
export class SelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectionError';
  }
}

/** The column a `--sort` name means (case-insensitive), or a SelectionError listing the valid names. */
export function findColumn<T>(columns: ReadonlyArray<Column<T>>, name: string): Column<T> {
  const want = name.trim().toLowerCase();
  const col = columns.find((c) => c.key.toLowerCase() === want);
  if (col === undefined) {
    throw new SelectionError(`unknown sort column "${name}"; one of: ${columns.map((c) => c.key).join(', ')}`);
  }
  return col;
}

/**
 * Rows sorted by a column: numbers largest first, text A to Z (pass `descending` to choose). Stable, so
 * equal rows keep their order (the id order the pipeline produces). Returns a new array.
 */
export function sortRows<T>(rows: readonly T[], column: Column<T>, descending: boolean = column.numeric): T[] {
  const key = column.sortKey ?? column.value;
  const keyed = rows.map((row, i) => ({ row, i, k: key(row) }));
  keyed.sort((a, b) => {
    const c = compareKeys(a.k, b.k);
    return c !== 0 ? (descending ? -c : c) : a.i - b.i;
  });
  return keyed.map((x) => x.row);
}

function compareKeys(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return -1; // absent sorts as the smallest
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

/** The first `n` rows (all when `n` is undefined); a SelectionError for a negative or fractional `n`. */
export function topRows<T>(rows: readonly T[], n: number | undefined): T[] {
  if (n === undefined) return rows.slice();
  if (!Number.isInteger(n) || n < 0) throw new SelectionError(`--top wants a whole number of rows, not ${n}`);
  return rows.slice(0, n);
}

/** Which connections to report: all given conditions must hold. */
export interface ConnectionFilter {
  /** An address either end has, in any valid spelling (`fd00:0::1` matches `fd00::1`). */
  host?: string;
  /** A port either end uses. */
  port?: number;
  /** Connection ids. */
  ids?: readonly number[];
}

/**
 * A predicate for a filter, validated up front so a typo is a usage error rather than an empty report.
 * Throws SelectionError.
 */
export function connectionFilter(filter: ConnectionFilter): (row: ConnectionRow) => boolean {
  let host: string | null = null;
  if (filter.host !== undefined) {
    const a = parseAddress(filter.host);
    if (a === null) throw new SelectionError(`--host wants an IPv4 or IPv6 address, not "${filter.host}"`);
    host = formatAddress(a.words, a.ipVersion);
  }
  const port = filter.port;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new SelectionError(`--port wants a number from 0 to 65535, not ${port}`);
  }
  for (const id of filter.ids ?? []) {
    if (!Number.isInteger(id) || id < 0) throw new SelectionError(`--id wants connection ids (0, 1, ...), not ${id}`);
  }
  const ids = filter.ids === undefined ? null : new Set(filter.ids);
  return (r) =>
    (host === null || r.client === host || r.server === host) &&
    (port === undefined || r.clientPort === port || r.serverPort === port) &&
    (ids === null || ids.has(r.id));
}

/**
 * The first `n` rows of a `--sort` as rows come, in O(n) memory whatever the number of rows: a heap of the
 * best `n` so far, worst on top. The result equals `topRows(sortRows(all, column, descending), n)` where `all`
 * is the rows in `tie` order (default: the order they were added).
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
    if (!Number.isInteger(n) || n < 0) throw new SelectionError(`--top wants a whole number of rows, not ${n}`);
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
 * The row order of a `--sort` over `count` rows read through `rowAt`, as indices (the same order sortRows
 * gives: stable, ties in index order, or by `tie` when given). Only the keys are held, one per row, not the rows.
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
