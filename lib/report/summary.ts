import { counted, formatBytes, formatCount, formatDuration, formatRate } from './format.js';
import { CONNECTION_STATES, type EndKey } from '../schema/states.js';
import type { RunSummary } from './rows.js';

function byKind(counts: Record<string, number>): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return '0';
  entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return `${formatCount(total)} (${entries.map(([k, n]) => `${k} ${formatCount(n)}`).join(', ')})`;
}

function bytes(n: number): string {
  return n < 1000 ? `${formatCount(n)} B` : `${formatBytes(n)} (${formatCount(n)} B)`;
}

/** How connections ended: the nonzero counts, in state order. */
function endedText(s: RunSummary): string {
  const ended = CONNECTION_STATES.flatMap((st) => {
    const n = st.reason === 'open' ? 0 : s.engine.ended[st.key as EndKey];
    return n > 0 ? [`${st.word} ${formatCount(n)}`] : [];
  });
  return ended.length === 0 ? '0' : ended.join(', ');
}

/** `Input` for one capture; for a set, the total and then one line per input with its time range. */
function inputLines(s: RunSummary): Array<[string, string]> {
  if (s.inputs.length <= 1) return [['Input', `${s.input}, ${bytes(s.inputBytes)}`]];
  return [
    ['Inputs', `${counted(s.inputs.length, 'capture')}, ${bytes(s.inputBytes)}, merged by capture time`],
    ...s.inputs.map((i): [string, string] => [
      '',
      `${i.name}: ${counted(i.records, 'record')}${i.firstTime === null ? '' : `, ${i.firstTime} to ${i.lastTime}`}${i.cleanEnd ? '' : ', damaged'}`,
    ]),
  ];
}

/**
 * The summary block under every report: one `label  value` line per total, exact counts kept, then the
 * engine's memory and bounds and how connections ended.
 */
export function renderSummary(s: RunSummary): string {
  const lines = summaryLines(s);
  const width = Math.max(...lines.map(([l]) => l.length));
  return lines.map(([l, v]) => `${l.padEnd(width)}  ${v}`).join('\n');
}

/** The summary block's lines as (label, value): a label is empty on the lines under an inputs total. */
export function summaryLines(s: RunSummary): Array<[string, string]> {
  const e = s.engine;
  const lines: Array<[string, string]> = [
    ...inputLines(s),
    ['Packets read', formatCount(s.packetsRead)],
    ['TCP segments', formatCount(s.tcpSegments)],
    ['Connections', formatCount(s.connections)],
    ['Bytes reassembled', bytes(s.bytesReassembled)],
    ['Bytes missing', bytes(s.bytesMissing)],
    ['Overlaps', `${counted(s.overlapPackets, 'packet')}, ${bytes(s.overlapBytes)}`],
    ['Conflicts', formatCount(s.conflicts)],
    // Both are drops a receiver makes: an RST or a segment far outside its window. Shown even at 0, like
    // conflicts, so "none" is a finding rather than an absence.
    ['RSTs ignored', `${formatCount(s.rstIgnored)}${s.rstIgnored > 0 ? ' (outside the receiver\'s window: the connection went on)' : ''}`],
    ['RSTs not taken', `${formatCount(s.rstNotTaken)}${s.rstNotTaken > 0 ? ' (in the window, but the receiver went on acknowledging data sent after them)' : ''}`],
    ['Out-of-window', `${counted(s.outOfWindowPackets, 'packet')}, ${bytes(s.outOfWindowBytes)}`],
    ['Malformed packets', byKind(s.malformed)],
    ['Reader diagnostics', byKind(s.diagnostics)],
    ['Elapsed', `${formatDuration(s.elapsedNs)}, ${formatRate(s.inputBytes, s.elapsedNs)}${s.workers === undefined ? '' : ` on ${s.workers} worker threads`}`],
    ['Connections ended', endedText(s)],
    ['Peak memory', `${counted(e.pagesPeak, 'page')} (${formatBytes(e.pagesPeak * e.pageSize)}), ${counted(e.connectionsPeakOpen, 'connection')} open at once${s.workers === undefined ? '' : ' (the workers\' peaks added up)'}`],
    ['Skipped by limits', `${formatCount(e.bytesSkippedByLimits)} B, ${counted(e.connectionsEvicted, 'connection')} evicted`],
  ];
  if (s.recordsOutsideTime > 0) lines.push(['Outside --since/--until', `${counted(s.recordsOutsideTime, 'record')} left out`]);
  if (s.interrupted) lines.push(['Interrupted', 'yes: the capture was not read to its end']);
  return lines;
}
