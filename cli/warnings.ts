/**
 * Reader warnings on stderr that cannot flood it: a hostile capture can hold a million damaged records, and a
 * million warning lines bury the one that matters. Each kind (diagnostic code) is printed in full a few times;
 * after that at most one line a second says how many of which kind came since, and the end says what was not
 * shown. Every warning is still counted in the summary (`Reader diagnostics`; `summary.diagnostics` in JSON).
 */
import type { Diagnostic } from '../lib/capture/index.js';
import { formatCount } from '../lib/report/index.js';

/** Warnings of one kind printed in full before the rest are only counted. */
export const WARNINGS_SHOWN_PER_KIND = 5;
/** Least time between two lines about warnings not shown. */
const NOTICE_INTERVAL_MS = 1000;

interface Kind {
  seen: number;
  /** Not shown and not yet in a notice line. */
  unreported: number;
}

/** Prints warnings through `write` as described above; `line` makes the full line of one warning. */
export class WarningLimiter {
  private readonly kinds = new Map<string, Kind>();
  private lastNotice = -Infinity;

  constructor(
    private readonly write: (text: string) => void,
    private readonly source: string,
    private readonly line: (d: Diagnostic) => string,
    private readonly now: () => number = Date.now,
    private readonly shownPerKind = WARNINGS_SHOWN_PER_KIND,
  ) {}

  /** One warning: printed, counted, or counted and noticed. */
  warn(d: Diagnostic): void {
    let k = this.kinds.get(d.code);
    if (k === undefined) this.kinds.set(d.code, (k = { seen: 0, unreported: 0 }));
    k.seen++;
    if (k.seen <= this.shownPerKind) {
      this.write(this.line(d));
      if (k.seen === this.shownPerKind) this.write(`tcpreasm: warning: ${this.source}: more [${d.code}] warnings are counted, not shown\n`);
      return;
    }
    k.unreported++;
    const t = this.now();
    if (t - this.lastNotice < NOTICE_INTERVAL_MS) return;
    this.lastNotice = t;
    this.write(`tcpreasm: warning: ${this.source}: [${d.code}] ${formatCount(k.seen)} so far, ${formatCount(k.unreported)} since the last shown; latest: ${this.line(d).replace(/^tcpreasm: warning: /, '')}`);
    k.unreported = 0;
  }

  /** The run is over: one line for each kind with warnings not shown (once, however often called). */
  end(): void {
    for (const [code, k] of this.kinds) {
      if (k.seen <= this.shownPerKind) continue;
      this.write(`tcpreasm: warning: ${this.source}: [${code}] ${formatCount(k.seen)} in all, ${formatCount(this.shownPerKind)} shown\n`);
    }
    this.kinds.clear();
  }
}
