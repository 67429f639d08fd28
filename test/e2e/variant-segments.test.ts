/**
 * Every format and link-type variant of a sample must read back the same TCP segments as the Ethernet original:
 * same count, order, ports, sequence and acknowledgement numbers, flags, window, options that matter, and
 * payload bytes. Timestamps must agree to the microsecond (the nanosecond variants add sub-microsecond digits).
 * This pins the readers and decoders together, below reassembly, so a difference shows where it starts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture, type CaptureRecord } from '../../lib/capture/index.js';
import { Decoder, TcpPacket } from '../../lib/decode/index.js';
import { SAMPLES } from './support.js';

interface ManifestSample {
  file: string;
  base: string | null;
  truth: string | null;
  damage?: unknown;
  snaplen?: number;
  recordsPerInterface?: number[];
}

const manifest = JSON.parse(readFileSync(join(SAMPLES, 'manifest.json'), 'utf8')) as { samples: ManifestSample[] };
const byFile = new Map(manifest.samples.map((s) => [s.file, s]));

/** The original capture a variant was made from (following `base` links). */
function origin(s: ManifestSample): string {
  let cur = s;
  while (cur.base !== null && byFile.has(cur.base)) cur = byFile.get(cur.base)!;
  return cur.file;
}

/** One line per TCP segment, per interface: what any correct reader+decoder must agree on. */
async function segments(file: string): Promise<Map<number, string[]>> {
  const decoder = new Decoder();
  const pkt = new TcpPacket();
  const out = new Map<number, string[]>();
  await readCapture(join(SAMPLES, file), (rec: CaptureRecord) => {
    if (!decoder.decode(rec, pkt)) return;
    const usec = Math.floor(pkt.tsNsec / 1000);
    const payload = createHash('sha1').update(pkt.payload()).digest('hex').slice(0, 16);
    const line = [
      `${pkt.tsSec}.${usec}`, pkt.ipVersion, Array.from(pkt.src).join(':'), Array.from(pkt.dst).join(':'),
      pkt.srcPort, pkt.dstPort, pkt.seq, pkt.ack, pkt.flags, pkt.window, pkt.mss, pkt.windowScale,
      pkt.sackCount, pkt.tsVal, pkt.payloadLength, pkt.wireLength, payload,
    ].join(' ');
    let list = out.get(rec.interfaceId);
    if (list === undefined) out.set(rec.interfaceId, (list = []));
    list.push(line);
  });
  return out;
}

const variants = manifest.samples.filter(
  (s) => s.base !== null && s.damage === undefined && s.snaplen === undefined && s.file !== 'multi-link.pcapng',
);

describe('every format and link-type variant reads back the same TCP segments as its Ethernet original', () => {
  it('has variants to compare (the manifest lists them)', () => {
    expect(variants.length).toBeGreaterThanOrEqual(12);
  });

  for (const v of variants) {
    it(`${v.file} = ${origin(v)}`, async () => {
      const [got, want] = await Promise.all([segments(v.file), segments(origin(v))]);
      expect([...got.keys()]).toEqual([0]);
      const g = got.get(0)!;
      const w = want.get(0)!;
      expect(g.length).toBe(w.length);
      expect(g.length).toBeGreaterThan(1000);
      for (let i = 0; i < w.length; i++) if (g[i] !== w[i]) expect(`segment ${i}: ${g[i]}`).toBe(`segment ${i}: ${w[i]}`);
    });
  }

  it('multi-link.pcapng: interface 0 holds the IPv4 original, interface 1 (Linux SLL) the IPv6 one', async () => {
    const got = await segments('multi-link.pcapng');
    const v4 = (await segments('ipv4-loss.pcap')).get(0)!;
    const v6 = (await segments('ipv6-loss.pcap')).get(0)!;
    expect(got.get(0)).toEqual(v4);
    // The IPv6 half was shifted in time to interleave with the IPv4 one: compare everything but the timestamp.
    const untimed = (l: string[]) => l.map((s) => s.slice(s.indexOf(' ') + 1));
    expect(untimed(got.get(1)!)).toEqual(untimed(v6));
  });
});
