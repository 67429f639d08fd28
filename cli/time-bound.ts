import type { TimeBound } from '../lib/pipeline/index.js';
import { parseDuration } from './duration.js';

/** Whole seconds and the nanoseconds of a decimal fraction (`.25` -> 250000000), exactly. */
function split(whole: number, fraction: string): { sec: number; nsec: number } {
  return { sec: whole, nsec: fraction === '' ? 0 : Number(fraction.slice(1, 10).padEnd(9, '0')) };
}

/**
 * A `--since` / `--until` value: epoch seconds (`1700000000.5`), an ISO 8601 date and time (`2026-03-01T10:00Z`,
 * `2026-03-01 10:00:05.25+01:00`; without a zone it is UTC, as capture times are), or `+DURATION` from the
 * capture's first record (`+10m`, `+90s`). Exact to the nanosecond. Null when the text is none of these.
 */
export function parseTimeBound(text: string): TimeBound | null {
  const t = text.trim();
  if (t.startsWith('+')) {
    const d = parseDuration(t.slice(1));
    return Number.isNaN(d) ? null : { afterStartNs: Math.round(d * 1e9) };
  }
  const epoch = /^(\d+)(\.\d+)?$/.exec(t);
  if (epoch !== null) return split(Number(epoch[1]), epoch[2] ?? '');
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(t);
  if (m === null) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  let offset = 0;
  if (zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    offset = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 3600 + Number(z[3]) * 60);
  }
  return split(ms / 1000 - offset, frac);
}
