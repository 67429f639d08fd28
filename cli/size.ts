/**
 * Parses a byte size such as `4096`, `64k`, `16MiB`, `2G` into bytes (binary multiples: k = 1024).
 * Returns NaN for anything else, so the caller can report a usage error.
 */
export function parseSize(text: string | number): number {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? Math.floor(text) : NaN;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?\s*$/i.exec(text);
  if (!m) return NaN;
  const power = m[2] === undefined ? 0 : 'kmgt'.indexOf(m[2].toLowerCase()) + 1;
  return Math.floor(Number(m[1]) * 1024 ** power);
}
