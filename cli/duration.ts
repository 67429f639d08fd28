/**
 * Parses a capture-time duration such as `90`, `90s`, `1.5m`, `2h`, `250ms` into seconds.
 * A bare number is seconds. Returns NaN for anything else, so the caller can report a usage error.
 */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') return text >= 0 ? text : NaN;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|ms|s|m|h|d)?\s*$/i.exec(text);
  if (!m) return NaN;
  const value = Number(m[1]);
  switch ((m[2] ?? 's').toLowerCase()) {
    case 'ns': return value / 1e9;
    case 'us': return value / 1e6;
    case 'ms': return value / 1e3;
    case 's': return value;
    case 'm': return value * 60;
    case 'h': return value * 3600;
    case 'd': return value * 86400;
    default: return NaN;
  }
}
