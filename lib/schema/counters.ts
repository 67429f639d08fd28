/**
 * What follows from the one list of per-direction counters (counter-list.ts): their types, positions, the
 * run totals' mask and the read-back of a row's counters. The engine's HalfStats (lib/reassembly/stats.ts) and
 * the report's columns (lib/report/connection-columns.ts) are derived from the same list.
 *
 * Names are the report's names everywhere, the engine included: `bytes` is the delivered (reassembled) bytes,
 * `wireBytes` the payload seen on the wire, `missingBytes` the sequence space never seen.
 */

import { DIRECTION_COUNTERS, type CounterSpec } from './counter-list.js';

export { DIRECTION_COUNTERS };
export type { CounterSpec, CounterUnit } from './counter-list.js';

type Spec = (typeof DIRECTION_COUNTERS)[number];
/** Name of a direction counter. */
export type CounterName = Spec['name'];
/** Names of the yes/no counters. */
export type FlagName = Extract<Spec, { unit: 'flag' }>['name'];
/** Names of the counters a row carries. */
export type RowCounterName = Extract<Spec, { row: true }>['name'];

/** The value type of a counter: boolean for flags, number for the rest. */
type ValueOf<K extends CounterName> = K extends FlagName ? boolean : number;

/** Every counter of a direction as named fields (what HalfStats has). */
export type DirectionCounters = { -readonly [K in CounterName]: ValueOf<K> };

/** A direction's counters as a row reports them (JSON, manifest): the row counters, in declaration order. */
export type DirectionReport = { [K in RowCounterName]: ValueOf<K> };

/** Number of counters. */
export const COUNTERS = DIRECTION_COUNTERS.length;

/** Number of row counters: they are the first values of a direction. */
export const ROW_COUNTERS = DIRECTION_COUNTERS.filter((c) => c.row).length;

/** Position of each counter in a direction's values. */
export const COUNTER_INDEX: Readonly<Record<CounterName, number>> = Object.freeze(
  Object.fromEntries(DIRECTION_COUNTERS.map((c, i) => [c.name, i])) as Record<CounterName, number>,
);

/** Positions of the counters run totals add up. */
export const TOTAL_INDICES: Int32Array = Int32Array.from(
  DIRECTION_COUNTERS.flatMap((c, i) => (c.total ? [i] : [])),
);

/** The counters of a row, in order. */
export const ROW_COUNTER_SPECS: readonly CounterSpec[] = DIRECTION_COUNTERS.slice(0, ROW_COUNTERS);

// A row's snapshot copies the first ROW_COUNTERS values: that holds only if no row counter follows an engine one.
if (DIRECTION_COUNTERS.slice(ROW_COUNTERS).some((c) => c.row)) {
  throw new Error('DIRECTION_COUNTERS: row counters must come before the engine-only ones');
}

/** Adds the summed counters of `from` into `into` (both a direction's values). */
export function addTotals(into: Float64Array, from: Float64Array): void {
  const idx = TOTAL_INDICES;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    into[i] = into[i]! + from[i]!;
  }
}

/** The row counters stored at `a[at, at + ROW_COUNTERS)` as the plain object a report prints. */
export function readDirection(a: ArrayLike<number>, at: number): DirectionReport {
  const o: Record<string, number | boolean> = {};
  for (let i = 0; i < ROW_COUNTERS; i++) {
    const c = ROW_COUNTER_SPECS[i]!;
    o[c.name] = c.unit === 'flag' ? a[at + i] !== 0 : a[at + i]!;
  }
  return o as DirectionReport;
}
