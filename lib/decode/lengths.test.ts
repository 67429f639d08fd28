import { describe, it, expect } from 'vitest';
import { Decoder } from './decoder.js';
import { TcpPacket } from './packet.js';
import {
  captureRecord,
  linkFrame,
  tcpFrame,
  tcpPacket,
  TCP_ACK,
  type IpSpec,
  type TcpSegmentSpec,
} from '../../test/support/frame-builder.js';
import { expectBalanced, nonZero } from '../../test/support/decode-assert.js';

const v4: TcpSegmentSpec = { src: '10.1.1.1', dst: '10.2.2.2', srcPort: 1000, dstPort: 2000, seq: 77, flags: TCP_ACK };
const v6: TcpSegmentSpec = { ...v4, src: 'fe80::1', dst: 'fe80::2' };

function decodeOne(frame: Buffer, linkType = 1, snaplen?: number) {
  const dec = new Decoder();
  const out = new TcpPacket();
  const ok = dec.decode(captureRecord(frame, linkType, { snaplen }), out);
  expectBalanced(dec.stats);
  return { ok, out, stats: dec.stats };
}

describe('IPv4 header options', () => {
  it('skips options of any allowed size and reads TCP after them', () => {
    for (const len of [4, 8, 20, 40]) {
      const ipOptions = Buffer.alloc(len, 1); // NOPs
      ipOptions[len - 1] = 0; // EOL
      const { ok, out } = decodeOne(tcpFrame({ ...v4, payload: 'data after options', ipOptions }));
      expect(ok).toBe(true);
      expect(out.payload().toString()).toBe('data after options');
      expect(out.srcPort).toBe(1000);
    }
  });
});

describe('payload is bounded by the IP length, not the frame', () => {
  it('Ethernet padding of a short IPv4 frame does not leak into the payload', () => {
    for (const payload of ['', 'a', 'abcdef']) {
      const frame = tcpFrame({ ...v4, payload }, { linkType: 1, padTo: 60, padByte: 0xee });
      expect(frame.length).toBe(60);
      const { ok, out } = decodeOne(frame);
      expect(ok).toBe(true);
      expect(out.payloadLength).toBe(payload.length);
      expect(out.wireLength).toBe(payload.length);
      expect(out.payload().toString()).toBe(payload);
    }
  });

  it('trailing bytes after an IPv6 packet do not leak either', () => {
    const frame = Buffer.concat([tcpFrame({ ...v6, payload: 'xy' }, { linkType: 1 }), Buffer.alloc(30, 0xee)]);
    const { ok, out } = decodeOne(frame);
    expect(ok).toBe(true);
    expect(out.payload().toString()).toBe('xy');
  });

  it('IPv4 total length 0 is taken as segmentation offload: the frame length is used and counted', () => {
    const { ok, out, stats } = decodeOne(tcpFrame({ ...v4, payload: 'tso-super-packet', ipLength: 0 }));
    expect(ok).toBe(true);
    expect(out.payload().toString()).toBe('tso-super-packet');
    expect(stats.ipv4ZeroLengthOffload).toBe(1);
  });
});

describe('snaplen', () => {
  const payload = Buffer.from('0123456789abcdefghij');
  for (const [name, spec, headers] of [
    ['IPv4', v4, 14 + 20 + 20],
    ['IPv6', v6, 14 + 40 + 20],
  ] as const) {
    it(`${name}: a record cut inside the payload is delivered with payloadLength < wireLength`, () => {
      const { ok, out, stats } = decodeOne(tcpFrame({ ...spec, payload }), 1, headers + 5);
      expect(ok).toBe(true);
      expect(out.payloadLength).toBe(5);
      expect(out.wireLength).toBe(payload.length);
      expect(out.payload().toString()).toBe('01234');
      expect(stats.snaplenCut).toBe(1);
      expect(stats.malformed).toBe(0);
    });

    it(`${name}: a record cut right after the TCP header has no captured payload`, () => {
      const { ok, out, stats } = decodeOne(tcpFrame({ ...spec, payload }), 1, headers);
      expect(ok).toBe(true);
      expect(out.payloadLength).toBe(0);
      expect(out.wireLength).toBe(payload.length);
      expect(stats.snaplenCut).toBe(1);
    });

    it(`${name}: a record cut inside the TCP header is malformed (truncated-tcp-header)`, () => {
      for (const cut of [1, 10, 19]) {
        const { ok, stats } = decodeOne(tcpFrame({ ...spec, payload }), 1, headers - 20 + cut);
        expect(ok).toBe(false);
        expect(nonZero(stats.malformedByKind())).toEqual({ truncatedTcpHeader: 1 });
      }
    });

    it(`${name}: a record cut inside the TCP options is malformed (truncated-tcp-header)`, () => {
      const frame = tcpFrame({ ...spec, options: { mss: 1460, windowScale: 7 }, payload });
      const { ok, stats } = decodeOne(frame, 1, headers + 4);
      expect(ok).toBe(false);
      expect(nonZero(stats.malformedByKind())).toEqual({ truncatedTcpHeader: 1 });
    });
  }

  it('a record cut inside the IPv4 header is malformed', () => {
    const { ok, stats } = decodeOne(tcpFrame({ ...v4, payload }), 1, 14 + 12);
    expect(ok).toBe(false);
    expect(nonZero(stats.malformedByKind())).toEqual({ truncatedIpv4Header: 1 });
  });
});

/**
 * Every length field set to zero, too small and too large: each gives the named outcome, and never a throw.
 * `kind` is a malformed kind, or `tcp` when the segment is still delivered (with `observe` counted).
 */
describe('length fields that disagree with the bytes', () => {
  interface Case {
    field: string;
    value: string;
    frame: () => Buffer;
    kind: string;
    observe?: 'badTcpOptions' | 'ipv4ZeroLengthOffload';
  }
  const short = { ...v4, payload: 'pay' }; // 20 + 20 + 3 bytes of IPv4
  const short6 = { ...v6, payload: 'pay' }; // 40 + 20 + 3 bytes of IPv6
  const v4f = (ip: IpSpec & TcpSegmentSpec) => tcpFrame({ ...short, ...ip });
  const v6f = (ip: IpSpec & TcpSegmentSpec) => tcpFrame({ ...short6, ...ip });
  const withByte = (frame: Buffer, at: number, value: number) => {
    const f = Buffer.from(frame);
    f[at] = value;
    return f;
  };
  const cases: Case[] = [
    { field: 'IPv4 header length', value: 'zero', frame: () => v4f({ ihl: 0 }), kind: 'bad-ipv4-header-length' },
    { field: 'IPv4 header length', value: 'too small', frame: () => v4f({ ihl: 4 }), kind: 'bad-ipv4-header-length' },
    { field: 'IPv4 header length', value: 'too large', frame: () => v4f({ ihl: 15 }), kind: 'truncated-ipv4-header' },
    // The TCP header's first 20 bytes read as IPv4 options are not valid ones: Linux drops the packet there.
    { field: 'IPv4 header length', value: 'past the TCP header', frame: () => v4f({ ihl: 10 }), kind: 'bad-ipv4-options' },
    { field: 'IPv4 total length', value: 'zero', frame: () => v4f({ ipLength: 0 }), kind: 'tcp', observe: 'ipv4ZeroLengthOffload' },
    { field: 'IPv4 total length', value: 'below the header', frame: () => v4f({ ipLength: 19 }), kind: 'bad-ipv4-total-length' },
    { field: 'IPv4 total length', value: 'too small for TCP', frame: () => v4f({ ipLength: 39 }), kind: 'tcp-header-exceeds-ip-length' },
    { field: 'IPv4 total length', value: 'too large', frame: () => v4f({ ipLength: 44 }), kind: 'ip-length-exceeds-packet' },
    { field: 'IPv4 total length', value: 'maximum', frame: () => v4f({ ipLength: 65535 }), kind: 'ip-length-exceeds-packet' },
    { field: 'IPv6 payload length', value: 'zero', frame: () => v6f({ ipLength: 0 }), kind: 'tcp-header-exceeds-ip-length' },
    { field: 'IPv6 payload length', value: 'too small', frame: () => v6f({ ipLength: 19 }), kind: 'tcp-header-exceeds-ip-length' },
    { field: 'IPv6 payload length', value: 'too large', frame: () => v6f({ ipLength: 24 }), kind: 'ip-length-exceeds-packet' },
    { field: 'IPv6 payload length', value: 'maximum', frame: () => v6f({ ipLength: 65535 }), kind: 'ip-length-exceeds-packet' },
    { field: 'TCP data offset', value: 'zero', frame: () => v4f({ dataOffset: 0 }), kind: 'bad-tcp-data-offset' },
    { field: 'TCP data offset', value: 'too small', frame: () => v6f({ dataOffset: 4 }), kind: 'bad-tcp-data-offset' },
    { field: 'TCP data offset', value: 'too large', frame: () => v4f({ dataOffset: 15 }), kind: 'tcp-header-exceeds-ip-length' },
    { field: 'TCP data offset', value: 'too large (v6)', frame: () => v6f({ dataOffset: 6 }), kind: 'tcp-header-exceeds-ip-length' },
    { field: 'IPv6 hop-by-hop length', value: 'too large', frame: () => withByte(v6f({ extHeaders: [{ type: 'hop-by-hop' }] }), 14 + 41, 200), kind: 'truncated-extension-header' },
    { field: 'IPv6 hop-by-hop length', value: 'zero (8 bytes, valid)', frame: () => v6f({ extHeaders: [{ type: 'hop-by-hop' }] }), kind: 'tcp' },
    { field: 'IPv6 routing length', value: 'past the packet', frame: () => withByte(v6f({ extHeaders: [{ type: 'routing' }] }), 14 + 41, 3), kind: 'truncated-extension-header' },
    { field: 'IPv6 AH length', value: 'too large', frame: () => withByte(v6f({ extHeaders: [{ type: 'ah' }] }), 14 + 41, 250), kind: 'truncated-extension-header' },
    { field: 'IPv6 AH length', value: 'zero (8 bytes)', frame: () => withByte(v6f({ extHeaders: [{ type: 'ah', length: 8 }] }), 14 + 41, 0), kind: 'tcp' },
    { field: 'TCP option length', value: 'zero', frame: () => v4f({ options: Buffer.from([2, 0, 5, 0xb4]) }), kind: 'tcp', observe: 'badTcpOptions' },
    { field: 'TCP option length', value: 'one', frame: () => v4f({ options: Buffer.from([3, 1, 7, 0]) }), kind: 'tcp', observe: 'badTcpOptions' },
    { field: 'TCP option length', value: 'too large', frame: () => v4f({ options: Buffer.from([8, 40, 0, 0]) }), kind: 'tcp', observe: 'badTcpOptions' },
    { field: 'TCP MSS option length', value: 'wrong', frame: () => v4f({ options: Buffer.from([2, 3, 5, 1]) }), kind: 'tcp', observe: 'badTcpOptions' },
    { field: 'TCP SACK option length', value: 'not 2 + 8n', frame: () => v4f({ options: Buffer.from([5, 6, 0, 0, 0, 0, 1, 1]) }), kind: 'tcp', observe: 'badTcpOptions' },
  ];
  for (const c of cases) {
    it(`${c.field}: ${c.value} -> ${c.kind}${c.observe ? ` (${c.observe})` : ''}`, () => {
      const dec = new Decoder({ verifyChecksums: false });
      const out = new TcpPacket();
      let ok = false;
      expect(() => {
        ok = dec.decode(captureRecord(c.frame(), 1), out);
      }).not.toThrow();
      expectBalanced(dec.stats);
      if (c.kind === 'tcp') {
        expect(ok).toBe(true);
        expect(dec.stats.malformed).toBe(0);
      } else {
        expect(ok).toBe(false);
        expect(nonZero(dec.stats.malformedByKind())).toEqual({ [c.kind.replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase())]: 1 });
      }
      if (c.observe) expect(dec.stats[c.observe]).toBe(1);
      else {
        expect(dec.stats.badTcpOptions).toBe(0);
        expect(dec.stats.ipv4ZeroLengthOffload).toBe(0);
      }
    });
  }

  it('every prefix of a valid frame, on every link type, decodes or is counted without a throw', () => {
    const frames: Array<[Buffer, number]> = [];
    for (const linkType of [1, 113, 276, 101, 0, 108]) {
      frames.push([linkFrame(tcpPacket({ ...short, options: { mss: 1400, timestamps: [1, 2] } }), { linkType, vlans: linkType === 1 ? [1, 2] : undefined }), linkType]);
      frames.push([linkFrame(tcpPacket({ ...short6, extHeaders: [{ type: 'hop-by-hop' }, { type: 'destination', length: 16 }] }), { linkType }), linkType]);
    }
    for (const [frame, linkType] of frames) {
      const dec = new Decoder({ verifyChecksums: true });
      const out = new TcpPacket();
      let delivered = 0;
      for (let n = 0; n <= frame.length; n++) {
        // Cut as a damaged file would (original length = captured) and as snaplen would (original kept).
        const damaged = captureRecord(frame.subarray(0, n), linkType);
        const cut = captureRecord(frame, linkType, { snaplen: n });
        if (dec.decode(damaged, out)) delivered++;
        if (dec.decode(cut, out)) {
          delivered++;
          expect(out.wireLength).toBe(3);
          expect(out.payload().toString()).toBe('pay'.slice(0, out.payloadLength));
        }
      }
      expectBalanced(dec.stats);
      expect(dec.stats.tcp).toBe(delivered);
      // Whole frame twice, and the snaplen cuts within the payload (3 of them).
      expect(delivered).toBe(5);
    }
  });
});
