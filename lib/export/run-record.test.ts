import * as nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StreamExporter } from './exporter.js';
import type { RunRecord } from './run-record.js';

const root = nodeFs.mkdtempSync(join(tmpdir(), 'tcpreasm-runrec-'));
afterAll(() => nodeFs.rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `out${dirs++}`);
const readRun = (dir: string, name = 'run.json') => JSON.parse(nodeFs.readFileSync(join(dir, name), 'utf8')) as RunRecord;

function oneConnection(ex: StreamExporter, text: string): void {
  const c = ex.openConnection({
    id: 0,
    ipVersion: 4,
    client: [0x0a000001, 0, 0, 0],
    clientPort: 40000,
    server: [0x0a000002, 0, 0, 0],
    serverPort: 80,
    vlan: -1,
    outerVlan: -1,
    encapsulation: '',
    firstTsSec: 1_700_000_000,
    firstTsNsec: 0,
  });
  c.c2s.write(Buffer.from(text), 0, text.length);
  c.finish({ state: 'complete', lastTsSec: 1_700_000_001, lastTsNsec: 0 });
}

describe('the run record beside the manifest', () => {
  it('says running while the export is open, and how it ended once closed', () => {
    const dir = freshDir();
    const ex = StreamExporter.create({ dir, run: { tool: 'tcpreasm', version: '9.9.9', argv: ['export', 'x.pcap'], options: { fillGaps: true } } });
    const during = readRun(dir);
    expect(during).toMatchObject({ tool: 'tcpreasm', version: '9.9.9', argv: ['export', 'x.pcap'], options: { fillGaps: true }, manifest: 'manifest.jsonl', status: 'running', endedAt: null, inputs: [] });
    oneConnection(ex, 'hello');
    ex.close({ interrupted: 'interrupted by SIGTERM', inputs: [{ name: 'x.pcap', sha256: 'ab' }] });
    const after = readRun(dir);
    expect(after).toMatchObject({ status: 'interrupted', reason: 'interrupted by SIGTERM', inputs: [{ name: 'x.pcap', sha256: 'ab' }], startedAt: during.startedAt });
    expect(Date.parse(after.endedAt!)).toBeGreaterThanOrEqual(Date.parse(after.startedAt));
    // Replaced by rename: no temporary file is left behind.
    expect(nodeFs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a second run into the folder (force) gets manifest-2.jsonl and run-2.json; the first run files are untouched', () => {
    const dir = freshDir();
    const first = StreamExporter.create({ dir });
    oneConnection(first, 'first run');
    first.close();
    const manifest1 = nodeFs.readFileSync(join(dir, 'manifest.jsonl'));
    const run1 = nodeFs.readFileSync(join(dir, 'run.json'));
    const second = StreamExporter.create({ dir, force: true });
    expect([second.manifestName, second.runRecordName]).toEqual(['manifest-2.jsonl', 'run-2.json']);
    oneConnection(second, 'second run');
    const summary = second.close();
    expect([summary.manifest, summary.runRecord]).toEqual(['manifest-2.jsonl', 'run-2.json']);
    expect(nodeFs.readFileSync(join(dir, 'manifest.jsonl')).equals(manifest1)).toBe(true);
    expect(nodeFs.readFileSync(join(dir, 'run.json')).equals(run1)).toBe(true);
    expect(readRun(dir, 'run-2.json')).toMatchObject({ manifest: 'manifest-2.jsonl', status: 'complete' });
    const rows2 = nodeFs.readFileSync(join(dir, 'manifest-2.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(rows2[0]!).c2s.file).toMatch(/c1$/); // the stream name clashed too: the next cN
  });

  it('a run record whose manifest was deleted keeps its name: the next run takes 2', () => {
    const dir = freshDir();
    StreamExporter.create({ dir }).close();
    nodeFs.unlinkSync(join(dir, 'manifest.jsonl'));
    const before = nodeFs.readFileSync(join(dir, 'run.json'));
    const ex = StreamExporter.create({ dir, force: true });
    ex.close();
    expect(ex.manifestName).toBe('manifest-2.jsonl');
    expect(nodeFs.readFileSync(join(dir, 'run.json')).equals(before)).toBe(true);
  });

  it('a link planted at the temporary name during the run is removed, never written through', () => {
    const dir = freshDir();
    const victim = join(root, `victim${dirs}`);
    nodeFs.writeFileSync(victim, 'precious');
    const ex = StreamExporter.create({ dir });
    nodeFs.symlinkSync(victim, join(dir, '.run.json.tmp'));
    ex.close();
    expect(nodeFs.readFileSync(victim, 'utf8')).toBe('precious');
    expect(readRun(dir).status).toBe('complete');
    expect(nodeFs.existsSync(join(dir, '.run.json.tmp'))).toBe(false);
  });
});
