/**
 * The `--since` / `--until` window of capture time. A bound is an instant or an offset from the start of the
 * capture (the first record read), resolved when that record comes. Compared as whole seconds and nanoseconds:
 * a double holding epoch seconds is only exact to about 240 ns, and nanosecond captures need the bound exact.
 */

/** One end of the window: an instant (seconds since the epoch, nanoseconds), or nanoseconds after the first record. */
export type TimeBound = { readonly sec: number; readonly nsec: number } | { readonly afterStartNs: number };

/** The window a pass keeps records in: [since, until). */
export class TimeRange {
  /** False when neither bound was given: nothing to check. */
  readonly active: boolean;
  private sinceSec = -Infinity;
  private sinceNsec = 0;
  private untilSec = Infinity;
  private untilNsec = 0;
  private resolved: boolean;

  constructor(
    private readonly sinceBound?: TimeBound,
    private readonly untilBound?: TimeBound,
  ) {
    this.active = sinceBound !== undefined || untilBound !== undefined;
    this.resolved = !this.active;
  }

  /** True when a record captured at `sec`.`nsec` is inside the window. */
  holds(sec: number, nsec: number): boolean {
    if (!this.resolved) {
      if (this.sinceBound !== undefined) [this.sinceSec, this.sinceNsec] = resolve(this.sinceBound, sec, nsec);
      if (this.untilBound !== undefined) [this.untilSec, this.untilNsec] = resolve(this.untilBound, sec, nsec);
      this.resolved = true;
    }
    const afterSince = sec > this.sinceSec || (sec === this.sinceSec && nsec >= this.sinceNsec);
    const beforeUntil = sec < this.untilSec || (sec === this.untilSec && nsec < this.untilNsec);
    return afterSince && beforeUntil;
  }
}

function resolve(b: TimeBound, startSec: number, startNsec: number): [number, number] {
  if ('sec' in b) return [b.sec, b.nsec];
  const ns = startNsec + b.afterStartNs;
  const carry = Math.floor(ns / 1e9);
  return [startSec + carry, ns - carry * 1e9];
}
