import { PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { TcpPacket } from '../decode/packet.js';
import { Assembler } from './assembler.js';
import type { AssemblerOptions } from './options.js';
import { StreamPool } from './pool.js';
import type { ScatterGather } from './scatter-gather.js';
import type { Stream, StreamFactory } from './stream.js';

/** A stream that consumes data without allocating (reads lengths only). */
class CountingStream implements Stream {
  bytes = 0;
  accept(): boolean {
    return true;
  }
  reassembled(sg: ScatterGather): void {
    const l = sg.lengths();
    this.bytes += l.available - l.saved;
  }
  complete(): boolean {
    return true;
  }
}

const SEGMENTS = 1_000_000;
const MSS = 1460;

/**
 * Feeds `n` in-order 1460-byte segments client to server, with a pure ACK back after every second one; with
 * `fromFile`, as from a capture file (the window keeps file positions).
 */
function makeFeeder(options: Partial<AssemblerOptions>, fromFile = false) {
  const stream = new CountingStream();
  const factory: StreamFactory = { new: () => stream };
  const asm = new Assembler(new StreamPool(factory), options);
  const data = new TcpPacket();
  data.src[3] = 0x0a000001;
  data.dst[3] = 0x0a000002;
  data.srcPort = 40000;
  data.dstPort = 443;
  data.payloadBuf = Buffer.alloc(64 * 1024, 0x61);
  data.payloadOffset = 66;
  if (fromFile) data.readBack = { readAt: () => -1 };
  const ack = new TcpPacket();
  ack.src[3] = 0x0a000002;
  ack.dst[3] = 0x0a000001;
  ack.srcPort = 443;
  ack.dstPort = 40000;
  ack.flags = 0x10;
  ack.seq = 1;
  // Handshake: a SYN without data.
  data.flags = 0x02;
  data.seq = 0xfff00000;
  asm.assemble(data);
  data.flags = 0x10;
  data.payloadLength = data.wireLength = MSS;
  let seq = 0xfff00001;
  let ns = 0;
  const feed = (n: number) => {
    for (let i = 0; i < n; i++) {
      data.seq = seq;
      data.tsNsec = ns = (ns + 1000) % 1e9;
      if (fromFile) data.payloadFileOffset += MSS + 66;
      asm.assemble(data);
      seq = (seq + MSS) >>> 0;
      if ((i & 1) === 1) {
        ack.ack = seq;
        ack.tsNsec = ns;
        asm.assemble(ack);
      }
    }
  };
  return { asm, stream, feed };
}

async function measure(fn: () => void): Promise<{ gcs: number; heapGrowth: number }> {
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });
  await new Promise((r) => setTimeout(r, 10));
  gcs = 0;
  const before = process.memoryUsage().heapUsed;
  fn();
  const heapGrowth = process.memoryUsage().heapUsed - before;
  await new Promise((r) => setTimeout(r, 10));
  obs.disconnect();
  return { gcs, heapGrowth };
}

describe('hot path: in-order segments on a known connection', () => {
  it('allocate nothing per packet (a million segments, no GC, no heap growth) with the window off', async () => {
    const f = makeFeeder({ deliveredWindowBytes: 0 });
    f.feed(50_000); // warm up (optimise, grow sg tables once)
    const m = await measure(() => f.feed(SEGMENTS));
    expect(f.stream.bytes).toBe((SEGMENTS + 50_000) * MSS);
    // Any object per packet (>= 16 bytes) would be >= 16 MB: several scavenges and visible growth.
    expect(m.gcs).toBeLessThanOrEqual(1);
    expect(m.heapGrowth).toBeLessThan(2 * 1024 * 1024);
  });

  it('with the delivered-data window (default) memory stays bounded; only Node’s Buffer.copy view is transient', async () => {
    const f = makeFeeder({});
    f.feed(50_000);
    const m = await measure(() => f.feed(SEGMENTS));
    expect(f.stream.bytes).toBe((SEGMENTS + 50_000) * MSS);
    expect(f.asm.stats.windowPagesPeak).toBeLessThanOrEqual(2);
    expect(f.asm.stats.bufferedPagesPeak).toBe(0);
    // Retained heap does not grow with the packet count (the garbage is one short-lived view per copy).
    expect(m.heapGrowth).toBeLessThan(8 * 1024 * 1024);
  });

  it('with the window kept as file positions (a capture file): nothing per packet, no page, one ring', async () => {
    const f = makeFeeder({}, true);
    f.feed(50_000);
    const m = await measure(() => f.feed(SEGMENTS));
    expect(f.stream.bytes).toBe((SEGMENTS + 50_000) * MSS);
    expect(f.asm.stats.windowPagesPeak).toBe(0);
    // Two segments between ACKs: the direction's first ring of 8 runs is all it ever takes.
    expect(f.asm.stats.windowRunsPeak).toBe(8);
    expect(m.gcs).toBeLessThanOrEqual(1);
    expect(m.heapGrowth).toBeLessThan(2 * 1024 * 1024);
  });
});
