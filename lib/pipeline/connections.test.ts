import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { connections, followStream } from './connections.js';
import { httpExchanges } from '../http/from-connection.js';
import { SAMPLES, truth } from '../../test/e2e/support.js';
import { PcapBuilder } from '../../test/support/capture-builder.js';
import { tcpFrame, TCP_ACK, TCP_FIN, TCP_SYN, type TcpSegmentSpec } from '../../test/support/frame-builder.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const port = (endpoint: string): number => Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));

describe('connections(): each connection with its bytes', () => {
  it('every stream of a real capture with loss equals the ground truth, byte for byte', async () => {
    const want = truth('ipv4-loss.truth.jsonl');
    const seen = new Set<number>();
    const it = connections(join(SAMPLES, 'ipv4-loss.pcap'));
    for (;;) {
      const n = await it.next();
      if (n.done === true) {
        expect(n.value.connections).toBe(want.length); // the run summary is the return value
        break;
      }
      const c = n.value;
      const t = want.find((w) => w.cport === port(c.client))!;
      expect(sha(c.c2s.bytes())).toBe(t.c2s_sha256);
      expect(sha(c.s2c.bytes())).toBe(t.s2c_sha256);
      expect(c.c2s.dataBytes).toBe(t.c2s_len);
      expect(c.state).toBe('closed');
      seen.add(c.id);
    }
    expect(seen.size).toBe(want.length);
  });

  it('filter: only the connections it matches; a bad filter is an error naming the column', async () => {
    const want = truth('ipv4-loss.truth.jsonl');
    const p = want[3]!.cport;
    const got: number[] = [];
    for await (const c of connections(join(SAMPLES, 'ipv4-loss.pcap'), { filter: `tcp port ${p}` })) got.push(port(c.client));
    expect(got).toEqual([p]);
    await expect(connections(join(SAMPLES, 'ipv4-loss.pcap'), { filter: 'port port' }).next()).rejects.toThrow(/port/);
  });

  it('holes are pieces with their length, the bytes around them exact; the readable gives the same bytes', async () => {
    // Handshake, then bytes 0-9, a lost segment (10-19), bytes 20-29, FIN.
    const pcap = new PcapBuilder();
    const cl = { src: '192.0.2.1', dst: '192.0.2.2', srcPort: 40000, dstPort: 80 };
    const sv = { src: '192.0.2.2', dst: '192.0.2.1', srcPort: 80, dstPort: 40000 };
    let t = 0;
    const add = (spec: TcpSegmentSpec): void => void pcap.record({ tsSec: 1_700_000_000, tsFrac: t++, data: tcpFrame(spec) });
    add({ ...cl, seq: 100, flags: TCP_SYN });
    add({ ...sv, seq: 500, ack: 101, flags: TCP_SYN | TCP_ACK });
    add({ ...cl, seq: 101, ack: 501, flags: TCP_ACK });
    add({ ...cl, seq: 101, ack: 501, flags: TCP_ACK, payload: Buffer.from('0123456789') });
    add({ ...cl, seq: 121, ack: 501, flags: TCP_ACK, payload: Buffer.from('klmnopqrst') });
    add({ ...cl, seq: 131, ack: 501, flags: TCP_ACK | TCP_FIN });
    add({ ...sv, seq: 501, ack: 132, flags: TCP_ACK | TCP_FIN });
    add({ ...cl, seq: 132, ack: 502, flags: TCP_ACK });
    const c = (await followStream(Readable.from([pcap.build()]), 0))!;
    expect(c.c2s.pieces.map((p) => (p.kind === 'gap' ? `gap ${p.seq}+${p.length}` : `data ${p.seq} ${p.data.toString()}`))).toEqual([
      'data 1 0123456789',
      'gap 11+10',
      'data 21 klmnopqrst',
    ]);
    expect(c.c2s.bytes().toString()).toBe('0123456789klmnopqrst');
    expect(c.c2s.stats.missingBytes).toBe(10);
    const chunks: Buffer[] = [];
    for await (const b of c.c2s.readable()) chunks.push(b as Buffer);
    expect(Buffer.concat(chunks).equals(c.c2s.bytes())).toBe(true);
  });

  it('maxBytesPerDirection bounds what is kept and says so', async () => {
    for await (const c of connections(join(SAMPLES, 'ipv4-loss.pcap'), { maxBytesPerDirection: 1000 })) {
      expect(c.s2c.dataBytes).toBeLessThanOrEqual(1000);
      expect(c.s2c.truncated).toBe(c.s2c.droppedBytes > 0);
      expect(c.s2c.dataBytes + c.s2c.droppedBytes).toBe(c.s2c.stats.bytes);
    }
  });

  it('a loop that stops early stops the reading (no dangling pass)', async () => {
    let n = 0;
    for await (const _ of connections(join(SAMPLES, 'ipv4-loss.pcap'), { queue: 1 })) if (++n === 2) break;
    expect(n).toBe(2);
  });

  it('followStream: one connection by id, equal to its ground truth; null for an id not there', async () => {
    const want = truth('ipv4-loss.truth.jsonl');
    const c = await followStream(join(SAMPLES, 'ipv4-loss.pcap'), 5);
    expect(c!.id).toBe(5);
    expect(sha(c!.c2s.bytes())).toBe(want.find((w) => w.cport === port(c!.client))!.c2s_sha256);
    expect(await followStream(join(SAMPLES, 'ipv4-loss.pcap'), 999)).toBeNull();
  });
});

describe('httpExchanges(connection): the http parser on a connection of connections()', () => {
  it('gives what tcpreasm http gives for every exchange of the HTTP sample, against its truth file', async () => {
    const want = readFileSync(join(SAMPLES, 'http-loss.truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { cport: number; exchange: number; uri: string; status: number; body_len: number; body_sha256: string });
    let n = 0;
    for await (const c of connections(join(SAMPLES, 'http-loss.pcap'))) {
      const h = httpExchanges(c);
      expect(h.problems).toEqual([]);
      for (const e of h.exchanges) {
        const t = want.find((w) => w.cport === port(c.client) && w.exchange === e.index)!;
        expect([e.request!.head.uri, e.response!.head.status, e.response!.end!.bodyLength]).toEqual([t.uri, t.status, t.body_len]);
        if (e.response!.sha256 !== null) expect(e.response!.sha256).toBe(t.body_sha256);
        n++;
      }
    }
    expect(n).toBe(want.length);
  });
});
