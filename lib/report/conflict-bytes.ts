/**
 * Both copies of a conflicting range as an analyst reads them: 16 bytes a line, hex and printable ASCII, the old
 * copy over the new one, a caret under every byte that differs.
 */
import { relativeSeq, type ConflictJson, type OverlapRow } from './rows.js';

const PER_LINE = 16;

/** The dump of one conflict event's samples, with a heading naming the range, the copy kept and both records. */
export function conflictBytesText(e: OverlapRow, c: ConflictJson, absolute: boolean): string {
  const rel = absolute ? null : relativeSeq(e.seqStart, e.seqBase);
  const seq = rel === null ? `seq ${e.seqStart}${absolute ? '' : ' (abs)'}` : `seq ${rel}`;
  const first = (c.firstDifferenceSeq - c.seq) >>> 0;
  const lines = [
    `conn ${e.connectionId} ${e.direction}, ${seq}, ${e.bytes} B: first difference at +${first}`,
    `  kept the ${c.kept} copy (compared against ${c.against} data)`,
    `  old: record ${c.old.recordNumber}${c.old.input !== undefined ? ` of ${c.old.input}` : ''}, ${c.hashName} ${c.old.hash}`,
    `  new: record ${c.new.recordNumber}${c.new.input !== undefined ? ` of ${c.new.input}` : ''}, ${c.hashName} ${c.new.hash}`,
  ];
  const a = Buffer.from(c.old.sample, 'hex');
  const b = Buffer.from(c.new.sample, 'hex');
  const n = Math.max(a.length, b.length);
  for (let at = 0; at < n; at += PER_LINE) {
    const end = Math.min(n, at + PER_LINE);
    const off = `+${c.sampleOffset + at}`.padStart(7);
    lines.push(`${off}  old ${hexPart(a, at, end)}  ${asciiPart(a, at, end)}`);
    lines.push(`${' '.repeat(7)}  new ${hexPart(b, at, end)}  ${asciiPart(b, at, end)}`);
    let hexMarks = '';
    let asciiMarks = '';
    let any = false;
    for (let i = at; i < at + PER_LINE; i++) {
      const differs = i < end && a[i] !== b[i];
      any ||= differs;
      hexMarks += differs ? ' ^^' : '   ';
      asciiMarks += differs ? '^' : ' ';
    }
    if (any) lines.push(`${' '.repeat(7)}      ${hexMarks.slice(1)}  ${asciiMarks}`.trimEnd());
  }
  return lines.join('\n');
}

function hexPart(buf: Buffer, from: number, to: number): string {
  let s = '';
  for (let i = from; i < from + PER_LINE; i++) s += i < to && i < buf.length ? ` ${buf[i]!.toString(16).padStart(2, '0')}` : '   ';
  return s.slice(1);
}

function asciiPart(buf: Buffer, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to && i < buf.length; i++) {
    const ch = buf[i]!;
    s += ch >= 0x20 && ch < 0x7f ? String.fromCharCode(ch) : '.';
  }
  return s;
}
