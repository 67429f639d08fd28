/**
 * The JSON and CSV text of a connection row, written straight from its numbers. Compiled once from the row's
 * declaration (lib/schema) into one string expression per format: no row object, no JSON.stringify of a row,
 * no per-row array. Printing a million rows through objects cost 9 to 25 µs a row, more than reassembling them.
 * The text is byte for byte what the object path gives (connectionJson, CONNECTION_CSV_COLUMNS); a test holds
 * the two together.
 */
import { encapsulationText } from '../decode/encapsulation.js';
import { formatAddress, formatIPv4 } from '../net/address.js';
import { ROW_COUNTER_SPECS } from '../schema/counters.js';
import { CONNECTION_FIELDS, F_C2S, F_S2C, FIELD_OFFSET } from '../schema/row.js';
import { STATE_WORDS } from '../schema/states.js';
import { csvField } from './csv.js';
import { durationNs, formatCaptureTime, formatEpoch } from './time.js';

/** Numbers of a row: the array and where the row starts in it. */
export type RowText = (a: ArrayLike<number>, at: number) => string;

const PAGES_PEAK = ROW_COUNTER_SPECS.findIndex((c) => c.name === 'pagesPeak');

// Most counters of most rows are 0: that text is a constant, not a conversion (-0 prints as 0 too).
/** A number as JSON.stringify writes it (null when not finite). */
const jsonNumber = (x: number): string => (x === 0 ? '0' : Number.isFinite(x) ? String(x) : 'null');
/** A number as a CSV field (empty when not finite). */
const csvNumber = (x: number): string => (x === 0 ? '0' : Number.isFinite(x) ? String(x) : '');
/** Address text from the four words at `a[i..]`: IPv4 without building a word array. */
const addressText = (a: ArrayLike<number>, i: number, v: number): string =>
  v === 4 ? formatIPv4(a[i + 3]! >>> 0) : formatAddress([a[i]!, a[i + 1]!, a[i + 2]!, a[i + 3]!], 6);

const HELPERS = {
  jsonNumber, csvNumber, addressText, quote: JSON.stringify, csvField, encapsulationText, formatCaptureTime, formatEpoch, durationNs,
  states: STATE_WORDS,
};
const HELPER_NAMES = Object.keys(HELPERS);
const HELPER_VALUES = Object.values(HELPERS);

const at = (i: number): string => `a[at + ${i}]`;
const lit = (s: string): string => JSON.stringify(s);
const FIRST = FIELD_OFFSET.first;
const LAST = FIELD_OFFSET.last;
const DURATION = `durationNs(${at(FIRST)}, ${at(FIRST + 1)}, ${at(LAST)}, ${at(LAST + 1)})`;
const PEAK_PAGES = `${at(F_C2S + PAGES_PEAK)} + ${at(F_S2C + PAGES_PEAK)}`;

/** [key, JSON value expression] of every connection-level field, in row order. */
function jsonFields(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const f of CONNECTION_FIELDS) {
    const i = FIELD_OFFSET[f.name];
    switch (f.kind) {
      case 'address': out.push([f.name, `quote(addressText(a, at + ${i}, v))`]); break;
      case 'optional': out.push([f.name, `(${at(i)} >= 0 ? jsonNumber(${at(i)}) : 'null')`]); break;
      case 'state': out.push([f.name, `quote(states[${at(i)}])`]); break;
      case 'flag': out.push([f.name, `(${at(i)} !== 0 ? 'true' : 'false')`]); break;
      case 'encapsulation': out.push([f.name, `(${at(i)} > 0 ? quote(encapsulationText(${at(i)})) : 'null')`]); break;
      case 'time':
        out.push([`${f.name}Time`, `quote(formatCaptureTime(${at(i)}, ${at(i + 1)}))`]);
        out.push([`${f.name}Epoch`, `quote(formatEpoch(${at(i)}, ${at(i + 1)}))`]);
        break;
      default: out.push([f.name, `jsonNumber(${at(i)})`]);
    }
  }
  out.push(['durationNs', `jsonNumber(${DURATION})`], ['peakPages', `jsonNumber(${PEAK_PAGES})`]);
  return out;
}

/** The members `"key": value` at indentation `pad`, as one concatenation expression. */
function members(fields: Array<[string, string]>, pad: string): string {
  return fields.map(([k, v], n) => `${lit(`${n === 0 ? '' : ','}\n${pad}${JSON.stringify(k)}: `)} + ${v}`).join(' + ');
}

function directionJson(base: number): Array<[string, string]> {
  return ROW_COUNTER_SPECS.map((c, i) => [c.name, c.unit === 'flag' ? `(${at(base + i)} !== 0 ? 'true' : 'false')` : `jsonNumber(${at(base + i)})`]);
}

function compile(body: string): RowText {
  return new Function(...HELPER_NAMES, `return function (a, at) { const v = ${at(FIELD_OFFSET.ipVersion)}; return ${body}; };`)(...HELPER_VALUES) as RowText;
}

/**
 * One connection as the analyze JSON report prints it inside `"connections"`: the object's text as
 * `JSON.stringify(connectionJson(row), null, 2)` gives it, every line after the first indented by four spaces.
 */
export const rowJson: RowText = compile(
  `'{' + ${members(jsonFields(), '      ')} + ${lit(',\n      "c2s": {')} + ${members(directionJson(F_C2S), '        ')}` +
    ` + ${lit('\n      },\n      "s2c": {')} + ${members(directionJson(F_S2C), '        ')} + ${lit('\n      }\n    }')}`,
);

/** [CSV value expression] of every column of CONNECTION_CSV_COLUMNS, in order. */
function csvValues(): string[] {
  const out: string[] = [];
  for (const f of CONNECTION_FIELDS) {
    const i = FIELD_OFFSET[f.name];
    switch (f.kind) {
      case 'address': out.push(`csvField(addressText(a, at + ${i}, v))`); break;
      case 'optional': out.push(`(${at(i)} >= 0 ? csvNumber(${at(i)}) : '')`); break;
      case 'state': out.push(`csvField(states[${at(i)}])`); break;
      case 'flag': out.push(`(${at(i)} !== 0 ? 'true' : 'false')`); break;
      case 'encapsulation': out.push(`(${at(i)} > 0 ? csvField(encapsulationText(${at(i)})) : '')`); break;
      case 'time': out.push(`csvField(formatCaptureTime(${at(i)}, ${at(i + 1)}))`, `csvField(formatEpoch(${at(i)}, ${at(i + 1)}))`); break;
      default: out.push(`csvNumber(${at(i)})`);
    }
  }
  out.push(`csvNumber(${DURATION})`, `csvNumber(${PEAK_PAGES})`);
  for (const base of [F_C2S, F_S2C]) {
    ROW_COUNTER_SPECS.forEach((c, i) => out.push(c.unit === 'flag' ? `(${at(base + i)} !== 0 ? 'true' : 'false')` : `csvNumber(${at(base + i)})`));
  }
  return out;
}

/** One connection as a line of the analyze CSV report (with its CRLF): the fields of CONNECTION_CSV_COLUMNS. */
export const rowCsv: RowText = compile(`${csvValues().join(` + ',' + `)} + '\\r\\n'`);
