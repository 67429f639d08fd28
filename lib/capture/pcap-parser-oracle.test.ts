import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PcapBuilder, pseudoRandomBytes, readBack } from '../../test/support/capture-builder.js';

/** pcap-parser 0.2 (old CommonJS): reads microsecond classic pcap only; the oracle for our classic reader. */
interface OracleHeader {
  timestampSeconds: number;
  timestampMicroseconds: number;
  capturedLength: number;
  originalLength: number;
}
const require = createRequire(import.meta.url);
const pcapParser = require('pcap-parser') as { parse(input: string | Readable): NodeJS.EventEmitter };

interface Row {
  sec: number;
  usec: number;
  caplen: number;
  origlen: number;
  sha: string;
}

const sha = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

function oracle(file: Buffer): Promise<{ linkType: number; rows: Row[] }> {
  return new Promise((resolve, reject) => {
    const rows: Row[] = [];
    let header: OracleHeader | undefined;
    let linkType = -1;
    // Fed as one chunk: pcap-parser copies its whole buffer on every chunk it is given.
    const parser = pcapParser.parse(Readable.from([file]));
    parser.on('globalHeader', (h: { linkLayerType: number }) => (linkType = h.linkLayerType));
    parser.on('packetHeader', (h: OracleHeader) => (header = h));
    parser.on('packetData', (d: Buffer) =>
      rows.push({ sec: header!.timestampSeconds, usec: header!.timestampMicroseconds, caplen: header!.capturedLength, origlen: header!.originalLength, sha: sha(d) }),
    );
    parser.on('error', reject);
    parser.on('end', () => resolve({ linkType, rows }));
  });
}

function ours(file: Buffer): { linkType: number; rows: Row[] } {
  const { records, summary } = readBack(file, { chunks: [65536, 1234] });
  expect(summary.diagnostics).toEqual({});
  return {
    linkType: summary.interfaces[0]!.linkType,
    rows: records.map((r) => ({ sec: r.tsSec, usec: r.tsNsec / 1000, caplen: r.capturedLength, origlen: r.originalLength, sha: sha(r.data) })),
  };
}

/** The committed sample captures that are microsecond classic pcap (the only kind pcap-parser reads). */
function microsecondSamples(): string[] {
  const dir = join(import.meta.dirname, '..', '..', 'samples');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pcap'))
    .map((f) => join(dir, f))
    .filter((p) => {
      const magic = readFileSync(p).subarray(0, 4).toString('hex');
      return magic === 'd4c3b2a1' || magic === 'a1b2c3d4';
    });
}

describe('classic microsecond pcap: our reader agrees with pcap-parser record by record', () => {
  for (const byteOrder of ['le', 'be'] as const) {
    it(`built ${byteOrder} file`, async () => {
      const b = new PcapBuilder({ byteOrder, linkType: 1, snaplen: 2000 });
      for (let i = 0; i < 300; i++) {
        const len = (i * 389) % 2000;
        b.record({ tsSec: 1_600_000_000 + i * 7, tsFrac: (i * 104_729) % 1_000_000, data: pseudoRandomBytes(len, i + 1), originalLength: len + (i % 5) * 3 + 1 });
      }
      const file = b.build();
      const expected = await oracle(file);
      expect(expected.rows).toHaveLength(300);
      expect(ours(file)).toEqual(expected);
    });
  }

  const samples = microsecondSamples();
  for (const path of samples) {
    it(`sample ${path.split('/').pop()}`, async () => {
      const file = readFileSync(path);
      const expected = await oracle(file);
      expect(expected.rows.length).toBeGreaterThan(0);
      expect(ours(file)).toEqual(expected);
    });
  }
});
