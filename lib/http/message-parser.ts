/**
 * One direction of HTTP/1.x as a push parser: the reassembled bytes go in, in stream order, with the holes
 * between them; message heads, body bytes, body holes and message ends come out. It never stops at bad input:
 * a message it cannot frame is reported (where, what) and parsing resynchronises on the next start line.
 *
 * Positions are the direction's stream positions (relative sequence numbers: the first byte is 1), so a body's
 * range and its holes can be found in the exported stream and in Wireshark.
 */

/** A message head as parsed: the start line's parts and the header fields in order. */
export interface HttpHead {
  kind: 'request' | 'response';
  /** Requests. */
  method: string;
  uri: string;
  /** Responses: status code and reason phrase. */
  status: number;
  reason: string;
  /** `HTTP/1.1`, `HTTP/1.0`. */
  version: string;
  /** Header fields in order, names as sent. */
  headers: Array<[string, string]>;
  /** Stream position of the start line's first byte, and of the body's first byte. */
  position: number;
  bodyPosition: number;
  tsSec: number;
  tsNsec: number;
}

/** How a body was delimited. */
export type BodyFraming = 'none' | 'length' | 'chunked' | 'close';

/** The end of a message: its framing and whether all of it was seen. */
export interface MessageEnd {
  framing: BodyFraming;
  /** Body bytes (after de-chunking, holes included) and the holes inside it, as [offset in the body, length]. */
  bodyLength: number;
  holes: Array<[number, number]>;
  /** False when the body was cut: by a hole of unknown length, the end of the stream, or lost framing. */
  complete: boolean;
  /** Stream position just after the message's last byte (its body's framing included). */
  endPosition: number;
  /** Chunked: the trailer fields. */
  trailers: Array<[string, string]>;
}

/** What the parser hands out. `body` bytes are a view, valid only during the call. */
export interface MessageEvents {
  head(h: HttpHead): void;
  body(bytes: Uint8Array, offsetInBody: number): void;
  bodyHole(length: number, offsetInBody: number): void;
  end(e: MessageEnd): void;
  /** Bad input or lost framing at `position`; parsing goes on from the next start line. */
  problem(position: number, what: string): void;
}

/** Limits that keep memory bounded whatever the stream holds. */
export const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE = 4096;

/**
 * Start lines as a recipient reads them. The method is any token (RFC 9110 section 9.1, so `get` and `QUERY`
 * too), the version any `HTTP/` word, the status code any word; what RFC 9112 would not generate is accepted and
 * reported (`startLineOddities`), since browsers take such lines and a forensic tool must see what they saw
 * (suricata-verify's http-evader tests: a client gets the file behind `HTTP/1.1 2xx`, `HTTP/1.10 200`, `http/1.1`).
 */
// Any whitespace separates the parts (RFC 9112 sections 3 and 4 allow a recipient that much).
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]{1,20})[ \t\v\f]+(\S+)[ \t\v\f]+(HTTP\/\S*)[ \t\v\f]*$/i;
const STATUS_LINE = /^(HTTP\/\S*?)(?:[ \t\v\f]+(\S*)(?:[ \t\v\f]+(.*))?)?$/i;
/**
 * A start line anywhere, for resynchronising: after a lost body the next message follows its last byte with no
 * newline between, so a start line is not looked for only at the start of a line. These are strict (an upper-case
 * method, `HTTP/1.0` or `1.1`, three digits) so that a body's text is not taken for a message.
 */
const REQUEST_START = /(?<![A-Z0-9_-])[A-Z][A-Z0-9_-]{0,19} \S+ HTTP\/1\.[01]\r?\n/;
const RESPONSE_START = /HTTP\/1\.[01] \d{3}[^\r\n]*\r?\n/;
/** Where the last message ended (nothing skipped since), a start line is taken as loosely as REQUEST_LINE reads it. */
const REQUEST_HERE = /^(?:\r?\n)*[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}[ \t\v\f]+\S+[ \t\v\f]+HTTP\/[^\n]*\n/i;
const RESPONSE_HERE = /^(?:\r?\n)*HTTP\/[^\n]*\n/i;

type State = 'start' | 'head' | 'length' | 'chunk-line' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close' | 'stopped';

/**
 * The parser of one direction. `bodyless` is asked, for a response, whether the request it answers had no
 * response body by definition (HEAD, or a 2xx to CONNECT: `connect`).
 */
export class MessageParser {
  private state: State = 'start';
  /** Bytes kept while a head or chunk line is incomplete (bounded by MAX_HEAD_BYTES). */
  private pending = '';
  private pendingPosition = 0;
  private head: HttpHead | null = null;
  private framing: BodyFraming = 'none';
  private remaining = 0;
  private bodyLength = 0;
  private holes: Array<[number, number]> = [];
  private trailers: Array<[string, string]> = [];
  private complete = true;
  /** Bytes skipped looking for a start line since the last message (reported once found). */
  private skipped = 0;
  private skippedFrom = 0;
  /** Why parsing stopped (an upgrade), or null. */
  stoppedBy: string | null = null;
  /** Stream position just after the bytes taken so far: where a message that ends now ends. */
  private cursor = 0;

  constructor(
    readonly kind: 'request' | 'response',
    private readonly events: MessageEvents,
    private readonly bodyless: () => 'head' | 'connect' | null = () => null,
  ) {}

  /** Bytes at stream position `position`, in order. */
  push(bytes: Uint8Array, position: number, tsSec: number, tsNsec: number): void {
    let at = 0;
    let stuck = 0;
    while (at < bytes.length && this.state !== 'stopped') {
      const n = this.step(bytes, at, position + at, tsSec, tsNsec);
      // A step may take nothing when it only changes state; three in a row would be a parser fault: said, and
      // parsing starts over rather than spinning.
      if (n > 0) stuck = 0;
      else if (++stuck > 2) {
        this.events.problem(position + at, 'the parser made no progress here: looking for the next start line');
        this.resetToStart();
        stuck = 0;
        at++;
        continue;
      }
      at += n;
    }
  }

  /** A hole of `length` bytes (null: unknown) at `position`. */
  gap(length: number | null, position: number): void {
    this.cursor = position + (length ?? 0);
    switch (this.state) {
      case 'length':
        if (length === null) break;
        if (length <= this.remaining) return this.bodyGap(length, length === this.remaining);
        {
          // The hole runs past the body's end, which the length still tells: the body ends there, framed,
          // and the rest of the hole lies before the next message.
          const inBody = this.remaining;
          this.cursor = position + inBody;
          this.bodyGap(inBody, true);
          this.gap(length - inBody, position + inBody);
        }
        return;
      case 'chunk-data':
        if (length !== null && length <= this.remaining) {
          this.bodyGap(length, false);
          if (this.remaining === 0) this.state = 'chunk-end';
          return;
        }
        if (length !== null) {
          // Past the chunk's end the framing is lost; the chunk's own part of the hole is still the body's.
          this.holes.push([this.bodyLength, this.remaining]);
          this.events.bodyHole(this.remaining, this.bodyLength);
          this.bodyLength += this.remaining;
        }
        break;
      case 'close':
        if (length !== null) return this.bodyGap(length, false);
        break;
      case 'start':
        // Between messages: the next one may start anywhere after the hole. What was pending (bytes searched
        // for a start line) is skipped data; the hole itself is no problem of the messages.
        if (this.pending !== '') this.skip(this.pendingPosition, this.pending.length);
        this.pending = '';
        return;
      case 'stopped':
        return;
      default:
        break;
    }
    const where = this.state === 'head' ? 'message head' : this.framing === 'chunked' ? 'chunked body' : 'body';
    this.events.problem(position, `a hole of ${length === null ? 'unknown length' : `${length} bytes`} in the ${where}: framing lost, looking for the next ${this.kind} line`);
    if (this.head !== null && this.state !== 'head') {
      this.complete = false;
      this.finish();
    }
    this.resetToStart();
  }

  /** The direction ended: a body delimited by the close ends here; anything else unfinished is cut. */
  end(position: number): void {
    this.cursor = position;
    if (this.state === 'close') {
      this.finish();
    } else if (this.head !== null && this.state !== 'head' && this.state !== 'start' && this.state !== 'stopped') {
      this.complete = false;
      this.events.problem(position, `the stream ended inside a ${this.framing === 'chunked' ? 'chunked body' : 'body'} (${this.remaining} bytes of it never seen)`);
      this.finish();
    } else if (this.state === 'head') {
      this.events.problem(this.pendingPosition, `the stream ended inside a message head (${this.pending.length} bytes)`);
    } else if (this.state === 'start' && this.skipped + this.pending.trim().length > 0) {
      const from = this.skipped > 0 ? this.skippedFrom : this.pendingPosition;
      this.events.problem(from, `${this.skipped + this.pending.length} bytes after the last ${this.kind} were not HTTP`);
    }
    this.state = 'stopped';
  }

  /** Stops parsing this direction (the connection switched protocols); the rest is not HTTP/1.x. */
  stop(why: string): void {
    this.stoppedBy = why;
    this.state = 'stopped';
  }

  private step(b: Uint8Array, at: number, position: number, tsSec: number, tsNsec: number): number {
    switch (this.state) {
      case 'start':
      case 'head':
        return this.readHead(b, at, position, tsSec, tsNsec);
      case 'length': {
        const n = Math.min(this.remaining, b.length - at);
        this.cursor = position + n;
        this.bodyBytes(b.subarray(at, at + n));
        if (this.remaining === 0) this.finish();
        return n;
      }
      case 'close': {
        this.cursor = position + b.length - at;
        this.bodyBytes(b.subarray(at));
        this.remaining = 0;
        return b.length - at;
      }
      case 'chunk-data': {
        const n = Math.min(this.remaining, b.length - at);
        this.cursor = position + n;
        this.bodyBytes(b.subarray(at, at + n));
        if (this.remaining === 0) this.state = 'chunk-end';
        return n;
      }
      case 'chunk-line':
      case 'chunk-end':
      case 'trailers':
        return this.readLine(b, at, position);
      default:
        return b.length - at;
    }
  }

  /** Gathers a start line and header fields up to the blank line; resynchronises in front of a start line. */
  private readHead(b: Uint8Array, at: number, position: number, tsSec: number, tsNsec: number): number {
    if (this.pending === '') this.pendingPosition = position;
    const take = Math.min(b.length - at, MAX_HEAD_BYTES - this.pending.length);
    let text = this.pending + latin1(b, at, at + take);
    // Stream position of text[0]; the bytes of this call start at `position`.
    let base = this.pendingPosition;
    if (this.state === 'start') {
      const here = this.skipped === 0 ? (this.kind === 'request' ? REQUEST_HERE : RESPONSE_HERE).exec(text) : null;
      const m = here ?? (this.kind === 'request' ? REQUEST_START : RESPONSE_START).exec(text);
      if (m === null) {
        // Keep a tail that could still begin a start line; the rest is skipped (and reported with the next message).
        const drop = Math.max(0, text.length - 64);
        if (drop > 0) this.skip(base, drop);
        this.pending = text.slice(drop);
        this.pendingPosition = base + drop;
        return take;
      }
      // Empty lines before a start line are allowed (RFC 9112 section 2.2); other bytes are skipped, and said.
      const lead = here !== null ? here[0].length - here[0].trimStart().length : m.index;
      if (lead > 0 && here === null) this.skip(base, lead);
      text = text.slice(lead);
      base += lead;
      this.state = 'head';
      this.headTs[0] = tsSec;
      this.headTs[1] = tsNsec;
    }
    const endAt = headEnd(text);
    if (endAt < 0) {
      if (text.length >= MAX_HEAD_BYTES) {
        this.events.problem(base, `a message head longer than ${MAX_HEAD_BYTES} bytes: skipped`);
        this.resetToStart();
      } else {
        this.pending = text;
        this.pendingPosition = base;
      }
      return take;
    }
    // The head ends inside this call's bytes: what follows it is the body's.
    const used = Math.max(0, base + endAt - position);
    this.pending = '';
    this.begin(text.slice(0, endAt), base, base + endAt);
    return used;
  }

  private readonly headTs = [0, 0];

  private skip(position: number, n: number): void {
    if (this.skipped === 0) this.skippedFrom = position;
    this.skipped += n;
  }

  /** A whole head: parse it, then choose the body's framing (RFC 9112 section 6). */
  private begin(text: string, position: number, bodyPosition: number): void {
    const lines = text.split(/\r?\n/);
    // A bare CR inside a line: RFC 9112 section 2.2 lets a recipient read it as a space, which keeps the bytes.
    let bareCr = /\r./.test(lines[0] ?? '');
    const first = (lines[0] ?? '').replace(/\r/g, ' ').trimEnd();
    const h: HttpHead = { kind: this.kind, method: '', uri: '', status: 0, reason: '', version: '', headers: [], position, bodyPosition, tsSec: this.headTs[0]!, tsNsec: this.headTs[1]! };
    const m = this.kind === 'request' ? REQUEST_LINE.exec(first) : STATUS_LINE.exec(first);
    if (m === null) {
      this.events.problem(position, `not a ${this.kind} line: ${JSON.stringify(first.slice(0, 80))}`);
      this.resetToStart();
      return;
    }
    if (this.kind === 'request') {
      h.method = m[1]!;
      h.uri = m[2]!;
      h.version = m[3]!;
    } else {
      h.version = m[1]!;
      // As a browser reads it: the leading digits (`2xx` is 2, `0200` is 200), 0 when there are none.
      h.status = parseInt(m[2] ?? '', 10) || 0;
      h.reason = m[3] ?? '';
    }
    for (const odd of startLineOddities(h, first, m[2] ?? '')) this.events.problem(position, odd);
    for (const raw of lines.slice(1)) {
      const line = raw.includes('\r') ? raw.replace(/\r/g, ' ') : raw;
      bareCr ||= line !== raw;
      if (line === '') continue;
      const last = h.headers[h.headers.length - 1];
      if ((line[0] === ' ' || line[0] === '\t') && last !== undefined) {
        // obs-fold (RFC 9112 section 5.2): the line continues the field before, its fold read as one space.
        last[1] = `${last[1]} ${line.trim()}`.trim();
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) {
        this.events.problem(position, `a header line without a name: ${JSON.stringify(line.slice(0, 80))}`);
        continue;
      }
      const name = line.slice(0, colon);
      // RFC 9112 section 5.1: no whitespace before the colon. Such a field is kept under its odd name, so it is not
      // the field it resembles (a browser ignores `Transfer-Encoding :chunked`), and said.
      if (/\s$/.test(name)) this.events.problem(position, `whitespace before the colon of field ${JSON.stringify(name.slice(0, 40))}: not read as ${JSON.stringify(name.trim())}`);
      h.headers.push([name, line.slice(colon + 1).trim()]);
    }
    if (bareCr) this.events.problem(position, 'a bare CR inside the head: read as a space (RFC 9112 section 2.2)');
    this.head = h;
    this.cursor = bodyPosition;
    this.bodyLength = 0;
    this.holes = [];
    this.trailers = [];
    this.complete = true;
    this.events.head(h);
    if (this.skipped > 0) {
      this.events.problem(this.skippedFrom, `${this.skipped} bytes before this ${this.kind} line were not HTTP (the stream started mid-message, or framing was lost)`);
      this.skipped = 0;
    }
    this.chooseFraming(h);
  }

  private chooseFraming(h: HttpHead): void {
    if (this.kind === 'response') {
      const asked = this.bodyless();
      if (asked === 'head' || (h.status >= 100 && h.status < 200) || h.status === 204 || h.status === 304) return this.noBody();
      if (asked === 'connect' && h.status >= 200 && h.status < 300) return this.noBody();
    }
    // Field lines of one name make one list (RFC 9110 section 5.3): `Transfer-Encoding: x` then `: chunked` is chunked.
    const te = headerList(h, 'transfer-encoding').map((c) => c.split(';', 1)[0]!.trim().toLowerCase());
    if (te.length > 0 && te[te.length - 1] === 'chunked') {
      this.framing = 'chunked';
      this.state = 'chunk-line';
      return;
    }
    if (te.length > 0 && this.kind === 'request') {
      // RFC 9112 section 6.3: no reliable length; a server must answer 400 and close. Parsed as bodiless.
      this.events.problem(h.position, `Transfer-Encoding ${JSON.stringify(te.join(', ').slice(0, 40))} without chunked last: a request whose length cannot be determined (a smuggling attempt?)`);
      return this.noBody();
    }
    const cl = headerList(h, 'content-length');
    if (te.length === 0 && cl.length > 0) {
      if (cl.some((v) => v !== cl[0])) {
        // RFC 9112 section 6.3: a recipient must reject this; the first is taken, and said (request smuggling).
        this.events.problem(h.position, `Content-Length given ${cl.length} times with different values (${cl.map((v) => JSON.stringify(v.slice(0, 20))).join(', ')}): the first is taken, a recipient must reject this`);
      }
      // Leading zeros are digits too (RFC 9110 section 8.6); the value must be a safe integer.
      const first = cl[0]!;
      const digits = /^\d+$/.test(first) ? first.replace(/^0+(?=\d)/, '') : '';
      const n = digits.length > 0 && digits.length <= 15 ? Number(digits) : NaN;
      if (Number.isNaN(n)) {
        if (this.kind === 'response') {
          // A browser shows such a response read to the close (RFC 9112 says discard it): kept, and said.
          this.events.problem(h.position, `Content-Length ${JSON.stringify(first.slice(0, 40))} is not a number: the body is read to the close`);
          this.framing = 'close';
          this.state = 'close';
          return;
        }
        this.events.problem(h.position, `Content-Length ${JSON.stringify(first.slice(0, 40))} is not a number: framing lost`);
        this.complete = false;
        this.finish();
        this.resetToStart();
        return;
      }
      this.framing = 'length';
      this.remaining = n;
      this.state = 'length';
      if (n === 0) this.finish();
      return;
    }
    // A request without either has no body; a response (or one whose coding is not chunked) runs to the close.
    if (this.kind === 'request') return this.noBody();
    this.framing = 'close';
    this.state = 'close';
  }

  private noBody(): void {
    this.framing = 'none';
    this.finish();
  }

  /** Chunk-size lines, the CRLF after chunk data, and the trailer fields. */
  private readLine(b: Uint8Array, at: number, position: number): number {
    let nl = -1;
    for (let i = at; i < b.length; i++) {
      if (b[i] === 0x0a) {
        nl = i;
        break;
      }
    }
    const end = nl < 0 ? b.length : nl + 1;
    this.cursor = position + end - at;
    if (this.pending === '') this.pendingPosition = position;
    this.pending += latin1(b, at, end);
    if (nl < 0) {
      if (this.pending.length > MAX_CHUNK_LINE) {
        this.events.problem(this.pendingPosition, `a chunk line longer than ${MAX_CHUNK_LINE} bytes: framing lost`);
        this.complete = false;
        this.finish();
        this.resetToStart();
      }
      return end - at;
    }
    const line = this.pending.replace(/\r?\n$/, '');
    const linePosition = this.pendingPosition;
    this.pending = '';
    if (this.state === 'chunk-end') {
      if (line !== '') this.events.problem(linePosition, 'chunk data not followed by CRLF');
      this.state = 'chunk-line';
      return end - at;
    }
    if (this.state === 'trailers') {
      if (line === '') {
        this.finish();
      } else {
        const colon = line.indexOf(':');
        if (colon > 0) this.trailers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
      }
      return end - at;
    }
    // Leading and trailing blanks are tolerated, as browsers and Wireshark do (RFC 9112 allows none); bytes after
    // the hex digits that are not an extension are read past, as a browser does, and said.
    const size = /^[ \t\v\f]*([0-9a-fA-F]{1,12})(.*)$/.exec(line);
    if (size !== null && !/^[ \t]*(;.*)?$/.test(size[2]!)) this.events.problem(linePosition, `a chunk-size line with more than a size: ${JSON.stringify(line.slice(0, 40))}, read as ${parseInt(size[1]!, 16)}`);
    if (size === null) {
      this.events.problem(linePosition, `not a chunk-size line: ${JSON.stringify(line.slice(0, 40))}: framing lost`);
      this.complete = false;
      this.finish();
      this.resetToStart();
      return end - at;
    }
    const n = parseInt(size[1]!, 16);
    if (n === 0) {
      this.state = 'trailers';
    } else {
      this.remaining = n;
      this.state = 'chunk-data';
    }
    return end - at;
  }

  private bodyBytes(b: Uint8Array): void {
    if (b.length === 0) return;
    this.events.body(b, this.bodyLength);
    this.bodyLength += b.length;
    if (this.state !== 'close') this.remaining -= b.length;
  }

  private bodyGap(length: number, last: boolean): void {
    this.events.bodyHole(length, this.bodyLength);
    this.holes.push([this.bodyLength, length]);
    this.bodyLength += length;
    if (this.state !== 'close') this.remaining -= length;
    if (last && this.state === 'length') this.finish();
  }

  private finish(): void {
    if (this.head === null) return;
    this.events.end({ framing: this.framing, bodyLength: this.bodyLength, holes: this.holes, complete: this.complete, trailers: this.trailers, endPosition: this.cursor });
    this.head = null;
    this.framing = 'none';
    this.remaining = 0;
    if (this.state !== 'stopped') this.state = 'start';
  }

  private resetToStart(): void {
    this.head = null;
    this.pending = '';
    this.framing = 'none';
    this.remaining = 0;
    if (this.state !== 'stopped') this.state = 'start';
  }
}

/**
 * The elements of a list-valued field over all its field lines (RFC 9110 sections 5.3, 5.6.1), trimmed, empty
 * elements dropped: `Content-Length: 5, 5` is ["5", "5"].
 */
export function headerList(h: HttpHead, name: string): string[] {
  const out: string[] = [];
  for (const [k, v] of h.headers) {
    if (k.toLowerCase() !== name) continue;
    for (const part of v.split(',')) {
      const t = part.trim();
      if (t !== '') out.push(t);
    }
  }
  return out;
}

/** The first value of a header (case-insensitive name), or null. */
export function header(h: HttpHead, name: string): string | null {
  for (const [k, v] of h.headers) if (k.toLowerCase() === name) return v;
  return null;
}

/** Where the head ends (just after the blank line), or -1. Accepts bare LF line ends. */
function headEnd(text: string): number {
  // An empty line ends the head: a line end (LF, or CRLF) followed by another.
  const m = /\n\r?\n/.exec(text);
  return m === null ? -1 : m.index + m[0].length;
}

/** What a start line has that RFC 9112 would not generate: each is reported, none stops the message. */
function startLineOddities(h: HttpHead, line: string, statusWord: string): string[] {
  const odd: string[] = [];
  const quoted = JSON.stringify(line.slice(0, 80));
  if (!/^HTTP\/1\.[01]$/.test(h.version)) odd.push(`version ${JSON.stringify(h.version.slice(0, 20))} is not HTTP/1.0 or HTTP/1.1, read as HTTP/1.x: ${quoted}`);
  if (h.kind === 'request') {
    if (h.method !== h.method.toUpperCase()) odd.push(`method ${JSON.stringify(h.method)} is not upper-case (methods are case-sensitive): ${quoted}`);
  } else if (!/^\d{3}$/.test(statusWord)) {
    odd.push(`status code ${JSON.stringify(statusWord.slice(0, 20))} is not three digits, read as ${h.status}: ${quoted}`);
  }
  if (!(h.kind === 'request' ? /^\S+ \S+ \S+$/ : /^\S+ \S+(?: .*)?$/).test(line)) odd.push(`start line parts not separated by single spaces: ${quoted}`);
  return odd;
}

function latin1(b: Uint8Array, from: number, to: number): string {
  return Buffer.from(b.buffer, b.byteOffset + from, to - from).toString('latin1');
}
