/**
 * Counters of the engine. Field names are stable camelCase: the JSON report prints them as they are.
 */
import { newEndedCounts, type EndedCounts } from '../schema/states.js';
import { addTotals, COUNTERS, DIRECTION_COUNTERS, type CounterSpec, type DirectionCounters } from '../schema/counters.js';

/**
 * Statistics of one direction of a connection: every counter of the one declaration (lib/schema/counters.ts),
 * as named fields (`stats.packets`, `stats.bytes`, ...) over one Float64Array. The engine counts through the
 * fields; a connection's snapshot, the run totals and a reset work on `values` whole.
 */
// The interface gives the class the declared counters' types; the accessors below give them their storage.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface HalfStats extends DirectionCounters {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class HalfStats {
  /** Every counter, in declaration order ({@link COUNTER_INDEX}); flags are 0 or 1. */
  readonly values = new Float64Array(COUNTERS);

  /** Back to zero (the connection object is being reused). */
  reset(): void {
    this.values.fill(0);
  }

  /** Adds the counters run totals sum (see CounterSpec.total) of `s` into these. */
  add(s: HalfStats): void {
    addTotals(this.values, s.values);
  }
}

// One accessor pair per declared counter; call sites see one shape, so the optimiser inlines them.
DIRECTION_COUNTERS.forEach((c: CounterSpec, i) => {
  Object.defineProperty(
    HalfStats.prototype,
    c.name,
    c.unit === 'flag'
      ? {
          get(this: HalfStats) { return this.values[i] !== 0; },
          set(this: HalfStats, v: boolean) { this.values[i] = v ? 1 : 0; },
          enumerable: true,
        }
      : {
          get(this: HalfStats) { return this.values[i]; },
          set(this: HalfStats, v: number) { this.values[i] = v; },
          enumerable: true,
        },
  );
});

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
  /** Pages holding the delivered-data windows. */
  windowPages = 0;
  windowPagesPeak = 0;
  /** Times a page limit forced a gap to be skipped. */
  limitHitsPerConnection = 0;
  limitHitsTotal = 0;
  /** Bytes of sequence space skipped because of page limits. */
  bytesSkippedByLimits = 0;
  /** Times a window could not grow because of the window page bound. */
  windowPageLimitHits = 0;
}
