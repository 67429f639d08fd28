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
