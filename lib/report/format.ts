/**
 * Human formatting for reports: sizes and rates in SI units (kB, MB, GB: 1000-based, as disk and network
 * figures are quoted), counts with thousands separators, durations from nanoseconds.
 */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** `512 B`, `1.23 kB`, `45.6 MB`, `812 MB`, `1.50 GB`: three significant digits from 1 kB up. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  if (v < 1000) return `${sign}${Math.round(v)} B`;
  let u = 0;
  while (v >= 999.5 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  return `${sign}${threeDigits(v)} ${UNITS[u]}`;
}

function threeDigits(v: number): string {
  if (v >= 99.95) return v.toFixed(0);
  if (v >= 9.995) return v.toFixed(1);
  return v.toFixed(2);
}

/**
 * `1,234,567` (rounded to an integer; `0`, never `-0`). Written by hand: `toLocaleString` with options builds a number
 * formatter per call, which made a million-row table take minutes.
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return n.toLocaleString('en-US');
  // Half away from zero, as Intl rounds.
  const r = n < 0 ? -Math.round(-n) : Math.round(n);
  if (r > -1000 && r < 1000) return r === 0 ? '0' : String(r);
  const digits = String(Math.abs(r));
  if (digits.includes('e')) return r.toLocaleString('en-US');
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return r < 0 ? `-${out}` : out;
}

/**
 * A duration given in nanoseconds: `850 ns`, `12.3 µs`, `123 ms`, `12.35 s`, `12 min 05 s`, `3 h 04 min`,
 * `2 d 03 h`. Negative durations (clock steps inside a capture) keep their sign.
 */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns);
  if (ns < 0) return `-${formatDuration(-ns)}`;
  if (ns < 1e3) return `${Math.round(ns)} ns`;
  if (ns < 999.5e3) return `${threeDigits(ns / 1e3)} µs`;
  if (ns < 999.5e6) return `${threeDigits(ns / 1e6)} ms`;
  if (ns < 59.995e9) return `${(ns / 1e9).toFixed(2)} s`;
  const s = Math.round(ns / 1e9);
  if (s < 3600) return `${Math.floor(s / 60)} min ${two(s % 60)} s`;
  const m = Math.round(s / 60);
  if (m < 24 * 60) return `${Math.floor(m / 60)} h ${two(m % 60)} min`;
  const h = Math.round(m / 60);
  return `${Math.floor(h / 24)} d ${two(h % 24)} h`;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** Bytes per second over `ns` nanoseconds: `85.3 MB/s`; `-` when no time has passed. */
export function formatRate(bytes: number, ns: number): string {
  if (!(ns > 0)) return '-';
  return `${formatBytes((bytes * 1e9) / ns)}/s`;
}

/** `1 connection`, `2 connections`, `1,000 records`: a count and its noun, singular only for exactly one. */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${formatCount(n)} ${n === 1 ? noun : plural}`;
}

/** Prose folded at word breaks to lines of at most `width` characters (a word longer than that stays whole). */
export function wrapText(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      if (line.length <= width) return line;
      const out: string[] = [];
      let cur = '';
      for (const word of line.split(' ')) {
        if (cur !== '' && cur.length + 1 + word.length > width) {
          out.push(cur);
          cur = word;
        } else cur = cur === '' ? word : `${cur} ${word}`;
      }
      out.push(cur);
      return out.join('\n');
    })
    .join('\n');
}
