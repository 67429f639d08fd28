/** "Did you mean" for a mistyped option, as git and npm give it. */

/** Edit distance between two short words, a swap of neighbours counting as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * For yargs' `Unknown argument(s): x, y` message, the text to append: `; did you mean --port?` for each unknown
 * word close to a known option (at most a third of its letters wrong), else ''.
 */
export function suggestOption(message: string, known: readonly string[]): string {
  const m = /^Unknown arguments?: (.*)$/.exec(message);
  if (m === null) return '';
  const hints: string[] = [];
  for (const word of m[1]!.split(', ')) {
    const w = word.replace(/^-+/, '');
    let best: string | null = null;
    let bestD = Infinity;
    for (const k of known) {
      const d = editDistance(w, k);
      if (d < bestD) {
        best = k;
        bestD = d;
      }
    }
    if (best !== null && bestD <= Math.max(1, Math.floor(best.length / 3))) hints.push(`--${best}`);
  }
  return hints.length === 0 ? '' : `; did you mean ${hints.join(', ')}?`;
}
