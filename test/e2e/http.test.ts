/**
 * `tcpreasm http` on real HTTP/1.1 traffic with loss (samples/http-loss.pcap: Python's http.server and
 * http.client, every body derived from its URI, so the truth file is computed without tcpreasm), and on crafted
 * captures: a body with a hole that no retransmission filled, a connection picked up mid-message.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PcapBuilder } from '../support/capture-builder.js';
import { tcpFrame, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, type TcpSegmentSpec } from '../support/frame-builder.js';
import { cli, SAMPLES, tempDir } from './support.js';

interface Truth {
  cport: number;
  exchange: number;
  method: string;
  uri: string;
  status: number;
  body_len: number;
  body_sha256: string;
  decoded_sha256: string;
}
interface Row {
  connectionId: number;
  exchange: number;
  client: string;
  method: string;
  uri: string;
  status: number;
  responseBodyBytes: number | null;
  responseSha256: string | null;
  complete: boolean;
}
interface ObjectRow {
  file: string;
  connectionId: number;
  exchange: number;
  which: string;
  uri: string;
  bytes: number;
  sha256: string;
  holes: Array<[number, number]>;
  partial: boolean;
  streamStart: number;
  streamEnd: number;
  decoded?: { file: string; sha256: string } | { error: string };
}

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const EMPTY = sha('');
const CAPTURE = join(SAMPLES, 'http-loss.pcap');
const truth = readFileSync(join(SAMPLES, 'http-loss.truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Truth);
const port = (endpoint: string): number => Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));

describe('tcpreasm http on real traffic with loss', () => {
  it('every exchange of the truth file: method, URI, status, body length and sha256, complete', async () => {
    const r = await cli(['http', CAPTURE, '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { exchanges: Row[]; problems: unknown[]; summary: { http: { exchanges: number } } };
    expect(doc.problems).toEqual([]);
    expect(doc.summary.http.exchanges).toBe(truth.length);
    for (const t of truth) {
      const row = doc.exchanges.find((x) => port(x.client) === t.cport && x.exchange === t.exchange)!;
      expect(row, `${t.cport} #${t.exchange}`).toBeDefined();
      expect([row.method, row.uri, row.status, row.responseBodyBytes, row.complete]).toEqual([t.method, t.uri, t.status, t.body_len, true]);
      // A response without a body by definition (HEAD, 304) has no hash; an empty body has the empty one.
      if (row.responseSha256 !== null || t.body_sha256 !== EMPTY) expect(row.responseSha256).toBe(t.body_sha256);
    }
  });

  it('the table fits an 80-column terminal: columns give way, prose folds', async () => {
    const r = await cli(['http', CAPTURE, '-q'], { env: { ...process.env, COLUMNS: '80' } });
    expect(r.code).toBe(0);
    const report = r.stdout.slice(0, r.stdout.indexOf('\nInput '));
    expect(report).toContain('25 HTTP exchanges in 7 connections.');
    for (const line of report.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('-o DIR --decode: each body a file with its sha256; gzip bodies decoded; objects.jsonl names the stream range', async () => {
    const out = join(tempDir('http-objects'), 'objects');
    const r = await cli(['http', CAPTURE, '-o', out, '--decode', '-q', '--format', 'csv']);
    expect(r.code).toBe(0);
    const rows = readFileSync(join(out, 'objects.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ObjectRow);
    const byConn = new Map<number, number>();
    const csv = r.stdout.trim().split('\r\n').slice(1);
    for (const line of csv) {
      const cells = line.split(',');
      byConn.set(Number(cells[0]), port(cells[4]!));
    }
    let responses = 0;
    for (const o of rows) {
      expect(sha(readFileSync(join(out, o.file)))).toBe(o.sha256);
      expect(o.partial).toBe(false);
      if (o.which !== 'response') continue;
      responses++;
      const t = truth.find((x) => x.cport === byConn.get(o.connectionId) && x.exchange === o.exchange)!;
      expect(o.sha256).toBe(t.body_sha256);
      expect(o.bytes).toBe(t.body_len);
      expect(o.streamEnd - o.streamStart).toBeGreaterThanOrEqual(o.bytes);
      if (t.uri.startsWith('/gzip/')) {
        expect(o.decoded).toMatchObject({ sha256: t.decoded_sha256 });
        expect(sha(readFileSync(join(out, (o.decoded as { file: string }).file)))).toBe(t.decoded_sha256);
      }
    }
    expect(responses).toBe(truth.filter((t) => t.body_len > 0).length);
    // Every file but the list is an object it lists (and the POST bodies, requests, are listed too).
    expect(readdirSync(out).filter((n) => n !== 'objects.jsonl').sort()).toEqual(
      rows.flatMap((o) => [o.file, ...(o.decoded !== undefined && 'file' in o.decoded ? [o.decoded.file] : [])]).sort(),
    );
  });
});

/** A conversation as frames, 1 ms apart. */
function conversation(f: (add: (spec: TcpSegmentSpec) => void) => void): Buffer {
  const pcap = new PcapBuilder();
  let t = 0;
  f((spec) => {
    pcap.record({ tsSec: 1_700_000_000, tsFrac: 1000 * t++, data: tcpFrame(spec) });
  });
  return pcap.build();
}

const CL = { src: '192.0.2.1', dst: '192.0.2.80', srcPort: 40000, dstPort: 8000 };
const SV = { src: '192.0.2.80', dst: '192.0.2.1', srcPort: 8000, dstPort: 40000 };

describe('tcpreasm http on crafted captures', () => {
  it('a body with a hole no retransmission filled: partial, the hole at its place in the object, as zeros', async () => {
    const req = 'GET /files/report.pdf HTTP/1.1\r\nHost: h\r\n\r\n';
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: 3000\r\n\r\n';
    const body = Buffer.from(Array.from({ length: 3000 }, (_, i) => 65 + (i % 26)));
    const file = conversation((add) => {
      add({ ...CL, seq: 100, flags: TCP_SYN });
      add({ ...SV, seq: 900, ack: 101, flags: TCP_SYN | TCP_ACK });
      add({ ...CL, seq: 101, ack: 901, flags: TCP_ACK });
      add({ ...CL, seq: 101, ack: 901, flags: TCP_ACK | TCP_PSH, payload: Buffer.from(req) });
      const s0 = 901;
      const wire = Buffer.concat([Buffer.from(head), body]);
      // Three segments of 1000 bytes... the second one lost for good.
      for (const [from, to] of [[0, 1000], [2000, wire.length]]) add({ ...SV, seq: s0 + from!, ack: 101 + req.length, flags: TCP_ACK, payload: wire.subarray(from, to) });
      add({ ...SV, seq: s0 + wire.length, ack: 101 + req.length, flags: TCP_ACK | TCP_FIN });
      add({ ...CL, seq: 101 + req.length, ack: s0 + wire.length + 1, flags: TCP_ACK | TCP_FIN });
      add({ ...SV, seq: s0 + wire.length + 1, ack: 102 + req.length, flags: TCP_ACK });
    });
    const dir = tempDir('http-hole');
    const capture = join(dir, 'hole.pcap');
    writeFileSync(capture, file);
    const out = join(dir, 'objects');
    const r = await cli(['http', capture, '-o', out, '-q', '--format', 'json']);
    expect(r.code).toBe(0);
    const ex = (JSON.parse(r.stdout) as { exchanges: Array<Row & { responseMissingBytes: number }> }).exchanges;
    expect(ex.map((e) => [e.uri, e.status, e.responseBodyBytes, e.responseMissingBytes, e.complete])).toEqual([['/files/report.pdf', 200, 3000, 1000, false]]);
    const [o] = readFileSync(join(out, 'objects.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ObjectRow);
    const holeAt = 1000 - head.length;
    expect(o).toMatchObject({ file: 'c0-0-resp-report.pdf', partial: true, holes: [[holeAt, 1000]], bytes: 3000 });
    const got = readFileSync(join(out, o!.file));
    expect(got.length).toBe(3000);
    expect(got.subarray(0, holeAt).equals(body.subarray(0, holeAt))).toBe(true);
    expect(got.subarray(holeAt, holeAt + 1000).equals(Buffer.alloc(1000))).toBe(true);
    expect(got.subarray(holeAt + 1000).equals(body.subarray(holeAt + 1000))).toBe(true);
  });

  it('a connection picked up mid-message: said where, and the next exchange parsed', async () => {
    const file = conversation((add) => {
      // No handshake: the capture starts inside a response body, then a new request and its response.
      const tail = Buffer.from('...the end of an earlier body!');
      const req = Buffer.from('GET /next HTTP/1.1\r\n\r\n');
      add({ ...SV, seq: 5000, ack: 7000, flags: TCP_ACK, payload: tail });
      add({ ...CL, seq: 7000, ack: 5000 + tail.length, flags: TCP_ACK | TCP_PSH, payload: req });
      add({ ...SV, seq: 5000 + tail.length, ack: 7000 + req.length, flags: TCP_ACK | TCP_PSH, payload: Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext') });
    });
    const capture = join(tempDir('http-mid'), 'mid.pcap');
    writeFileSync(capture, file);
    const r = await cli(['http', capture, '--format', 'json']);
    const doc = JSON.parse(r.stdout) as { exchanges: Row[]; problems: Array<{ dir: string; position: number; what: string }> };
    expect(doc.problems).toEqual([{ connectionId: 0, dir: 's2c', position: 1, what: '30 bytes before this response line were not HTTP (the stream started mid-message, or framing was lost)' }]);
    expect(doc.exchanges.map((e) => [e.method, e.uri, e.status, e.responseSha256])).toEqual([['GET', '/next', 200, sha('next')]]);
  });

  it('a name from the URI never leaves the folder', async () => {
    const file = conversation((add) => {
      add({ ...CL, seq: 100, flags: TCP_SYN });
      add({ ...SV, seq: 900, ack: 101, flags: TCP_SYN | TCP_ACK });
      const req = Buffer.from('GET /a/..%2F..%2F..%2Fetc%2Fpasswd HTTP/1.1\r\n\r\n');
      add({ ...CL, seq: 101, ack: 901, flags: TCP_ACK | TCP_PSH, payload: req });
      add({ ...SV, seq: 901, ack: 101 + req.length, flags: TCP_ACK | TCP_PSH, payload: Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno') });
    });
    const dir = tempDir('http-name');
    writeFileSync(join(dir, 'n.pcap'), file);
    const out = join(dir, 'objects');
    expect((await cli(['http', join(dir, 'n.pcap'), '-o', out, '-q'])).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['c0-0-resp-_.._.._etc_passwd', 'objects.jsonl']); // the dots lead no path: '/' is gone
  });
});
