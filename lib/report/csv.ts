/**
 * CSV as RFC 4180 has it: fields with a comma, a double quote, CR or LF are quoted, quotes doubled; lines
 * end in CRLF. A field that starts with `=`, `+`, `-`, `@`, tab or CR is prefixed with a single quote, so a
 * spreadsheet does not run capture-controlled text as a formula (OWASP "CSV injection"); numbers are never
 * touched (a negative number stays a number).
 */

/** One CSV field. */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (with its CRLF). */
export function csvLine(fields: ReadonlyArray<string | number | null | undefined>): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
