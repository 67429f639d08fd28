import { formatBytes, formatCount } from '../../lib/report/index.js';
import type { RunSummary } from '../../lib/pipeline/index.js';

/** Lines under the report's summary block: the engine's memory and bounds, and how connections ended. */
export function engineLines(s: RunSummary): string {
  const e = s.engine;
  const c = e.closed;
  const ended = [
    ['complete', c.complete],
    ['reset', c.reset],
    ['timed out', c.timedOut],
    ['open at end', c.openAtEnd],
    ['evicted', c.evicted],
    ['superseded', c.superseded],
  ]
    .filter(([, n]) => (n as number) > 0)
    .map(([k, n]) => `${k} ${formatCount(n as number)}`)
    .join(', ');
  const lines: Array<[string, string]> = [
    ['Connections ended', ended === '' ? '0' : ended],
    ['Peak memory', `${formatCount(e.pagesPeak)} pages (${formatBytes(e.pagesPeak * 1900)}), ${formatCount(e.connectionsPeakOpen)} connections open at once`],
    ['Skipped by limits', `${formatCount(e.bytesSkippedByLimits)} B, ${formatCount(e.connectionsEvicted)} connections evicted`],
  ];
  if (s.interrupted) lines.push(['Interrupted', 'yes: the capture was not read to its end']);
  return `${lines.map(([l, v]) => `${l.padEnd(18)}  ${v}`).join('\n')}\n`;
}
