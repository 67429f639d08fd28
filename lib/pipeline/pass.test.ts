import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapBuilder } from '../../test/support/capture-builder.js';
import { tcpFrame, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from '../../test/support/frame-builder.js';
import { blindRst } from '../../test/attacks/crafted.js';
import { analyzeCapture, exportCapture, overlapsCapture, runPass } from './index.js';

const T0 = 1_700_000_000;
const tmp = mkdtempSync(join(tmpdir(), 'tcpreasm-pass-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Segments of one client/server pair (ports tell connections apart), at whole seconds of capture time. */
function seg(pcap: PcapBuilder, t: number, port: number, fromClient: boolean, seq: number, ack: number, flags: number, payload?: string): void {
  const a = { src: '10.0.0.1', srcPort: port, dst: '10.0.0.2', dstPort: 80 };
  const ends = fromClient ? a : { src: a.dst, srcPort: a.dstPort, dst: a.src, dstPort: a.srcPort };
  pcap.record({ tsSec: T0 + t, tsFrac: 0, data: tcpFrame({ ...ends, seq, ack, flags, payload }) });
}

function handshake(pcap: PcapBuilder, t: number, port: number): void {
  seg(pcap, t, port, true, 100, 0, TCP_SYN);
  seg(pcap, t, port, false, 500, 101, TCP_SYN | TCP_ACK);
  seg(pcap, t, port, true, 101, 501, TCP_ACK);
}

describe('capture time drives the engine', () => {
  // Connection A goes quiet at t=0 with data queued behind a hole; connection B keeps the clock moving to t=1000.
  const pcap = new PcapBuilder();
  handshake(pcap, 0, 1111);
  seg(pcap, 0, 1111, true, 111, 501, TCP_ACK | TCP_PSH, 'after-hole'); // bytes 101..110 never captured
  handshake(pcap, 1, 2222);
  for (let t = 2; t <= 1000; t += 50) seg(pcap, t, 2222, true, 101, 501, TCP_ACK); // keep-alive-ish, no data
  const file = join(tmp, 'clock.pcap');
  writeFileSync(file, pcap.build());

  it('closes an idle connection as timed out once capture time passes --close-after; defaults keep it open to the end', async () => {
    const short = await analyzeCapture(file, { closeAfterSec: 300, flushAfterSec: 60 });
    const long = await analyzeCapture(file, { closeAfterSec: 5000, flushAfterSec: 5000 });
    expect(short.connections.map((c) => c.state)).toEqual(['timed out', 'open at end']);
    expect(long.connections.map((c) => c.state)).toEqual(['open at end', 'open at end']);
    // Either way the queued bytes come out over the hole and the hole is counted.
    for (const r of [short, long]) {
      expect(r.connections[0]!.c2s.bytes).toBe(10);
      expect(r.connections[0]!.c2s.missingBytes).toBe(10);
      expect(r.summary.bytesMissing).toBe(10);
      expect(r.summary.engine.ended.timedOut).toBe(r === short ? 1 : 0);
    }
  });

  it('exports the queued data over its hole; the gap map gives offset, sequence, length and the time of the byte after it', async () => {
    const dir = join(tmp, 'flush');
    const r = await exportCapture(file, { dir }, { flushAfterSec: 60, closeAfterSec: 5000 });
    expect(r.export.connections).toBe(2);
    const rows = readFileSync(join(dir, 'manifest.jsonl'), 'utf8').trim().split('\n').filter((l) => !l.startsWith('{"end"')).map((l) => JSON.parse(l));
    const a = rows.find((x: { clientPort: number }) => x.clientPort === 1111);
    expect(a.c2s.gaps).toHaveLength(1);
    expect(a.c2s.gaps[0]).toMatchObject({ offset: 0, seq: 101, length: 10, filled: false });
    expect(a.c2s.gaps[0].epoch).toBe(`${T0}.000000000`);
    expect(a.state).toBe('open at end');
    expect(readFileSync(join(dir, a.c2s.file), 'utf8')).toBe('after-hole');
  });
});

describe('interruption (Ctrl-C)', () => {
  it('stops reading, writes what it has, and marks connections cut short in the manifest', async () => {
    const pcap = new PcapBuilder();
    handshake(pcap, 0, 3333);
    seg(pcap, 1, 3333, true, 101, 501, TCP_ACK | TCP_PSH, 'before the interrupt;');
    const firstPart = pcap.build();
    seg(pcap, 2, 3333, true, 122, 501, TCP_ACK | TCP_PSH, 'never read');
    seg(pcap, 3, 3333, true, 132, 501, TCP_ACK | TCP_FIN);
    const whole = pcap.build();
    const controller = new AbortController();
    async function* chunks(): AsyncGenerator<Buffer> {
      yield firstPart;
      controller.abort(); // Ctrl-C while the rest is on its way
      yield whole.subarray(firstPart.length);
    }
    const dir = join(tmp, 'interrupt');
    // A bare async iterable: a Readable would pull the second chunk (and abort) before the first is parsed.
    const source = { [Symbol.asyncIterator]: chunks } as unknown as NodeJS.ReadableStream;
    const r = await exportCapture(source, { dir }, { signal: controller.signal, sourceName: '-' });
    expect(r.summary.interrupted).toBe(true);
    // The FIN (record 6) is never read; the reader may let the record it was in the middle of through.
    expect(r.summary.packetsRead).toBeGreaterThanOrEqual(4);
    expect(r.summary.packetsRead).toBeLessThan(6);
    expect(r.export.unfinished).toBe(1);
    const [row] = readFileSync(join(dir, 'manifest.jsonl'), 'utf8').trim().split('\n').filter((l) => !l.startsWith('{"end"')).map((l) => JSON.parse(l));
    expect(row.state).toBe('interrupted');
    expect(row.c2s.complete).toBe(false);
    expect(readFileSync(join(dir, row.c2s.file), 'utf8')).toMatch(/^before the interrupt;(never read)?$/);
    expect(row.c2s.bytes).toBe(r.summary.bytesReassembled);
  });
});

describe('optional checks', () => {
  it('--check-state without --allow-missing-init rejects a connection picked up mid-stream, and counts it', async () => {
    const pcap = new PcapBuilder();
    seg(pcap, 0, 4444, true, 101, 501, TCP_ACK | TCP_PSH, 'no handshake seen');
    seg(pcap, 0, 4444, false, 501, 118, TCP_ACK | TCP_PSH, 'reply');
    const file = join(tmp, 'midstream.pcap');
    writeFileSync(file, pcap.build());
    const lenient = await analyzeCapture(file, { checkState: true });
    const strict = await analyzeCapture(file, { checkState: true, allowMissingInit: false });
    expect(lenient.connections[0]).toMatchObject({ midStream: true, c2s: { bytes: 17, rejected: 0 }, s2c: { bytes: 5 } });
    expect(strict.connections[0]).toMatchObject({ c2s: { bytes: 0, rejected: 1 }, s2c: { bytes: 0, rejected: 1 } });
    expect(strict.summary.checks.state).toMatchObject({ rejected: 2, noHandshake: 2 });
    expect(strict.summary.engine.rejected).toBe(2);
  });
});


describe('RST policy through the pass', () => {
  // The crafted blind RST (samples/crafted/README.md): an RST 2^30 outside the window, then 150 more bytes.
  const file = join(tmp, 'blind-rst.pcap');
  writeFileSync(file, blindRst());

  it('--check-state keeps the engine\'s decision: an ignored RST does not close the state machine', async () => {
    for (const checkState of [false, true]) {
      const r = await analyzeCapture(file, { checkState });
      expect(r.connections[0]).toMatchObject({ state: 'closed', suspiciousRsts: 1, c2s: { bytes: 200, rejected: 0 }, s2c: { bytes: 100, rstIgnored: 1, rejected: 0 } });
      expect(r.summary.rstIgnored).toBe(1);
      const any = await analyzeCapture(file, { checkState, assembler: { rstPolicy: 'any' } });
      expect(any.connections[0]).toMatchObject({ state: 'reset', suspiciousRsts: 0, c2s: { bytes: 100 }, s2c: { bytes: 50, rstIgnored: 0 } });
    }
  });

  it('overlaps: the suspicious RST is an event of a selected connection only, after the conflicts', async () => {
    const all = await overlapsCapture(file);
    expect(all.events.map((e) => [e.kind, e.connectionId, e.seqStart, e.expected, e.window])).toEqual([['suspicious-rst', 0, 5051 + 2 ** 30, 5051, 65535]]);
    expect(all.byConnection).toMatchObject([{ connectionId: 0, suspiciousRsts: 1 }]);
    const other = await overlapsCapture(file, {}, { select: (c) => c.client.port !== 40000 });
    expect([other.events.length, other.byConnection.length]).toEqual([0, 0]);
    const chosen = await overlapsCapture(file, { kinds: ['suspicious-rst'] }, { select: (c) => c.client.port === 40000 });
    expect(chosen.events).toHaveLength(1);
    const streamed: string[] = [];
    const none = await overlapsCapture(file, { kinds: ['retransmission'], onEvent: (e) => streamed.push(e.kind) });
    expect([none.events.length, streamed.length]).toEqual([0, 0]);
  });
});

describe('a pass gives back all its window memory', () => {
  // Read from their files, the samples' windows are run rings: whatever ended a connection (FIN, RST, timeout,
  // eviction, the end of the capture) must return its ring, or windowRuns would count rings nobody holds.
  const dirs = ['samples', 'samples/crafted'];
  const files = dirs.flatMap((d) => readdirSync(d).filter((f) => /\.(pcap|pcapng)$/.test(f)).map((f) => join(d, f)));
  it.each([
    ['defaults', {}],
    ['timeouts and evictions', { closeAfterSec: 1, flushAfterSec: 1, pool: { maxConnections: 2 } }],
  ] as const)('with %s', async (_name, options) => {
    let ranWindows = 0;
    for (const f of files) {
      const r = await runPass(f, { open: () => ({ reassembled: () => {}, complete: () => {} }) }, options);
      expect([f, r.assembler.windowRuns, r.assembler.windowPages], f).toEqual([f, 0, 0]);
      if (r.assembler.windowRunsPeak > 0) ranWindows++;
    }
    // The runs were there to give back.
    expect(ranWindows).toBeGreaterThan(files.length / 2);
  });
});
