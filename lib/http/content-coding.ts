/**
 * Undoing a body's content codings (RFC 9110 section 8.4), bounded, as a browser does: codings are undone last
 * first, `identity` is nothing, `deflate` is tried as zlib and then raw, and a gzip member whose header flags or
 * trailer (CRC, length) are damaged is still inflated, because browsers show such a body. Whatever was lenient is
 * said in `note`, so the decoded copy is never passed off as a clean one.
 */
import { brotliDecompressSync, constants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

/** A decoded body and, when a damaged coding had to be read past, what was wrong. */
export type Decoded = { bytes: Buffer; note: string | null } | { error: string };

const CODINGS = new Set(['gzip', 'x-gzip', 'deflate', 'x-deflate', 'br', 'identity']);

/** Undoes `codings` (as listed in Content-Encoding, applied in that order), at most `maxBytes` out. */
export function decodeBody(raw: Buffer, codings: readonly string[], maxBytes: number): Decoded {
  const list = codings.map((c) => c.trim().toLowerCase());
  const unknown = list.find((c) => !CODINGS.has(c));
  if (unknown !== undefined) return { error: `content coding ${JSON.stringify(unknown)} is not one tcpreasm decodes (gzip, deflate, br)` };
  let bytes = raw;
  const notes: string[] = [];
  const order = [...list].reverse().filter((c) => c !== 'identity');
  let undone = 0;
  for (const c of order) {
    try {
      const step = c === 'br' ? { bytes: brotliDecompressSync(bytes, { maxOutputLength: maxBytes }), note: null } : c.endsWith('deflate') ? inflateEither(bytes, maxBytes) : gunzipLenient(bytes, maxBytes);
      bytes = step.bytes;
      undone++;
      if (step.note !== null) notes.push(step.note);
    } catch (err) {
      if (tooLarge(err)) return { error: `not decoded: ${(err as Error).message}` };
      // A coding listed but not applied (`gzip, gzip` over one gzip): browsers show what decodes; the copy is that, said.
      notes.push(`${JSON.stringify(c)} is listed but the bytes are not in it (${(err as Error).message})`);
    }
  }
  if (undone === 0 && order.length > 0) return { error: `not decoded: ${notes.join('; ')}` };
  if (undone < order.length) notes.push(`decoded ${undone} of ${order.length} codings`);
  return { bytes, note: notes.length === 0 ? null : notes.join('; ') };
}

/** Some servers send raw deflate under `deflate`: both are tried. */
function inflateEither(raw: Buffer, maxBytes: number): { bytes: Buffer; note: string | null } {
  try {
    return { bytes: inflateSync(raw, { maxOutputLength: maxBytes }), note: null };
  } catch {
    return { bytes: inflateRawSync(raw, { maxOutputLength: maxBytes }), note: 'deflate without its zlib wrapper (raw deflate)' };
  }
}

function gunzipLenient(raw: Buffer, maxBytes: number): { bytes: Buffer; note: string | null } {
  try {
    return { bytes: gunzipSync(raw, { maxOutputLength: maxBytes }), note: null };
  } catch (err) {
    const start = gzipDataStart(raw);
    if (start < 0 || tooLarge(err)) throw err;
    // The deflate data alone, to its end or as far as it goes: the header's flags and the trailer are not checked.
    const bytes = inflateRawSync(raw.subarray(start), { maxOutputLength: maxBytes, finishFlush: constants.Z_SYNC_FLUSH });
    return { bytes, note: `gzip ${(err as Error).message}: its deflate data decoded without the header flags and trailer checks` };
  }
}

/** Where a gzip member's deflate data starts (RFC 1952 section 2.3), reserved flags ignored; -1 if not gzip. */
function gzipDataStart(b: Buffer): number {
  if (b.length < 18 || b[0] !== 0x1f || b[1] !== 0x8b || b[2] !== 8) return -1;
  const flags = b[3]!;
  let at = 10;
  if (flags & 4) at += 2 + (b[at] ?? 0) + ((b[at + 1] ?? 0) << 8);
  for (const field of [8, 16]) {
    if ((flags & field) === 0) continue;
    const nul = b.indexOf(0, at);
    if (nul < 0) return -1;
    at = nul + 1;
  }
  if (flags & 2) at += 2;
  return at < b.length ? at : -1;
}

/** The bound was reached: never worked around. */
function tooLarge(err: unknown): boolean {
  return (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
}
