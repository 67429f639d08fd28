import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress } from '../net/address.js';
import { Endpoint } from './connection.js';
import { setup } from '../../test/support/engine-helpers.js';
import { makePacket } from '../../test/support/engine-streams.js';

function endpoint(text: string): { e: Endpoint; v: 4 | 6 } {
  const p = parseAddress(text)!;
  const e = new Endpoint();
  e.setAddress(p.words);
  e.ipVersion = p.ipVersion;
  return { e, v: p.ipVersion };
}

describe('Endpoint.address writes addresses as lib/net does (reports and export names agree)', () => {
  for (const [text, want] of [
    ['10.1.0.2', '10.1.0.2'],
    ['255.0.7.1', '255.0.7.1'],
    ['2001:db8::1', '2001:db8::1'],
    ['fe80:0:0:1::', 'fe80:0:0:1::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // IPv4-mapped: glibc's dotted tail (the engine's own formatter used to write ::ffff:a01:203).
    ['::ffff:10.1.2.3', '::ffff:10.1.2.3'],
    ['::', '::'],
  ] as const) {
    it(text, () => {
      const { e, v } = endpoint(text);
      expect(e.address).toBe(want);
      expect(e.address).toBe(formatAddress(e.addr, v));
      e.port = 80;
      expect(`${e}`).toBe(v === 4 ? `${want}:80` : `[${want}]:80`);
    });
  }

  it("on a connection's client and server", () => {
    const { asm, factory } = setup();
    asm.assemble(makePacket({ src: '192.168.1.20', dst: '10.0.0.2', sport: 5555, dport: 80, seq: 0, flags: 0x02 }));
    const c = factory.streams[0]!.conn;
    expect([c.client.address, c.server.address]).toEqual(['192.168.1.20', '10.0.0.2']);
    expect(`${c.client} -> ${c.server}`).toBe('192.168.1.20:5555 -> 10.0.0.2:80');
  });
});
