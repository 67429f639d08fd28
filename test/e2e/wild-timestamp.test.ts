/**
 * One record stamped far ahead of the others (a damaged or hostile timestamp, as in suricata-verify's
 * transform-base64-7296) must not move the capture clock: the connections around it stay open and whole.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PcapBuilder } from '../support/capture-builder.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, tcpFrame } from '../support/frame-builder.js';
import { cli } from './support.js';

const T0 = 1_700_000_000;

function capture(jumps: number[]): string {
  const b = new PcapBuilder();
  let ms = 0;
  const seg = (c2s: boolean, seq: number, ack: number, flags: number, payload = '', at?: number, port = 40000) => {
    ms++;
    const t = at ?? T0 + ms / 1000;
    const spec = c2s
      ? { src: '10.1.0.1', dst: '10.1.0.2', srcPort: port, dstPort: 80, seq, ack, flags, payload }
      : { src: '10.1.0.2', dst: '10.1.0.1', srcPort: 80, dstPort: port, seq, ack, flags, payload };
    b.record({ tsSec: Math.floor(t), tsFrac: Math.round((t % 1) * 1e6), data: tcpFrame(spec) });
  };
  seg(true, 1000, 0, TCP_SYN);
  seg(false, 5000, 1001, TCP_SYN | TCP_ACK);
  seg(true, 1001, 5001, TCP_ACK | TCP_PSH, 'first ');
  // The far-ahead records belong to another connection, so the first one's own last packet stays early.
  for (const j of jumps) seg(true, 7000, 0, TCP_SYN, '', T0 + j, 40001);
  seg(true, 1007, 5001, TCP_ACK | TCP_PSH, 'second');
  seg(true, 1013, 5001, TCP_FIN | TCP_ACK);
  seg(false, 5001, 1014, TCP_FIN | TCP_ACK);
  const file = join(mkdtempSync(join(tmpdir(), 'wild-ts-')), 'c.pcap');
  writeFileSync(file, b.build());
  return file;
}

async function firstConnection(file: string): Promise<{ state: string; bytes: number }> {
  const r = await cli(['analyze', file, '--format', 'json', '-q']);
  const doc = JSON.parse(r.stdout) as { connections: Array<{ state: string; c2s: { bytes: number } }> };
  return { state: doc.connections[0]!.state, bytes: doc.connections[0]!.c2s.bytes };
}

describe('a timestamp far ahead of the capture', () => {
  it('one record 65,536 s ahead does not close the connection as idle', async () => {
    expect(await firstConnection(capture([65_536]))).toEqual({ state: 'closed', bytes: 12 });
  });

  it('a real pause (two records agreeing) still moves the clock: the connection was idle, it times out', async () => {
    const r = await firstConnection(capture([65_536, 65_536.5]));
    expect(r.state).toBe('timed out');
  });
});
