/**
 * Counters of the engine. Field names are stable camelCase: the JSON report prints them as they are.
 */
import { newEndedCounts, type EndedCounts } from '../schema/states.js';
import { DIRECTION_COUNTERS, ROW_COUNTER_SPECS, type CounterSpec, type DirectionCounters } from '../schema/counters.js';

/**
 * Statistics of one direction of a connection: every counter of the one declaration (lib/schema/counter-list.ts)
 * as a plain field, flags as booleans. The class is generated from the declaration once, at load: its fields
 * are then in-object (one cache line walk per packet, as hand-written fields; a Float64Array behind accessors
 * cost a second miss per packet and made 1M connections 14% slower), and its whole-object operations (reset,
 * totals, the row snapshot) are straight-line code instead of loops over names, which V8 turns into slow
 * keyed lookups.
 */
export interface HalfStats extends DirectionCounters {
  /** Back to zero (the connection object is being reused). */
  reset(): void;
  /** Adds the counters run totals sum (CounterSpec.total) of `s` into these. */
  add(s: HalfStats): void;
  /** Writes the row counters (the first ROW_COUNTERS of the declaration) to `a[at, at + ROW_COUNTERS)`, flags as 0/1. */
  writeRowCounters(a: Float64Array, at: number): void;
}

/** The HalfStats constructor type. */
export interface HalfStatsClass {
  new (): HalfStats;
  readonly prototype: HalfStats;
}

function generateHalfStats(): HalfStatsClass {
  // The names go into code: they must be plain identifiers (they are, being JSON keys of our own list).
  for (const c of DIRECTION_COUNTERS) {
    if (!/^[a-z][A-Za-z0-9]*$/.test(c.name)) throw new Error(`counter name is not an identifier: ${c.name}`);
  }
  const zero = DIRECTION_COUNTERS.map((c: CounterSpec) => `this.${c.name} = ${c.unit === 'flag' ? 'false' : '0'};`).join(' ');
  const add = DIRECTION_COUNTERS.filter((c: CounterSpec) => c.total).map((c) => `this.${c.name} += s.${c.name};`).join(' ');
  const write = ROW_COUNTER_SPECS.map((c, i) => `a[at + ${i}] = ${c.unit === 'flag' ? `this.${c.name} ? 1 : 0` : `this.${c.name}`};`).join(' ');
  const source = `return class HalfStats {
    constructor() { ${zero} }
    reset() { ${zero} }
    add(s) { ${add} }
    writeRowCounters(a, at) { ${write} }
  };`;
  return new Function(source)() as HalfStatsClass;
}

export const HalfStats: HalfStatsClass = generateHalfStats();

/** Statistics of a StreamPool: the connection table. */
export class PoolStats {
  connectionsCreated = 0;
  connectionsOpen = 0;
  connectionsPeakOpen = 0;
  /** Connections created without a SYN seen first (picked up mid-stream). */
  midStreamPickups = 0;
  /** New connections on a 4-tuple whose previous connection was still remembered (new SYN, new ISN). */
  portReuses = 0;
  /** Closed connections kept to absorb late packets, now. */
  tombstones = 0;
  /** Tombstones dropped by the close timeout or their bound. */
  tombstonesExpired = 0;
  /** Packets that hit a tombstone (late ACKs, retransmissions after close). */
  packetsToTombstones = 0;
  /** Connections ended, by reason (lib/schema/states.ts). */
  readonly ended: EndedCounts = newEndedCounts();
}

/** Statistics of an Assembler: packets and memory. */
export class AssemblerStats {
  packets = 0;
  /** Pages in use: buffered (queued + kept) plus window. */
  pagesInUse = 0;
  pagesPeak = 0;
  /** Pages holding out-of-order or kept data. */
  bufferedPages = 0;
  bufferedPagesPeak = 0;
  /** Pages holding the delivered-data windows of copied bytes. */
  windowPages = 0;
  windowPagesPeak = 0;
  /** Run slots (in rings) describing the delivered-data windows of bytes in the capture file. */
  windowRuns = 0;
  windowRunsPeak = 0;
  /** Times a page limit forced a gap to be skipped. */
  limitHitsPerConnection = 0;
  limitHitsTotal = 0;
  /** Bytes of sequence space skipped because of page limits. */
  bytesSkippedByLimits = 0;
  /** Times a window could not grow because of the bound on window pages or runs in all. */
  windowPageLimitHits = 0;
}
