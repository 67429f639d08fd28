/**
 * The text of `tcpreasm follow`: a followed connection's pieces written as raw bytes, printable text or a hex
 * dump with a marker at each change of direction (as Wireshark's Follow TCP Stream), or JSON Lines. Holes are
 * always named in text, hex and JSON; raw bytes carry no markers, so a hole there is left out or, when asked,
 * filled with zeros.
 */
import { RecordNames } from './record-names.js';
import { formatCaptureTime } from './time.js';

/** One piece of a followed connection, as the follow pass hands it out. */
export type FollowEvent =
  | {
      readonly kind: 'data';
      readonly dir: 'c2s' | 's2c';
      /** The bytes: valid only during the call (a view into the engine's buffers). */
      readonly bytes: Uint8Array;
      /** Sequence number of the first byte relative to the direction's ISN (Wireshark's: the first data byte is 1), or to the byte before the first one seen. */
      readonly seq: number;
      /** Absolute sequence number of the first byte. */
      readonly absSeq: number;
      /** Capture time and record of the packet that brought the first byte. */
      readonly tsSec: number;
      readonly tsNsec: number;
      readonly record: number;
    }
  | {
      readonly kind: 'gap';
      readonly dir: 'c2s' | 's2c';
      /** Bytes missing; null when the start of the direction was not captured (the amount is unknown). */
      readonly length: number | null;
      /** Relative sequence number of the first missing byte (of the first byte after it when length is null). */
      readonly seq: number;
      readonly absSeq: number;
      readonly tsSec: number;
      readonly tsNsec: number;
    };

/** How `follow` writes. */
export type FollowFormat = 'raw' | 'ascii' | 'hex' | 'json';

/** Options of {@link followWriter}. */
export interface FollowWriterOptions {
  format: FollowFormat;
  /** raw: the directions written (default c2s only). */
  directions?: 'c2s' | 's2c' | 'both';
  /** raw: write zeros for a hole of known length. Default false. */
  fillGaps?: boolean;
  /** Absolute sequence numbers in markers instead of relative ones. */
  absolute?: boolean;
  /** How records are named (with their file in a capture set); read when a piece is written. */
  names?: RecordNames;
}

const ARROW = { c2s: 'c>s', s2c: 's>c' } as const;
/** Holes filled with zeros are written in pieces of this size, never as one huge buffer. */
const ZEROS = Buffer.alloc(64 * 1024);

/** Bytes of printable ASCII as they are, newline and tab kept, every other byte a dot (as tshark's ascii mode). */
function printable(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    out += (c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x09 ? String.fromCharCode(c) : '.';
  }
  return out;
}

function hexLines(b: Uint8Array, start: number): string {
  let out = '';
  for (let i = 0; i < b.length; i += 16) {
    const row = b.subarray(i, Math.min(b.length, i + 16));
    let hex = '';
    let text = '';
    for (let j = 0; j < 16; j++) {
      if (j === 8) hex += ' ';
      if (j < row.length) {
        hex += row[j]!.toString(16).padStart(2, '0') + ' ';
        const c = row[j]!;
        text += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
      } else hex += '   ';
    }
    out += `${((start + i) >>> 0).toString(16).padStart(8, '0')}  ${hex} |${text}|\n`;
  }
  return out;
}

/**
 * A function taking the pieces of one connection and writing them through `write` (text, or bytes for raw).
 * Markers: `=== c>s seq 1448, 2026-03-01T10:00:00.123456789Z, record 12 ===` at each change of direction, and
 * `=== c>s 1448 bytes missing at seq 2896 ===` for a hole.
 */
export function followWriter(o: FollowWriterOptions, write: (chunk: string | Uint8Array) => void): (e: FollowEvent) => void {
  const dirs = o.directions ?? 'c2s';
  const names = o.names ?? new RecordNames();
  if (o.format === 'raw') {
    return (e) => {
      if (dirs !== 'both' && e.dir !== dirs) return;
      if (e.kind === 'data') write(e.bytes);
      else if (o.fillGaps === true && e.length !== null) {
        for (let left = e.length; left > 0; left -= ZEROS.length) write(ZEROS.subarray(0, Math.min(left, ZEROS.length)));
      }
    };
  }
  if (o.format === 'json') {
    return (e) => {
      const time = formatCaptureTime(e.tsSec, e.tsNsec);
      if (e.kind === 'data') {
        write(`${JSON.stringify({ kind: 'data', dir: e.dir, seq: e.seq, absSeq: e.absSeq, length: e.bytes.length, time, record: names.number(e.record), ...(names.several ? { input: names.input(e.record) } : {}), data: Buffer.from(e.bytes.buffer, e.bytes.byteOffset, e.bytes.length).toString('base64') })}\n`);
      } else {
        write(`${JSON.stringify({ kind: 'gap', dir: e.dir, seq: e.seq, absSeq: e.absSeq, length: e.length, time })}\n`);
      }
    };
  }
  let last: 'c2s' | 's2c' | null = null;
  let atLineStart = true;
  const seqOf = (e: FollowEvent): number => (o.absolute === true ? e.absSeq : e.seq);
  const newline = (): void => {
    if (!atLineStart) write('\n');
    atLineStart = true;
  };
  return (e) => {
    if (e.kind === 'gap') {
      newline();
      const what = e.length === null ? 'start not captured, first byte' : `${e.length} bytes missing`;
      write(`=== ${ARROW[e.dir]} ${what} at seq ${seqOf(e)} ===\n`);
      last = null;
      return;
    }
    if (e.dir !== last) {
      newline();
      write(`=== ${ARROW[e.dir]} seq ${seqOf(e)}, ${formatCaptureTime(e.tsSec, e.tsNsec)}, ${names.text(e.record)} ===\n`);
      last = e.dir;
    }
    if (o.format === 'hex') {
      write(hexLines(e.bytes, seqOf(e)));
      atLineStart = true;
    } else {
      const text = printable(e.bytes);
      write(text);
      if (text.length > 0) atLineStart = text.endsWith('\n');
    }
  };
}
