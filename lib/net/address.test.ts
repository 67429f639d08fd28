import { SocketAddress } from 'node:net';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { formatAddress, formatEndpoint, formatIPv4, formatIPv6, parseAddress } from './address.js';

function v6(text: string): Uint32Array {
  const p = parseAddress(text);
  if (p === null || p.ipVersion !== 6) throw new Error(`not IPv6: ${text}`);
  return p.words;
}

describe('IPv4 text', () => {
  it('writes the four bytes of word 3 high byte first', () => {
    expect(formatIPv4(0x0a630101)).toBe('10.99.1.1');
    expect(formatIPv4(0xffffffff)).toBe('255.255.255.255');
    expect(formatIPv4(0)).toBe('0.0.0.0');
    expect(formatAddress(Uint32Array.of(0, 0, 0, 0xc0a80001), 4)).toBe('192.168.0.1');
  });
});

describe('IPv6 text follows RFC 5952 as inet_ntop writes it', () => {
  const cases: Array<[string, string]> = [
    ['fd99:1:0:0:0:0:0:1', 'fd99:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // tie: the first run is shortened
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run wins
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a lone zero group stays
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['1:0:0:2:0:0:0:0', '1:0:0:2::'],
    ['ABCD:EF01:2345:6789:ABCD:EF01:2345:6789', 'abcd:ef01:2345:6789:abcd:ef01:2345:6789'],
    ['0db8:0000:0000:0000:0000:0000:0000:0001', 'db8::1'],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1'], // IPv4-mapped: dotted tail
    ['::1.2.3.4', '::1.2.3.4'], // IPv4-compatible: dotted tail
    ['::ffff:0:1.2.3.4', '::ffff:0:102:304'], // not mapped: plain hex
    ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
    ['::0.0.1.0', '::100'], // seven zero groups: not the dotted form
    ['::ffff:0.0.0.0', '::ffff:0.0.0.0'],
  ];
  for (const [input, want] of cases) {
    it(`${input} -> ${want}`, () => {
      expect(formatIPv6(v6(input))).toBe(want);
    });
  }

  it('agrees with libuv inet_ntop (node:net SocketAddress) on zero-heavy random addresses, and parses back', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (g) => {
        const words = new Uint32Array(4);
        for (let i = 0; i < 4; i++) words[i] = ((g[2 * i] << 16) | g[2 * i + 1]) >>> 0;
        const text = formatIPv6(words);
        const full = g.map((x) => x.toString(16)).join(':');
        expect(text).toBe(new SocketAddress({ address: full, family: 'ipv6' }).address);
        expect(Array.from(v6(text))).toEqual(Array.from(words));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('endpoints', () => {
  it('puts IPv6 in brackets before the port', () => {
    expect(formatEndpoint(Uint32Array.of(0, 0, 0, 0x0a000001), 4, 80)).toBe('10.0.0.1:80');
    expect(formatEndpoint(v6('fd00::1'), 6, 80)).toBe('[fd00::1]:80');
  });
});

describe('parsing user text', () => {
  it('accepts any valid spelling and rejects non-addresses', () => {
    expect(parseAddress('10.0.0.1')).toEqual({ ipVersion: 4, words: Uint32Array.of(0, 0, 0, 0x0a000001) });
    expect(formatIPv6(v6('[FD00:0000::0001]'))).toBe('fd00::1');
    for (const bad of ['', '1.2.3', '1.2.3.256', '1.2.3.4.5', 'fd00:::1', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1',
      '1.2.3.4::', '::1.2.3', 'host.example', '1:2:3:4:5:6:7', '::1:2:3:4:5:6:7:8']) {
      expect(parseAddress(bad), bad).toBeNull();
    }
  });
});
