import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseAddress } from '../net/address.js';
import { flowBaseName, isSafeFileName, tcpflowVlan, withConnectionCount } from './naming.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

interface Case {
  client: string;
  server: string;
  clientPort: number;
  serverPort: number;
  /** Tags outer first: a number is an 802.1Q tag, `ad:ID` an 802.1ad tag. */
  vlans: Array<number | string>;
  reuse: number;
}

// fixtures/names.pcap was built by fixtures/make-names-pcap.py; names.tcpflow.txt is `ls` of what
// `tcpflow -r names.pcap -o DIR` (tcpflow 1.6.1) wrote.
const cases = JSON.parse(readFileSync(fixture('names.cases.json'), 'utf8')) as Case[];
const tcpflowNames = readFileSync(fixture('names.tcpflow.txt'), 'utf8').split('\n').filter((l) => l !== '');

function tagId(t: number | string): number {
  return typeof t === 'number' ? t : Number(t.slice(3));
}

/** Both direction names of a case, with the VLAN fields as the decoder reports them (innermost, outer). */
function namesOf(c: Case): string[] {
  const a = parseAddress(c.client)!;
  const b = parseAddress(c.server)!;
  const vlan = c.vlans.length > 0 ? tagId(c.vlans[c.vlans.length - 1]) : -1;
  const outerVlan = c.vlans.length > 1 ? tagId(c.vlans[0]) : -1;
  const v = tcpflowVlan(vlan, outerVlan);
  const up = flowBaseName({ ipVersion: a.ipVersion, src: a.words, srcPort: c.clientPort, dst: b.words, dstPort: c.serverPort, vlan: v });
  const down = flowBaseName({ ipVersion: a.ipVersion, src: b.words, srcPort: c.serverPort, dst: a.words, dstPort: c.clientPort, vlan: v });
  return [withConnectionCount(up, c.reuse), withConnectionCount(down, c.reuse)];
}

// Frame shapes where the decoder's fields cannot tell what tcpflow does (it depends on the tag type).
const knownDifferent = (c: Case) =>
  (c.vlans.length === 1 && typeof c.vlans[0] === 'string') || (c.vlans.length === 2 && typeof c.vlans[0] === 'number');

describe('file names match tcpflow 1.6.1 on real tcpflow output', () => {
  it('every name tcpflow wrote for names.pcap, and no other', () => {
    expect(tcpflowNames.length).toBe(cases.length * 2);
    const ours = cases.filter((c) => !knownDifferent(c)).flatMap(namesOf).sort();
    const differentPorts = new Set(cases.filter(knownDifferent).map((c) => c.clientPort));
    const theirs = tcpflowNames.filter((n) => ![...differentPorts].some((p) => n.includes(`.${String(p).padStart(5, '0')}`))).sort();
    expect(ours).toEqual(theirs);
    expect(ours.length).toBeGreaterThan(40);
  });

  it('pins the documented differences: a lone 802.1ad tag and two 802.1Q tags', () => {
    const single = cases.find((c) => c.vlans.length === 1 && c.vlans[0] === 'ad:33')!;
    const double = cases.find((c) => c.vlans.length === 2 && c.vlans[0] === 200)!;
    expect(namesOf(single)[0]).toBe('010.099.001.001.32773-010.099.002.002.09000--33');
    expect(tcpflowNames).toContain('010.099.001.001.32773-010.099.002.002.09000');
    expect(namesOf(double)[0]).toBe('010.099.001.001.32774-010.099.002.002.09000');
    expect(tcpflowNames).toContain('010.099.001.001.32774-010.099.002.002.09000--200');
  });

  it('writes the forms the issue names', () => {
    const a = parseAddress('10.99.1.1')!.words;
    const b = parseAddress('10.99.2.2')!.words;
    const base = flowBaseName({ ipVersion: 4, src: a, srcPort: 32768, dst: b, dstPort: 9000, vlan: -1 });
    expect(base).toBe('010.099.001.001.32768-010.099.002.002.09000');
    expect(withConnectionCount(base, 0)).toBe(base);
    expect(withConnectionCount(base, 2)).toBe(`${base}c2`);
    expect(flowBaseName({ ipVersion: 4, src: a, srcPort: 1, dst: b, dstPort: 65535, vlan: 0 })).toBe(
      '010.099.001.001.00001-010.099.002.002.65535--0',
    );
  });

  it('also matches the names tcpflow wrote for the committed samples, when present', () => {
    let text: string;
    try {
      text = readFileSync(new URL('../../samples/tcpflow-names.txt', import.meta.url), 'utf8');
    } catch {
      return; // samples/ is another engineer's; the fixture above is the authority until it lands
    }
    // Every tcpflow name must be a name we can produce: parse its parts, rebuild, compare.
    const re = /^(.+)\.(\d{5})-(.+)\.(\d{5})(?:--(\d+))?(?:c(\d+))?$/;
    let checked = 0;
    for (const line of text.split('\n')) {
      const name = line.trim().split(/\s+/).pop() ?? '';
      const m = re.exec(name);
      if (!m) continue;
      const src = parseAddress(m[1].replace(/(^|\.)0+(\d)/g, '$1$2'))!;
      const dst = parseAddress(m[3].replace(/(^|\.)0+(\d)/g, '$1$2'))!;
      const base = flowBaseName({
        ipVersion: src.ipVersion,
        src: src.words,
        srcPort: Number(m[2]),
        dst: dst.words,
        dstPort: Number(m[4]),
        vlan: m[5] === undefined ? -1 : Number(m[5]),
      });
      expect(withConnectionCount(base, m[6] === undefined ? 0 : Number(m[6]))).toBe(name);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
    // The tag rule on the real samples: one 802.1Q tag -> `--ID`; 802.1ad outer + 802.1Q inner -> no suffix.
    const section = (name: string) => (text.split(`[${name}]\n`)[1] ?? '').split('\n[')[0].split('\n').filter((l) => /^[0-9a-f:]/.test(l));
    const vlan = section('ipv4-loss.vlan.pcap');
    const qinq = section('ipv4-loss.qinq.pcap');
    if (text.includes('[ipv4-loss.vlan.pcap]')) {
      expect(vlan.length).toBeGreaterThan(0);
      expect(vlan.every((n) => /--100(c\d+)?$/.test(n))).toBe(true);
    }
    if (text.includes('[ipv4-loss.qinq.pcap]')) {
      expect(qinq.length).toBeGreaterThan(0);
      expect(qinq.some((n) => n.includes('--'))).toBe(false);
    }
    expect(tcpflowVlan(100, -1)).toBe(100);
    expect(tcpflowVlan(20, 10)).toBe(-1);
  });
});

describe('file names never leave the output folder', () => {
  it('generated names are always plain safe names, whatever the numbers', () => {
    const word = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(
        fc.constantFrom<4 | 6>(4, 6),
        fc.array(word, { minLength: 4, maxLength: 4 }),
        fc.array(word, { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: -1, max: 4095 }),
        fc.nat(1_000_000),
        (v, s, d, sp, dp, vlan, n) => {
          const name = withConnectionCount(flowBaseName({ ipVersion: v, src: s, srcPort: sp, dst: d, dstPort: dp, vlan }), n);
          expect(isSafeFileName(name)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rejects anything that is not a plain name', () => {
    for (const bad of ['', '.', '..', '../x', 'a/b', '/etc/passwd', 'a\\b', 'a\0b', '.hidden', 'x'.repeat(256), 'a b', '-rf']) {
      expect(isSafeFileName(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(isSafeFileName('fd00::1.41001-fd00::2.00080c1')).toBe(true);
    expect(isSafeFileName('::.40008-::1:0:0.09000')).toBe(true);
  });
});
