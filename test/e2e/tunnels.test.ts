/**
 * Tunnelled TCP through the command line: the encapsulation in the CSV and the manifest, tcpflow names of the
 * inner addresses, and what is not decoded warned about on stderr with its count.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PcapBuilder } from '../support/capture-builder.js';
import { ipv4Packet, linkFrame, tcpPacket } from '../support/frame-builder.js';
import { gre } from '../support/tunnel-builder.js';
import { cli, SAMPLES } from './support.js';

const TUNNELS = join(SAMPLES, 'crafted', 'tunnels.pcap');

describe('tunnels on the command line', () => {
  it('analyze --format csv has one row per tunnel with its encapsulation', async () => {
    const r = await cli(['analyze', TUNNELS, '--format', 'csv', '-q']);
    expect(r.code).toBe(0);
    const [head, ...rows] = r.stdout.trim().split('\r\n');
    const col = head!.split(',').indexOf('encapsulation');
    expect(rows.map((l) => l.split(',')[col])).toEqual(['vxlan 192.0.2.1-192.0.2.2 vni 1', 'vxlan 192.0.2.1-192.0.2.2 vni 2', 'gre 198.51.100.1-198.51.100.2', 'mpls (1 label)']);
  });

  it('export names files by the inner addresses and puts the encapsulation in the manifest', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tunnels-')), 'out');
    const r = await cli(['export', TUNNELS, '-o', out, '-q']);
    expect(r.code).toBe(0);
    const rows = readFileSync(join(out, 'manifest.jsonl'), 'utf8').trim().split('\n').filter((l) => !l.startsWith('{"end"')).map((l) => JSON.parse(l) as { encapsulation: string | null; c2s: { file: string } });
    expect(rows.map((x) => x.encapsulation)).toEqual(['vxlan 192.0.2.1-192.0.2.2 vni 1', 'vxlan 192.0.2.1-192.0.2.2 vni 2', 'gre 198.51.100.1-198.51.100.2', 'mpls (1 label)']);
    // Four connections with the same inner names: tcpflow's connection-count suffix keeps them apart.
    expect(new Set(rows.map((x) => x.c2s.file)).size).toBe(4);
    expect(rows[0]!.c2s.file).toBe('010.001.000.001.40000-010.001.000.002.00080');
    for (const x of rows) expect(readFileSync(join(out, x.c2s.file), 'latin1')).toBe('ping');
  });

  it('a GRE protocol not decoded is one warning on stderr with its packet count, and counted in the summary', async () => {
    const b = new PcapBuilder();
    for (let i = 0; i < 3; i++) b.record({ tsSec: 1_700_000_000 + i, tsFrac: 0, data: linkFrame(ipv4Packet('10.0.0.1', '10.0.0.2', 47, gre(0x8200, tcpPacket({ payload: 'x' }))), { linkType: 1 }) });
    const file = join(mkdtempSync(join(tmpdir(), 'undecoded-')), 'aruba.pcap');
    writeFileSync(file, b.build());
    const r = await cli(['analyze', file, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/not decoded/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/record 1 at offset 24: 3 packets not decoded: GRE carrying protocol 0x8200/);
    const doc = JSON.parse(r.stdout) as { summary: { decode: { nonTcpByKind: Record<string, number> }; warnings: Array<{ code: string }> } };
    expect(doc.summary.decode.nonTcpByKind.undecodedEncapsulation).toBe(3);
    expect(doc.summary.warnings.map((w) => w.code)).toEqual(['not-decoded']);
  });
});
