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

/** Number of row counters: they come first in the declaration. */
export const ROW_COUNTERS = DIRECTION_COUNTERS.filter((c) => c.row).length;

/** The counters of a row, in order. */
export const ROW_COUNTER_SPECS: readonly CounterSpec[] = DIRECTION_COUNTERS.slice(0, ROW_COUNTERS);

// A row's counters are the first ROW_COUNTERS of the declaration: no row counter may follow an engine one.
if (DIRECTION_COUNTERS.slice(ROW_COUNTERS).some((c) => c.row)) {
  throw new Error('DIRECTION_COUNTERS: row counters must come before the engine-only ones');
}

/**
 * The row counters stored at `a[at, at + ROW_COUNTERS)` as the plain object a report prints. Compiled once
 * from the counter list into one object literal (as pg and ajv compile their row readers): a report reads
 * back two of these a row, a million rows a table, and an object built key by key costs ten times as much.
 */
export const readDirection: (a: ArrayLike<number>, at: number) => DirectionReport = new Function(
  'a',
  'at',
  `return {${ROW_COUNTER_SPECS.map((c, i) => `${JSON.stringify(c.name)}: ${c.unit === 'flag' ? `a[at + ${i}] !== 0` : `a[at + ${i}]`}`).join(', ')}};`,
) as (a: ArrayLike<number>, at: number) => DirectionReport;
