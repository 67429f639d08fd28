/**
 * One connection's HTTP: the request parser on the client's bytes, the response parser on the server's, and the
 * pairing of each response with the request it answers (in order: pipelined requests are answered in order).
 * Interim 1xx responses are counted on their exchange; a 101 or a 2xx to CONNECT ends HTTP on the connection.
 */
import { createHash, type Hash } from 'node:crypto';
import { header, MessageParser, type HttpHead, type MessageEnd, type MessageEvents } from './message-parser.js';

/** One message of an exchange, as reported. */
export interface HttpMessage {
  head: HttpHead;
  /** Null while the body is still coming (or when the connection ended inside it, see `complete`). */
  end: MessageEnd | null;
  /** SHA-256 of the body as it was framed (de-chunked, not decoded), holes as zeros; null without a body. */
  sha256: string | null;
}

/** A request and the response that answered it; either may be missing (a stream picked up mid-way, loss). */
export interface HttpExchange {
  connectionId: number;
  /** 0-based, in request order within the connection. */
  index: number;
  request: HttpMessage | null;
  response: HttpMessage | null;
  /** Status codes of interim (1xx) responses before the final one. */
  interim: number[];
}

/** Where a body's bytes go as they come (files for `http -o`); the parser keeps none of them. */
export interface BodySink {
  write(bytes: Uint8Array, offsetInBody: number): void;
  hole(length: number, offsetInBody: number): void;
  /** The body is over; `sha256` is of its bytes as framed, holes as zeros (what the file holds). */
  close(end: MessageEnd, sha256: string): void;
}

/** What the connection parser reports. */
export interface HttpConnectionEvents {
  /** An exchange is over (its response ended, or the connection did). */
  exchange(e: HttpExchange): void;
  problem(dir: 'c2s' | 's2c', position: number, what: string): void;
  /** A body begins: a sink for its bytes, or null. */
  body?(e: HttpExchange, which: 'request' | 'response'): BodySink | null;
}

/** Bytes of a direction searched for a first start line before the connection is taken as not HTTP. */
export const SNIFF_BYTES = 64 * 1024;

class Side implements MessageEvents {
  message: HttpMessage | null = null;
  exchange: HttpExchange | null = null;
  hash: Hash | null = null;
  sink: BodySink | null = null;
  seen = 0;
  found = false;
  /** Stream position just after the last byte or hole handed in: where the direction ends. */
  endPosition = 1;
  readonly parser: MessageParser;

  constructor(
    private readonly conn: HttpConnection,
    readonly dir: 'c2s' | 's2c',
  ) {
    this.parser = new MessageParser(dir === 'c2s' ? 'request' : 'response', this, () => conn.bodylessAnswer(this.exchange));
  }

  head(h: HttpHead): void {
    this.found = true;
    this.conn.flushEarly();
    this.message = { head: h, end: null, sha256: null };
    this.exchange = this.dir === 'c2s' ? this.conn.requestStarted(this.message) : this.conn.responseStarted(this.message);
    this.hash = null;
    this.sink = this.exchange === null ? null : this.conn.sinkFor(this.exchange, this.dir === 'c2s' ? 'request' : 'response');
  }

  body(bytes: Uint8Array, offsetInBody: number): void {
    (this.hash ??= createHash('sha256')).update(bytes);
    this.sink?.write(bytes, offsetInBody);
  }

  bodyHole(length: number, offsetInBody: number): void {
    const h = (this.hash ??= createHash('sha256'));
    for (let left = length; left > 0; left -= ZEROS.length) h.update(left >= ZEROS.length ? ZEROS : ZEROS.subarray(0, left));
    this.sink?.hole(length, offsetInBody);
  }

  end(e: MessageEnd): void {
    const m = this.message;
    if (m === null) return;
    m.end = e;
    m.sha256 = this.hash === null ? (e.framing === 'none' ? null : EMPTY_SHA256) : this.hash.digest('hex');
    this.sink?.close(e, m.sha256 ?? EMPTY_SHA256);
    this.sink = null;
    this.hash = null;
    this.message = null;
    if (this.dir === 's2c') this.conn.responseEnded(m);
  }

  problem(position: number, what: string): void {
    this.conn.problem(this.dir, position, what);
  }
}

const ZEROS = Buffer.alloc(64 * 1024);
const EMPTY_SHA256 = createHash('sha256').digest('hex');

/** The HTTP parser of one connection: feed it each direction's bytes and holes in stream order. */
export class HttpConnection {
  private readonly c2s: Side;
  private readonly s2c: Side;
  /** Exchanges whose request has come and whose final response has not, oldest first. */
  private readonly waiting: HttpExchange[] = [];
  private readonly open: HttpExchange[] = [];
  private next = 0;
  /** Why HTTP parsing ended early on this connection (an upgrade, a tunnel, not HTTP), or null. */
  stoppedBy: string | null = null;

  constructor(
    readonly connectionId: number,
    private readonly events: HttpConnectionEvents,
  ) {
    this.c2s = new Side(this, 'c2s');
    this.s2c = new Side(this, 's2c');
  }

  /** True once a request or a response line was found. */
  get isHttp(): boolean {
    return this.c2s.found || this.s2c.found;
  }

  data(dir: 'c2s' | 's2c', bytes: Uint8Array, position: number, tsSec: number, tsNsec: number): void {
    const side = dir === 'c2s' ? this.c2s : this.s2c;
    side.endPosition = position + bytes.length;
    if (this.stoppedBy !== null) return;
    side.seen += bytes.length;
    side.parser.push(bytes, position, tsSec, tsNsec);
    if (!this.isHttp && this.c2s.seen + this.s2c.seen > 2 * SNIFF_BYTES) this.stop(`not HTTP: no request or status line in the first ${2 * SNIFF_BYTES} bytes`);
  }

  gap(dir: 'c2s' | 's2c', length: number | null, position: number): void {
    const side = dir === 'c2s' ? this.c2s : this.s2c;
    side.endPosition = position + (length ?? 0);
    if (this.stoppedBy !== null) return;
    side.parser.gap(length, position);
  }

  /** The connection ended: bodies delimited by the close end; exchanges still open are reported as they are. */
  close(): void {
    this.c2s.parser.end(this.c2s.endPosition);
    this.s2c.parser.end(this.s2c.endPosition);
    for (const e of this.open.splice(0)) this.events.exchange(e);
    this.waiting.length = 0;
  }

  /** @internal */
  requestStarted(m: HttpMessage): HttpExchange {
    const e: HttpExchange = { connectionId: this.connectionId, index: this.next++, request: m, response: null, interim: [] };
    this.waiting.push(e);
    this.open.push(e);
    return e;
  }

  /** @internal A final response answers the oldest request waiting; an interim one is counted on it. */
  responseStarted(m: HttpMessage): HttpExchange | null {
    const status = m.head.status;
    if (status >= 100 && status < 200 && status !== 101) {
      this.waiting[0]?.interim.push(status);
      return null;
    }
    let e = this.waiting.shift();
    if (e === undefined) {
      // No request seen for it (picked up mid-stream, or the request was lost): an exchange of its own.
      e = { connectionId: this.connectionId, index: this.next++, request: null, response: null, interim: [] };
      this.open.push(e);
    }
    e.response = m;
    return e;
  }

  /** @internal */
  responseEnded(m: HttpMessage): void {
    const i = this.open.findIndex((e) => e.response === m);
    if (i < 0) return;
    const e = this.open[i]!;
    // Exchanges before it without a response are over too: responses come in order.
    for (const done of this.open.splice(0, i + 1)) this.events.exchange(done);
    const status = m.head.status;
    if (status === 101) this.stop(`switched protocols (101) to ${header(m.head, 'upgrade') ?? 'another protocol'}`);
    else if (e.request?.head.method === 'CONNECT' && status >= 200 && status < 300) this.stop('a CONNECT tunnel was opened');
  }

  /** @internal Whether the response of `e` has no body by its request's method (asked once its head is paired). */
  bodylessAnswer(e: HttpExchange | null): 'head' | 'connect' | null {
    const m = e?.request?.head.method;
    return m === 'HEAD' ? 'head' : m === 'CONNECT' ? 'connect' : null;
  }

  /** @internal */
  sinkFor(e: HttpExchange, which: 'request' | 'response'): BodySink | null {
    return this.events.body?.(e, which) ?? null;
  }

  /**
   * @internal Problems of a connection that never shows HTTP are not problems: it is another protocol. Those
   * met before its first message wait (a few) until it does.
   */
  problem(dir: 'c2s' | 's2c', position: number, what: string): void {
    if (!this.isHttp) {
      if (this.early.length < 16) this.early.push([dir, position, what]);
      return;
    }
    this.events.problem(dir, position, what);
  }

  private readonly early: Array<['c2s' | 's2c', number, string]> = [];

  /** @internal The connection showed HTTP: the problems met before go out. */
  flushEarly(): void {
    for (const [d, p, w] of this.early.splice(0)) this.events.problem(d, p, w);
  }

  private stop(why: string): void {
    this.stoppedBy = why;
    this.c2s.parser.stop(why);
    this.s2c.parser.stop(why);
  }
}
