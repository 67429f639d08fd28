/**
 * The connections the timeline draws: every one up to a bound, past it a uniform sample (reservoir sampling
 * with a fixed seed, so the same capture gives the same page), held as columns of numbers.
 */

/** How a connection is drawn on the timeline, worst first: the first that applies. */
export const TIMELINE_CLASSES = ['conflicts', 'holes', 'reset', 'timed out', 'complete', 'other'] as const;
export type TimelineClass = (typeof TIMELINE_CLASSES)[number];

/** Connections the timeline draws at most: a capture of 10k connections is drawn whole. */
export const DEFAULT_TIMELINE_LIMIT = 10_000;

export interface TimelineJson {
  /** Connections offered (every reported one). */
  total: number;
  /** True when `id` holds a sample of them. */
  sampled: boolean;
  id: number[];
  /** Epoch seconds of the first and last packet. */
  start: number[];
  end: number[];
  /** Index into {@link TIMELINE_CLASSES}. */
  cls: number[];
  /** Bytes delivered, both directions. */
  bytes: number[];
}

/** The class code of a connection: its state word (lib/schema/states.ts) and whether it had holes or conflicts. */
export function timelineClass(stateWord: string, missingBytes: number, conflicts: number): number {
  if (conflicts > 0) return 0;
  if (missingBytes > 0) return 1;
  switch (stateWord) {
    case 'reset':
      return 2;
    case 'timed out':
      return 3;
    case 'closed':
      return 4;
    default:
      return 5;
  }
}

export class TimelineSample {
  private readonly id: Float64Array;
  private readonly start: Float64Array;
  private readonly end: Float64Array;
  private readonly cls: Uint8Array;
  private readonly bytes: Float64Array;
  private n = 0;
  private total = 0;
  private rng = 0x9e3779b9;

  constructor(private readonly limit = DEFAULT_TIMELINE_LIMIT) {
    this.id = new Float64Array(limit);
    this.start = new Float64Array(limit);
    this.end = new Float64Array(limit);
    this.cls = new Uint8Array(limit);
    this.bytes = new Float64Array(limit);
  }

  /** A connection that ended. */
  add(id: number, start: number, end: number, cls: number, bytes: number): void {
    const seen = this.total++;
    let at: number;
    if (this.n < this.limit) at = this.n++;
    else {
      // Algorithm R: the k-th connection replaces a random slot with probability limit / k.
      at = this.random() % (seen + 1);
      if (at >= this.limit) return;
    }
    this.id[at] = id;
    this.start[at] = start;
    this.end[at] = end;
    this.cls[at] = cls;
    this.bytes[at] = bytes;
  }

  /** xorshift32: a fixed sequence, so the same capture gives the same sample. */
  private random(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng;
  }

  /** The kept connections sorted by start, with `extra` (connections drawn in detail) added when sampled out. */
  json(extra: ReadonlyArray<{ id: number; start: number; end: number; cls: number; bytes: number }> = []): TimelineJson {
    const rows: Array<{ id: number; start: number; end: number; cls: number; bytes: number }> = [];
    const have = new Set<number>();
    for (let i = 0; i < this.n; i++) {
      rows.push({ id: this.id[i]!, start: this.start[i]!, end: this.end[i]!, cls: this.cls[i]!, bytes: this.bytes[i]! });
      have.add(this.id[i]!);
    }
    for (const e of extra) if (!have.has(e.id)) rows.push(e);
    rows.sort((a, b) => a.start - b.start || a.id - b.id);
    return {
      total: this.total,
      sampled: this.total > this.n,
      id: rows.map((r) => r.id),
      start: rows.map((r) => r.start),
      end: rows.map((r) => r.end),
      cls: rows.map((r) => r.cls),
      bytes: rows.map((r) => r.bytes),
    };
  }
}
