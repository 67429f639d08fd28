import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapBuilder } from '../../test/support/capture-builder.js';
import { tcpFrame, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from '../../test/support/frame-builder.js';
import { analyzeCapture, runPass, streamAnalyze, } from './index.js';
import type { ConnectionRow as ConnectionReport } from '../schema/row.js';

const T0 = 1_700_000_000;
const tmp = mkdtempSync(join(tmpdir(), 'tcpreasm-stream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function seg(pcap: PcapBuilder, t: number, port: number, fromClient: boolean, seq: number, ack: number, flags: number, payload?: string): void {
  const a = { src: '10.0.0.1', srcPort: port, dst: '10.0.0.2', dstPort: 80 };
  const ends = fromClient ? a : { src: a.dst, srcPort: a.dstPort, dst: a.src, dstPort: a.srcPort };
  pcap.record({ tsSec: T0 + Math.floor(t), tsFrac: Math.round((t % 1) * 1e6), data: tcpFrame({ ...ends, seq, ack, flags, payload }) });
}

/** Connection on `port`: handshake, one request, FIN both ways; `open` leaves the FINs out. */
function conn(pcap: PcapBuilder, t: number, port: number, open = false): void {
  seg(pcap, t, port, true, 100, 0, TCP_SYN);
  seg(pcap, t, port, false, 500, 101, TCP_SYN | TCP_ACK);
  seg(pcap, t, port, true, 101, 501, TCP_ACK | TCP_PSH, `GET /${port}`);
  if (open) return;
  seg(pcap, t, port, true, 101 + `GET /${port}`.length, 501, TCP_ACK | TCP_FIN);
  seg(pcap, t, port, false, 501, 102 + `GET /${port}`.length, TCP_ACK | TCP_FIN);
}

// Connection 0 stays open over the whole capture while 200 others start and end after it.
const pcap = new PcapBuilder();
conn(pcap, 0, 1000, true);
for (let i = 1; i <= 200; i++) conn(pcap, i * 0.01, 1000 + i);
const file = join(tmp, 'long-lived.pcap');
writeFileSync(file, pcap.build());

describe('streamed analyze rows', () => {
  it('are the same rows analyzeCapture returns, each connection once', async () => {
    const streamed: ConnectionReport[] = [];
    const s = await streamAnalyze(file, (r) => streamed.push(r.report()));
    const all = await analyzeCapture(file);
    expect(s.rows).toBe(201);
    expect(s.summary.connections).toBe(201);
    expect(all.connections.map((c) => c.id)).toEqual([...Array(201).keys()]);
    expect(streamed).toEqual(all.connections);
    // The open connection held every later row back: all were waiting at the end, in order.
    expect(s.lateRows).toBe(0);
    expect(s.heldRowsPeak).toBe(200);
    expect(streamed[0]!.state).toBe('open at end');
  });

  it('hold no more than maxHeldRows behind an open connection: it comes late, nothing is lost', async () => {
    const streamed: number[] = [];
    const s = await streamAnalyze(file, (r) => streamed.push(r.id), { maxHeldRows: 16 });
    expect(s.heldRowsPeak).toBeLessThanOrEqual(17);
    expect(s.lateRows).toBe(1);
    expect(streamed.length).toBe(201);
    expect(streamed.at(-1)).toBe(0);
    expect(streamed.slice(0, -1)).toEqual([...Array(200).keys()].map((i) => i + 1));
    // analyzeCapture puts a late row back in id order.
    const all = await analyzeCapture(file, { maxHeldRows: 16 });
    expect(all.connections.map((c) => c.id)).toEqual([...Array(201).keys()]);
  });

  it('hand over one reused view; report() copies are the rows, unchanged by later rows', async () => {
    const views = new Set<object>();
    const ids: number[] = [];
    const copies: ConnectionReport[] = [];
    await streamAnalyze(file, (r) => {
      views.add(r);
      ids.push(r.id);
      copies.push(r.report());
    });
    expect(views.size).toBe(1);
    expect(ids).toEqual([...Array(201).keys()]);
    expect(copies).toEqual((await analyzeCapture(file)).connections);
    expect(copies.map((c) => c.clientPort)).toEqual([...Array(201).keys()].map((i) => 1000 + i));
  });
});

describe('streamed analyze rows paced by a drain (back-pressure from a slow output)', () => {
  // 1,500 connections behind one that stays open: all 1,501 rows are due at once when the capture ends.
  const burst = new PcapBuilder();
  conn(burst, 0, 1000, true);
  for (let i = 1; i <= 1500; i++) conn(burst, i * 0.001, 1000 + i);
  const burstFile = join(tmp, 'burst.pcap');
  writeFileSync(burstFile, burst.build());

  it('are the same rows in the same order, never more than 512 between two waits, none while a wait is pending', async () => {
    const plain: ConnectionReport[] = [];
    await streamAnalyze(burstFile, (r) => plain.push(r.report()));
    const paced: ConnectionReport[] = [];
    let waits = 0;
    let pending = false;
    const sinceWait: number[] = [0];
    const s = await streamAnalyze(
      burstFile,
      (r) => {
        expect(pending).toBe(false);
        paced.push(r.report());
        sinceWait[sinceWait.length - 1]!++;
      },
      {
        drain: async () => {
          waits++;
          pending = true;
          await new Promise((r) => setTimeout(r, 1));
          pending = false;
          sinceWait.push(0);
        },
      },
    );
    expect(paced).toEqual(plain);
    expect(s.rows).toBe(1501);
    expect(s.lateRows).toBe(0);
    expect(Math.max(...sinceWait)).toBe(512);
    expect(waits).toBeGreaterThanOrEqual(Math.ceil(1501 / 512));
  });

  it('an exception from onRow still stops the pass and rejects', async () => {
    let n = 0;
    const run = streamAnalyze(burstFile, () => {
      if (++n === 600) throw new Error('output broke');
    }, { drain: () => undefined });
    await expect(run).rejects.toThrow('output broke');
    expect(n).toBe(600);
  });
});

describe('the pass reuses stream objects across connections', () => {
  it('each connection ends with the handler its open() gave, with its own id', async () => {
    const opened: number[] = [];
    const ended: Array<[number, number]> = [];
    await runPass(file, {
      open: (conn) => {
        const mine = conn.id;
        opened.push(mine);
        // Every 3rd connection is ignored (no handler): a reused stream must not carry an old one over.
        if (mine % 3 === 2) return null;
        return { reassembled: () => {}, complete: (c) => ended.push([mine, c.id]) };
      },
    });
    expect(opened).toHaveLength(201);
    expect(ended).toHaveLength(opened.filter((id) => id % 3 !== 2).length);
    for (const [mine, id] of ended) expect(id).toBe(mine);
    expect(new Set(ended.map(([m]) => m)).size).toBe(ended.length);
  });
});
