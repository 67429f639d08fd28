import { describe, expect, it } from 'vitest';
import { parseAddress } from '../net/address.js';
import { compileFilter, FilterSyntaxError, parseFilter } from './index.js';
import type { FilterTarget } from './match.js';

function conn(client: string, server: string, vlan = -1, outerVlan = -1): FilterTarget {
  const [ca, cp] = split(client);
  const [sa, sp] = split(server);
  return { ipVersion: ca.ipVersion, client: { addr: ca.words, port: cp }, server: { addr: sa.words, port: sp }, vlan, outerVlan };
}

function split(ep: string): [NonNullable<ReturnType<typeof parseAddress>>, number] {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(ep)!;
  return [parseAddress(m[1]!)!, Number(m[2])];
}

const web = conn('10.0.0.5:40000', '93.184.216.34:80');
const dns6 = conn('[fd00::1]:50000', '[2001:db8::53]:853', 12);

function sel(expr: string, c: FilterTarget): boolean {
  return compileFilter(expr)(c);
}

describe('filter: primitives on a connection', () => {
  it.each([
    ['host 10.0.0.5', true],
    ['host 10.0.0.6', false],
    ['src host 10.0.0.5', true],
    ['dst host 10.0.0.5', true], // the server-to-client packets go to it
    ['src and dst host 10.0.0.5', false],
    ['net 10.0.0.0/8', true],
    ['net 10', true],
    ['net 93.184.216', true],
    ['net 11.0.0.0/8', false],
    ['net 10.0.0.0 mask 255.255.255.0', true],
    ['port 80', true],
    ['port 81', false],
    ['src port 80', true],
    ['portrange 1-1023', true],
    ['portrange 81-1023', false],
    ['tcp', true],
    ['udp', false],
    ['udp port 80', false],
    ['ip', true],
    ['ip6', false],
    ['tcp port 80', true],
    ['ip host 10.0.0.5', true],
    ['ip6 host 10.0.0.5', false],
    ['vlan', false],
    ['10.0.0.5', true],
    ['src 10.0.0.5', true],
  ])('%s on 10.0.0.5:40000 > 93.184.216.34:80: %s', (expr, want) => {
    expect(sel(expr, web)).toBe(want);
  });

  it('IPv6 prefixes and vlan ids', () => {
    expect(sel('net fd00::/8', dns6)).toBe(true);
    expect(sel('net fe00::/8', dns6)).toBe(false);
    expect(sel('host fd00:0::1', dns6)).toBe(true);
    expect(sel('ip6 and port 853', dns6)).toBe(true);
    expect(sel('vlan 12', dns6)).toBe(true);
    expect(sel('vlan 13', dns6)).toBe(false);
    expect(sel('vlan', dns6)).toBe(true);
    expect(sel('vlan 7', conn('[fd00::1]:1', '[fd00::2]:2', 12, 7))).toBe(true);
  });
});

describe('filter: operators', () => {
  it('and, or, not and their symbols', () => {
    expect(sel('port 80 and host 10.0.0.5', web)).toBe(true);
    expect(sel('port 80 && host 10.0.0.6', web)).toBe(false);
    expect(sel('port 81 || host 10.0.0.5', web)).toBe(true);
    expect(sel('not port 80', web)).toBe(false);
    expect(sel('! port 81', web)).toBe(true);
    expect(sel('not (port 81 or port 82)', web)).toBe(true);
  });

  it('and and or have equal precedence, left to right, as in pcap-filter', () => {
    // (port 81 or port 80) and host 10.0.0.6: false; with `and` binding tighter it would be true.
    expect(sel('port 81 or port 80 and host 10.0.0.6', web)).toBe(false);
    expect(sel('port 81 or (port 80 and host 10.0.0.5)', web)).toBe(true);
  });

  it('a bare value keeps the qualifiers before it', () => {
    expect(sel('port 81 or 80', web)).toBe(true);
    expect(sel('port 81 or 82', web)).toBe(false);
    expect(sel('host 1.2.3.4 or 10.0.0.5', web)).toBe(true);
    expect(sel('dst port 443 or 40000', web)).toBe(true);
  });

  it('a packet-level "not src" selects the connection through its other direction', () => {
    // The server-to-client packets have src 93.184.216.34: tcpdump would show them.
    expect(sel('not src host 10.0.0.5', web)).toBe(true);
    expect(sel('not host 10.0.0.5', web)).toBe(false);
  });
});

describe('filter: errors point at the column', () => {
  it.each([
    ['', 1, 'empty filter'],
    ['host', 5, 'a value for host expected at the end'],
    ['port http', 6, 'a port is a number'],
    ['port 70000', 6, 'a port is a number'],
    ['host 10.0.0.300', 6, 'not an IPv4 or IPv6 address'],
    ['host example.com', 6, 'names are not looked up'],
    ['net 10.0.0.1/8', 5, 'bits set outside'],
    ['net 10.0.0.0/33', 5, 'at most 32'],
    ['host 10.0.0.0/8', 6, 'use net for a prefix'],
    ['port 80 host 10.0.0.1', 9, 'expected "and" or "or" before "host"'],
    ['(port 80', 9, '")" expected at the end'],
    ['port 80)', 8, 'unmatched ")"'],
    ['port 80 and', 12, 'expected at the end'],
    ['portrange 10', 11, 'LOW-HIGH'],
    ['vlan 5000', 6, '0 to 4095'],
    ['and port 80', 1, 'cannot start an expression'],
    ['src port', 9, 'expected at the end'],
    ['port 80 $ 1', 9, 'expected "and" or "or" before "$"'],
  ])('%j: column %i', (expr, column, detail) => {
    let err: unknown;
    try {
      parseFilter(expr);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FilterSyntaxError);
    const e = err as FilterSyntaxError;
    expect(e.detail).toContain(detail);
    expect(e.column).toBe(column);
    // The message shows the text and a caret under the column.
    expect(e.message.split('\n')[2]!.indexOf('^')).toBe(column + 1);
  });
});
