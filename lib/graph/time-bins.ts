/**
 * Counts over capture time in a fixed number of bins whose width doubles as the capture goes on (neighbours
 * merged), so a capture of any length fits without knowing its length in advance: a streaming histogram.
 */

/** Bins of a report's counts over time. */
export const TIME_BINS = 240;

export interface TimeBinsJson {
  /** Capture time of the first bin's start, epoch seconds. */
  start: number;
  /** Width of one bin, seconds. */
  width: number;
  /** TCP segments of the reported connections, while open (those after the close are not drawn either). */
  segments: number[];
  /** Their payload bytes on the wire. */
  bytes: number[];
  /** Connections that started in the bin. */
  starts: number[];
}

export class TimeBins {
  private start = NaN;
  private width: number;
  private readonly segments = new Float64Array(TIME_BINS);
  private readonly bytes = new Float64Array(TIME_BINS);
  private readonly starts = new Float64Array(TIME_BINS);

  /** @param initialWidth the narrowest bin, seconds (1 ms: finer than any display needs) */
  constructor(private readonly initialWidth = 0.001) {
    this.width = initialWidth;
  }

  /** A segment of `payload` bytes at capture time `t` (epoch seconds). */
  segment(t: number, payload: number): void {
    const b = this.bin(t);
    this.segments[b]!++;
    this.bytes[b]! += payload;
  }

  /** A connection that started at `t`. */
  connection(t: number): void {
    this.starts[this.bin(t)]!++;
  }

  /** The bin of `t`, widening the bins until it fits; a time before the first goes to the first bin. */
  private bin(t: number): number {
    if (Number.isNaN(this.start)) this.start = t;
    const off = t - this.start;
    if (!(off > 0)) return 0;
    while (off >= this.width * TIME_BINS) this.widen();
    return Math.min(TIME_BINS - 1, Math.floor(off / this.width));
  }

  private widen(): void {
    for (const a of [this.segments, this.bytes, this.starts]) {
      for (let i = 0; i < TIME_BINS / 2; i++) a[i] = a[2 * i]! + a[2 * i + 1]!;
      a.fill(0, TIME_BINS / 2);
    }
    this.width *= 2;
  }

  /** The used bins (up to the last one with anything in it). */
  json(): TimeBinsJson {
    let used = 0;
    for (let i = 0; i < TIME_BINS; i++) if (this.segments[i]! > 0 || this.starts[i]! > 0) used = i + 1;
    return {
      start: Number.isNaN(this.start) ? 0 : this.start,
      width: this.width,
      segments: Array.from(this.segments.subarray(0, used)),
      bytes: Array.from(this.bytes.subarray(0, used)),
      starts: Array.from(this.starts.subarray(0, used)),
    };
  }

  /** Back to empty. */
  clear(): void {
    this.start = NaN;
    this.width = this.initialWidth;
    this.segments.fill(0);
    this.bytes.fill(0);
    this.starts.fill(0);
  }
}
