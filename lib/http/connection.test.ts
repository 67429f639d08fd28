import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpConnection, type HttpExchange } from './connection.js';

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

type Piece = { dir: 'c2s' | 's2c'; data?: string; gap?: number | null };

/** Feeds pieces (positions counted per direction from 1, as relative sequence numbers) cut at `cuts`. */
function run(pieces: Piece[], cuts: number[] = []): { exchanges: HttpExchange[]; problems: string[]; conn: HttpConnection } {
  const exchanges: HttpExchange[] = [];
  const problems: string[] = [];
  const conn = new HttpConnection(7, { exchange: (e) => exchanges.push(e), problem: (d, p, w) => problems.push(`${d}@${p}: ${w}`) });
  const pos = { c2s: 1, s2c: 1 };
  let k = 0;
  for (const p of pieces) {
    if (p.gap !== undefined) {
      conn.gap(p.dir, p.gap, pos[p.dir]);
      pos[p.dir] += p.gap ?? 0;
      continue;
    }
    const b = Buffer.from(p.data!, 'latin1');
    for (let at = 0; at < b.length; ) {
      const n = cuts.length === 0 ? b.length : Math.max(1, Math.min(b.length - at, cuts[k++ % cuts.length]!));
      conn.data(p.dir, b.subarray(at, at + n), pos[p.dir], 1_700_000_000, 0);
      pos[p.dir] += n;
      at += n;
    }
  }
  conn.close();
  return { exchanges, problems, conn };
}

const summary = (e: HttpExchange) => ({
  index: e.index,
  request: e.request === null ? null : `${e.request.head.method} ${e.request.head.uri} ${e.request.end?.framing}:${e.request.end?.bodyLength}`,
  response: e.response === null ? null : `${e.response.head.status} ${e.response.end?.framing}:${e.response.end?.bodyLength}${e.response.end?.complete === false ? ' partial' : ''}`,
});

describe('HTTP/1.x framing', () => {
  const keepAlive = [
    { dir: 'c2s', data: 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n' },
    { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello' },
    { dir: 'c2s', data: 'POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc' },
    { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5;ext=1\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n' },
  ] satisfies Piece[];

  it('Content-Length and chunked bodies (with an extension and a trailer), request bodies too', () => {
    const { exchanges, problems } = run(keepAlive);
    expect(problems).toEqual([]);
    expect(exchanges.map(summary)).toEqual([
      { index: 0, request: 'GET /a none:0', response: '200 length:5' },
      { index: 1, request: 'POST /b length:3', response: '200 chunked:9' },
    ]);
    expect(exchanges[0]!.response!.sha256).toBe(sha('hello'));
    expect(exchanges[1]!.request!.sha256).toBe(sha('abc'));
    expect(exchanges[1]!.response!.sha256).toBe(sha('wikipedia'));
    expect(exchanges[1]!.response!.end!.trailers).toEqual([['X-Trailer', 't']]);
    expect(exchanges[0]!.request!.sha256).toBeNull();
  });

  it('property: any segmentation gives the same exchanges', () => {
    const whole = run(keepAlive).exchanges.map((e) => [summary(e), e.response!.sha256, e.request!.sha256]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), (cuts) => {
        expect(run(keepAlive, cuts).exchanges.map((e) => [summary(e), e.response!.sha256, e.request!.sha256])).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('pipelined requests are answered in order; HEAD, 204 and 304 have no body; 100 Continue is interim', () => {
    const { exchanges, problems } = run([
      { dir: 'c2s', data: 'HEAD /h HTTP/1.1\r\n\r\nGET /n HTTP/1.1\r\n\r\nGET /m HTTP/1.1\r\n\r\nPUT /p HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n' },
      { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n' },
      { dir: 'c2s', data: 'ok' },
      { dir: 's2c', data: 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n' },
    ]);
    expect(problems).toEqual([]);
    expect(exchanges.map(summary)).toEqual([
      { index: 0, request: 'HEAD /h none:0', response: '200 none:0' },
      { index: 1, request: 'GET /n none:0', response: '204 none:0' },
      { index: 2, request: 'GET /m none:0', response: '304 none:0' },
      { index: 3, request: 'PUT /p length:2', response: '201 length:0' },
    ]);
    expect(exchanges[3]!.interim).toEqual([100]);
  });

  it('a body delimited by the close ends with the connection', () => {
    const { exchanges } = run([
      { dir: 'c2s', data: 'GET / HTTP/1.0\r\n\r\n' },
      { dir: 's2c', data: 'HTTP/1.0 200 OK\r\n\r\nall of it until the end' },
    ]);
    expect(exchanges.map(summary)).toEqual([{ index: 0, request: 'GET / none:0', response: '200 close:23' }]);
    expect(exchanges[0]!.response!.sha256).toBe(sha('all of it until the end'));
  });

  it('a hole inside a body is a hole of the object, at its place, zeros in its hash; the framing holds', () => {
    const { exchanges, problems } = run([
      { dir: 'c2s', data: 'GET /f HTTP/1.1\r\n\r\n' },
      { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nabcd' },
      { dir: 's2c', gap: 4 },
      { dir: 's2c', data: 'ijkl' },
      { dir: 'c2s', data: 'GET /g HTTP/1.1\r\n\r\n' },
      { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' },
    ]);
    expect(problems).toEqual([]);
    const body = exchanges[0]!.response!;
    expect(body.end).toMatchObject({ framing: 'length', bodyLength: 12, holes: [[4, 4]] });
    expect(body.sha256).toBe(sha(Buffer.concat([Buffer.from('abcd'), Buffer.alloc(4), Buffer.from('ijkl')])));
    expect(exchanges[1]!.response!.sha256).toBe(sha('ok'));
  });

  it('a hole in a head loses that message, said where; parsing resumes at the next start line', () => {
    const { exchanges, problems } = run([
      { dir: 'c2s', data: 'GET /1 HTTP/1.1\r\nHo' },
      { dir: 'c2s', gap: 30 },
      { dir: 'c2s', data: 'ar: y\r\n\r\nGET /2 HTTP/1.1\r\n\r\n' },
      { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA' },
    ]);
    expect(problems[0]).toMatch(/^c2s@20: a hole of 30 bytes in the message head: framing lost/);
    expect(problems[1]).toMatch(/^c2s@50: 9 bytes before this request line were not HTTP/);
    expect(exchanges.map(summary)).toEqual([{ index: 0, request: 'GET /2 none:0', response: '200 length:1' }]);
  });

  it('a stream picked up mid-message: the bytes before the first start line are skipped and said', () => {
    const { exchanges, problems } = run([
      { dir: 's2c', data: 'tail of an earlier body\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' },
      { dir: 'c2s', data: 'x-more: header\r\n\r\nGET /next HTTP/1.1\r\n\r\n' },
    ]);
    expect(problems.some((p) => /^s2c@1: 25 bytes before this response line were not HTTP/.test(p))).toBe(true);
    expect(exchanges.map(summary)).toEqual([{ index: 0, request: null, response: '200 length:2' }, { index: 1, request: 'GET /next none:0', response: null }]);
  });

  it('a chunked body cut by a hole inside a chunk keeps the hole; a hole across chunk framing loses it, said', () => {
    const inChunk = run([
      { dir: 'c2s', data: 'GET / HTTP/1.1\r\n\r\n' },
      { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n01' },
      { dir: 's2c', gap: 3 },
      { dir: 's2c', data: '56789\r\n0\r\n\r\n' },
    ]);
    expect(inChunk.problems).toEqual([]);
    expect(inChunk.exchanges[0]!.response!.end).toMatchObject({ framing: 'chunked', bodyLength: 10, holes: [[2, 3]], complete: true });
    const across = run([
      { dir: 'c2s', data: 'GET / HTTP/1.1\r\n\r\n' },
      { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc' },
      { dir: 's2c', gap: 40 },
      { dir: 's2c', data: 'more\r\n0\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n' },
    ]);
    expect(across.problems[0]).toMatch(/a hole of 40 bytes in the chunked body: framing lost/);
    expect(across.exchanges[0]!.response!.end).toMatchObject({ complete: false, bodyLength: 3 });
  });

  it('101 Switching Protocols and a CONNECT tunnel end HTTP on the connection, and say so', () => {
    const ws = run([
      { dir: 'c2s', data: 'GET /chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n' },
      { dir: 's2c', data: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello' },
      { dir: 'c2s', data: '\x81\x85binaryframes' },
    ]);
    expect(ws.conn.stoppedBy).toBe('switched protocols (101) to websocket');
    expect(ws.problems).toEqual([]);
    expect(ws.exchanges.map(summary)).toEqual([{ index: 0, request: 'GET /chat none:0', response: '101 none:0' }]);
    const tunnel = run([
      { dir: 'c2s', data: 'CONNECT example.com:443 HTTP/1.1\r\n\r\n\x16\x03\x01' },
      { dir: 's2c', data: 'HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03' },
    ]);
    expect(tunnel.conn.stoppedBy).toBe('a CONNECT tunnel was opened');
    expect(tunnel.exchanges.map(summary)).toEqual([{ index: 0, request: 'CONNECT example.com:443 none:0', response: '200 none:0' }]);
  });

  it('bad input is counted and reported, never the end: a bad Content-Length, a bad chunk line, a bare-LF head', () => {
    const { exchanges, problems } = run([
      { dir: 'c2s', data: 'GET /1 HTTP/1.1\n\nPOST /2 HTTP/1.1\r\nContent-Length: lots\r\n\r\nGET /3 HTTP/1.1\r\n\r\n' },
      { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nZHTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\nrest' },
    ]);
    expect(problems.filter((p) => /c2s.*Content-Length "lots" is not a number: framing lost/.test(p))).toHaveLength(1);
    expect(problems.filter((p) => /not a chunk-size line: "zz"/.test(p))).toHaveLength(1);
    expect(exchanges.map((e) => e.response?.head.status)).toEqual([200, 200, 200]);
    expect(exchanges[1]!.response!.sha256).toBe(sha('Z'));
    // A response with a Content-Length that is no number is read to the close, as a browser shows it.
    expect(problems.filter((p) => /s2c.*Content-Length "lots" is not a number: the body is read to the close/.test(p))).toHaveLength(1);
    expect(exchanges[2]!.response!.end!.framing).toBe('close');
    expect(exchanges[2]!.response!.sha256).toBe(sha('rest'));
  });

  it('a connection that is not HTTP is given up after the sniff window, cheaply', () => {
    const noise = Buffer.alloc(200 * 1024, 0x41).toString('latin1');
    const { conn, exchanges } = run([{ dir: 'c2s', data: noise }, { dir: 's2c', data: noise }]);
    expect(conn.stoppedBy).toMatch(/^not HTTP/);
    expect(exchanges).toEqual([]);
  });
});

describe('positions in the stream', () => {
  it('each message says where its head and body start and where it ends (relative sequence numbers)', () => {
    const req = 'GET /a HTTP/1.1\r\n\r\n';
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    const body = '3\r\nabc\r\n0\r\n\r\n';
    const { exchanges } = run([{ dir: 'c2s', data: req }, { dir: 's2c', data: head + body + 'HTTP/1.1 204 No Content\r\n\r\n' }]);
    const r = exchanges[0]!.response!;
    expect([r.head.position, r.head.bodyPosition, r.end!.endPosition]).toEqual([1, 1 + head.length, 1 + head.length + body.length]);
    expect(exchanges[0]!.request!.end!.endPosition).toBe(1 + req.length);
  });
});

describe('holes at a body edge', () => {
  it('a hole running past a body of known length ends the body there; the rest lies before the next message', () => {
    const { exchanges, problems } = run([
      { dir: 'c2s', data: 'GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n' },
      { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd' },
      { dir: 's2c', gap: 20 },
      { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' },
    ]);
    expect(exchanges[0]!.response!.end).toMatchObject({ framing: 'length', bodyLength: 10, holes: [[4, 6]], complete: true });
    expect(exchanges[1]!.response!.sha256).toBe(sha('ok'));
    // The 14 bytes of hole after the body lie between messages: no message lost anything, nothing to report.
    expect(problems).toEqual([]);
  });
});

describe('leniency where browsers and Wireshark are lenient', () => {
  it('blanks around a chunk size are tolerated', () => {
    const { exchanges, problems } = run([
      { dir: 'c2s', data: 'GET / HTTP/1.1\r\n\r\n' },
      { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n 5 \r\nhello\r\n\t0\r\n\r\n' },
    ]);
    expect(problems).toEqual([]);
    expect(exchanges[0]!.response!.sha256).toBe(sha('hello'));
  });
});

describe('start lines a browser takes (http-evader shapes): read, and each oddity reported', () => {
  const eicar = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR';
  const one = (status: string) =>
    run([
      { dir: 'c2s', data: 'GET /f HTTP/1.1\r\n\r\n' },
      { dir: 's2c', data: `${status}\r\nContent-Length: ${eicar.length}\r\n\r\n${eicar}` },
    ]);

  it.each([
    ['HTTP/1.1 2xx ok', 2, /status code "2xx" is not three digits, read as 2/],
    ['HTTP/1.1 0200 ok', 200, /status code "0200" is not three digits, read as 200/],
    ['HTTP/1.1', 0, /status code "" is not three digits, read as 0/],
    ['HTTP/1.1foobar', 0, /version "HTTP\/1.1foobar" is not HTTP\/1.0 or HTTP\/1.1/],
    ['HTTP/1.10 200 ok', 200, /version "HTTP\/1.10"/],
    ['http/1.1 200 ok', 200, /version "http\/1.1"/],
    ['HTTP/1.1  200 ok', 200, /not separated by single spaces/],
    ['HTTP/1.1\t200 ok', 200, /not separated by single spaces/],
    ['HTTP/1.1\v200\vok', 200, /not separated by single spaces/],
  ])('%j: status %d, the body framed by its length, and said', (line, status, said) => {
    const { exchanges, problems } = one(line);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]!.response!.head.status).toBe(status);
    expect(exchanges[0]!.response!.sha256).toBe(sha(eicar));
    expect(problems.some((p) => said.test(p))).toBe(true);
  });

  it('a well-formed status line says nothing', () => {
    expect(one('HTTP/1.1 200 OK').problems).toEqual([]);
  });

  it('a line end of LF then CRLF ends the head', () => {
    const { exchanges } = run([
      { dir: 'c2s', data: 'GET /f HTTP/1.1\r\n\r\n' },
      { dir: 's2c', data: `HTTP/1.1 200 ok\r\nContent-Length: ${eicar.length}\n\r\n${eicar}` },
    ]);
    expect(exchanges[0]!.response!.sha256).toBe(sha(eicar));
  });

  it('bare CRs between header fields are read as spaces: the fields are lost, the body runs to the close, said', () => {
    const { exchanges, problems } = run([
      { dir: 'c2s', data: 'GET /f HTTP/1.1\r\n\r\n' },
      { dir: 's2c', data: `HTTP/1.1 200 ok\rContent-Length: 3\r\n\r\n${eicar}` },
    ]);
    expect(exchanges[0]!.response!.end!.framing).toBe('close');
    expect(exchanges[0]!.response!.sha256).toBe(sha(eicar));
    expect(problems.filter((p) => /a bare CR inside the head: read as a space/.test(p))).toHaveLength(1);
  });

  it('a lower-case method is a request, reported; a body of text is still not taken for one when resynchronising', () => {
    const { exchanges, problems } = run([{ dir: 'c2s', data: 'get /a HTTP/1.1\r\n\r\n' }]);
    expect(exchanges.map((e) => e.request?.head.method)).toEqual(['get']);
    expect(problems.some((p) => /method "get" is not upper-case/.test(p))).toBe(true);
    const mid = run([{ dir: 'c2s', data: 'tail of a body\r\nsee get /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n' }]);
    expect(mid.exchanges.map((e) => e.request?.head.uri)).toEqual(['/b']);
  });
});

describe('fields as lists, names as sent (http-evader shapes)', () => {
  const chunkedEicar = '4\r\nX5O!\r\n0\r\n\r\n';
  const resp = (fields: string, body: string) =>
    run([
      { dir: 'c2s', data: 'GET /f HTTP/1.1\r\n\r\n' },
      { dir: 's2c', data: `HTTP/1.1 200 OK\r\n${fields}\r\n${body}` },
    ]);

  it('Transfer-Encoding over two field lines is one list: `xte` then `chunked` is chunked', () => {
    const { exchanges } = resp('Transfer-Encoding: xte\r\nTransfer-Encoding: chunked\r\n', chunkedEicar);
    expect(exchanges[0]!.response!.end!.framing).toBe('chunked');
    expect(exchanges[0]!.response!.sha256).toBe(sha('X5O!'));
  });

  it('an empty list element is nothing: `chunked,` is chunked', () => {
    expect(resp('Transfer-Encoding: chunked,\r\n', chunkedEicar).exchanges[0]!.response!.sha256).toBe(sha('X5O!'));
  });

  it('a final coding that is not chunked reads the response to the close, Content-Length or not', () => {
    const { exchanges } = resp('Transfer-Encoding: chunkedx\r\nContent-Length: 2\r\n', 'abcdef');
    expect(exchanges[0]!.response!.end!.framing).toBe('close');
    expect(exchanges[0]!.response!.sha256).toBe(sha('abcdef'));
  });

  it('whitespace before the colon: not that field, said; the Content-Length frames the body', () => {
    const { exchanges, problems } = resp('Transfer-Encoding :chunked\r\nContent-Length: 4\r\n', 'X5O!');
    expect(exchanges[0]!.response!.end!.framing).toBe('length');
    expect(exchanges[0]!.response!.sha256).toBe(sha('X5O!'));
    expect(problems.some((p) => /whitespace before the colon of field "Transfer-Encoding "/.test(p))).toBe(true);
  });

  it('a Content-Length list of one value repeated is that value, silently (RFC 9110 section 8.6)', () => {
    const { exchanges, problems } = resp('Content-Length: 4, 4\r\n', 'X5O!');
    expect(exchanges[0]!.response!.sha256).toBe(sha('X5O!'));
    expect(problems).toEqual([]);
  });

  it('a chunk-size line with bytes after the digits is read by its digits, and said', () => {
    const { exchanges, problems } = resp('Transfer-Encoding: chunked\r\n', '4x\r\nX5O!\r\n\v0\r\n\r\n');
    expect(exchanges[0]!.response!.sha256).toBe(sha('X5O!'));
    expect(exchanges[0]!.response!.end!.complete).toBe(true);
    expect(problems.filter((p) => /a chunk-size line with more than a size: "4x", read as 4/.test(p))).toHaveLength(1);
  });
});

describe('methods', () => {
  it('any method token starts a request (QUERY, extension methods), as the request line allows', () => {
    const { exchanges, problems } = run([
      { dir: 'c2s', data: 'QUERY /q HTTP/1.1\r\nContent-Length: 2\r\n\r\nq?FROBNICATE /x HTTP/1.1\r\n\r\n' },
      { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nAHTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n\r\n' },
    ]);
    expect(problems).toEqual([]);
    expect(exchanges.map(summary)).toEqual([
      { index: 0, request: 'QUERY /q length:2', response: '200 length:1' },
      { index: 1, request: 'FROBNICATE /x none:0', response: '501 length:0' },
    ]);
  });
});

describe('obsolete line folding', () => {
  it('a folded header continues the field before it (Transfer-Encoding folded onto a second line)', () => {
    const { exchanges, problems } = run([
      { dir: 'c2s', data: 'GET / HTTP/1.1\r\n\r\n' },
      { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n' },
    ]);
    expect(problems).toEqual([]);
    expect(exchanges[0]!.response!.head.headers).toEqual([['Transfer-Encoding', 'chunked']]);
    expect(exchanges[0]!.response!.sha256).toBe(sha('ok'));
  });
});

describe('request smuggling shapes (Zeek 261 variants)', () => {
  it('Transfer-Encoding wins over Content-Length: the smuggled request is the next exchange', () => {
    const { exchanges } = run([{ dir: 'c2s', data: 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 50\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n' }]);
    expect(exchanges.map((e) => e.request!.head.uri)).toEqual(['/', '/smuggled']);
  });

  it('a Content-Length with leading zeros is its number', () => {
    const body = 'X'.repeat(50);
    const { exchanges, problems } = run([{ dir: 'c2s', data: `POST / HTTP/1.1\r\nContent-Length: 00000000000000000000000000000050\r\n\r\n${body}GET /next HTTP/1.1\r\n\r\n` }]);
    expect(problems).toEqual([]);
    expect(exchanges.map((e) => [e.request!.head.uri, e.request!.end!.bodyLength])).toEqual([['/', 50], ['/next', 0]]);
  });

  it('a request with a Transfer-Encoding not ending in chunked is reported', () => {
    const { exchanges, problems } = run([{ dir: 'c2s', data: 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\nGET /s HTTP/1.1\r\n\r\n' }]);
    expect(problems[0]).toMatch(/^c2s@1: Transfer-Encoding "chunked, identity" without chunked last/);
    expect(exchanges.map((e) => e.request!.head.uri)).toEqual(['/', '/s']);
  });
});

describe('conflicting lengths', () => {
  it('two different Content-Lengths: the first is taken, and the conflict is reported', () => {
    const { exchanges, problems } = run([{ dir: 'c2s', data: 'POST /a HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 9\r\n\r\nabcGET /b HTTP/1.1\r\n\r\n' }]);
    expect(problems).toEqual(['c2s@1: Content-Length given 2 times with different values ("3", "9"): the first is taken, a recipient must reject this']);
    expect(exchanges.map((e) => [e.request!.head.uri, e.request!.end!.bodyLength])).toEqual([['/a', 3], ['/b', 0]]);
  });
});

describe('hostile bytes', () => {
  it('property: any bytes and holes, in any segmentation, end without a throw, and every exchange is whole or said', () => {
    const piece = fc.oneof(
      fc.record({ dir: fc.constantFrom<'c2s' | 's2c'>('c2s', 's2c'), data: fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('GET / HTTP/1.1\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', '5\r\nhello\r\n', '0\r\n\r\n', '\r\n')) }),
      fc.record({ dir: fc.constantFrom<'c2s' | 's2c'>('c2s', 's2c'), gap: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: null }) }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 5 }), (pieces, cuts) => {
        const { exchanges } = run(pieces as Piece[], cuts);
        for (const e of exchanges) {
          for (const m of [e.request, e.response]) {
            if (m === null || m.end === null) continue;
            let holes = 0;
            for (const [at, len] of m.end.holes) {
              expect(at + len).toBeLessThanOrEqual(m.end.bodyLength);
              holes += len;
            }
            expect(holes).toBeLessThanOrEqual(m.end.bodyLength);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
