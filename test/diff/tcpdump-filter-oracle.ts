/**
 * `node dist-tools/test/diff/tcpdump-filter-oracle.js`: writes samples/filter/tcpdump-filter.json, the
 * connections tcpdump (tcpdump's multi-link pcapng cannot be filtered, so the one-link variants stand for it; libpcap's own compiler of the pcap-filter language) shows a TCP packet of, for a list of
 * expressions on the real samples. test/e2e/selection.test.ts checks tcpreasm's filter against it, so npm test
 * needs no tcpdump. A connection is named by its two endpoints, sorted: `10.99.1.1.41656 10.99.2.2.9000`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

const CASES: Array<[string, string[]]> = [
  ['samples/ipv4-loss.pcap', [
    'host 10.99.1.1', 'src host 10.99.2.2', 'dst port 9000', 'port 41656', 'portrange 41650-41700', 'not portrange 41650-41700',
    'net 10.99.0.0/16', 'net 10.99.2', 'src port 41670 or dst port 41674', 'tcp port 41690 and not host 10.0.0.1',
    '(port 41656 or port 41670) and dst host 10.99.2.2', 'port 41656 or 41670 or 41674', 'ip', 'ip6', 'not src port 9000',
    'src net 10.99.1.0/24 and dst portrange 41700-41800', 'dst 10.99.1.1 and src port 9000 and port 41700', 'host 10.99.1.1 && !port 41656',
  ]],
  ['samples/ipv6-loss.pcap', ['ip6', 'ip', 'host fd99:1::1', 'net fd99:2::/32', 'ip6 and portrange 33700-33800', 'src host fd99:2::2 and dst port 33784']],
  ['samples/ipv4-loss.sll2.pcap', ['ip', 'ip6', 'port 41656', 'not host 10.99.2.2 or port 41670']],
  ['samples/ipv4-loss.raw.pcap', ['ip', 'src port 41656', 'net 10.99.1.0/24 and dst port 9000']],
  ['samples/ipv4-loss.vlan.pcap', ['vlan', 'vlan 100', 'vlan 101', 'vlan and port 41656']],
  ['samples/ipv4-loss.qinq.pcap', ['vlan', 'vlan 200', 'vlan 201']],
];

/** The sorted endpoints of each TCP packet line tcpdump printed (`IP a.p > b.q: Flags`). */
function connections(file: string, expr: string): string[] {
  const out = execFileSync('tcpdump', ['-nn', '-r', file, expr], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  const set = new Set<string>();
  for (const line of out.split('\n')) {
    const m = /IP6? (\S+) > (\S+): Flags/.exec(line);
    if (m !== null) set.add([m[1]!, m[2]!].sort().join(' '));
  }
  return [...set].sort();
}

const version = execFileSync('tcpdump', ['--version'], { encoding: 'utf8' }).split('\n').slice(0, 2).join('; ');
const cases = CASES.flatMap(([sample, exprs]) => exprs.map((filter) => ({ sample, filter, connections: connections(sample, filter) })));
mkdirSync('samples/filter', { recursive: true });
writeFileSync('samples/filter/tcpdump-filter.json', `${JSON.stringify({ tcpdump: version, command: 'tcpdump -nn -r SAMPLE FILTER', cases }, null, 1)}\n`);
console.log(`${cases.length} cases written to samples/filter/tcpdump-filter.json`);
