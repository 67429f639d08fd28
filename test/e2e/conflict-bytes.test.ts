/**
 * Conflicts an analyst can see: the overlaps report carries, for each conflict, both copies' records, hashes,
 * the copy kept, the first difference and a sample of both copies' bytes, in JSON, CSV and the table; the
 * manifest's conflict records carry the same. Checked against the bytes the crafted capture was built from.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conflictCapture } from './crafted.js';
import { cli, manifestRows, sha256, tempDir } from './support.js';

const cc = conflictCapture();
const dir = tempDir('conflict-bytes');
const capture = join(dir, 'conflict.pcap');
writeFileSync(capture, cc.file);
const FIRST = 'GET /evidence HTTP/1.1 first copy\n';
const SECOND = 'GET /tampered HTTP/1.1 other copy\n';
const hex = (s: string): string => Buffer.from(s).toString('hex');

interface ConflictEvent {
  kind: string;
  relativeSeqStart: number;
  conflict?: { kept: string; against: string; firstDifferenceSeq: number; seq: number; sampleOffset: number; old: { recordNumber: number; sample: string }; new: { recordNumber: number; sample: string } };
}

describe('conflict bytes in the overlaps report and the manifest', () => {
  it('JSON: structured fields and both samples, equal to the bytes on the wire', async () => {
    const r = await cli(['overlaps', capture, '--kind', 'conflict', '--format', 'json']);
    expect(r.code).toBe(0);
    const events = (JSON.parse(r.stdout) as { events: ConflictEvent[] }).events;
    expect(events).toHaveLength(2);
    const delivered = events.find((e) => e.conflict!.against === 'delivered')!.conflict!;
    expect(delivered).toMatchObject({ kept: 'old', seq: cc.delivered.seq, firstDifferenceSeq: cc.delivered.seq + 5, sampleOffset: 0 });
    expect(delivered.old).toMatchObject({ recordNumber: cc.delivered.old, sample: hex(FIRST) });
    expect(delivered.new).toMatchObject({ recordNumber: cc.delivered.new, sample: hex(SECOND) });
    const buffered = events.find((e) => e.conflict!.against === 'buffered')!.conflict!;
    expect(buffered).toMatchObject({ kept: 'new', seq: cc.buffered.seq });
    expect(buffered.old).toMatchObject({ recordNumber: cc.buffered.old, sample: hex('old-tail-bytes') });
    expect(buffered.new).toMatchObject({ recordNumber: cc.buffered.new, sample: hex('NEW-TAIL-BYTES') });
  });

  it('CSV: the conflict columns filled for conflicts, empty for the other kinds', async () => {
    const r = await cli(['overlaps', capture, '--format', 'csv']);
    const [head, ...lines] = r.stdout.trim().split('\r\n');
    const cols = head!.split(',');
    const at = (line: string, name: string): string => csvCells(line)[cols.indexOf(name)]!;
    const conflicts = lines.filter((l) => at(l, 'kind') === 'conflict');
    expect(conflicts.length).toBe(2);
    const delivered = conflicts.find((l) => at(l, 'against') === 'delivered')!;
    expect([at(delivered, 'kept'), at(delivered, 'oldRecord'), at(delivered, 'newRecord'), at(delivered, 'firstDifferenceOffset')]).toEqual(['old', String(cc.delivered.old), String(cc.delivered.new), '5']);
    expect([at(delivered, 'oldSample'), at(delivered, 'newSample')]).toEqual([hex(FIRST), hex(SECOND)]);
    for (const l of lines.filter((x) => at(x, 'kind') !== 'conflict')) expect(at(l, 'kept')).toBe('');
  });

  it('table: both copies dumped in hex and ASCII with the differences marked', async () => {
    const r = await cli(['overlaps', capture, '--kind', 'conflict']);
    expect(r.stdout).toContain('Conflicting bytes');
    expect(r.stdout).toContain('GET /evidence HT');
    expect(r.stdout).toContain('GET /tampered HT');
    expect(r.stdout).toMatch(/first difference at \+5\n {2}kept the old copy \(compared against delivered data\)/);
  });

  it('the manifest conflict records carry the samples too', async () => {
    const out = join(dir, 'out');
    expect((await cli(['export', capture, '-o', out, '-q'])).code).toBe(0);
    const [row] = manifestRows(out);
    const c2s = (row!.c2s as unknown as { conflicts: { old: { sample: string }; new: { sample: string } }[] }).conflicts;
    expect(c2s.map((c) => [c.old.sample, c.new.sample])).toEqual([[hex(FIRST), hex(SECOND)]]);
  });
});

/** The cells of one CSV line (RFC 4180 quoting: the detail text holds commas). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted && ch === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (ch === ',' && !quoted) {
      cells.push(cell);
      cell = '';
    } else {
      cell += ch;
    }
  }
  cells.push(cell);
  return cells;
}

describe('export --keep-conflicts', () => {
  it('writes each losing copy beside the streams, listed with its sha256; the streams keep the winners', async () => {
    const out = join(dir, 'kept');
    const r = await cli(['export', capture, '-o', out, '-q', '--keep-conflicts', '--format', 'json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { export: { conflictCopies: number } }).export.conflictCopies).toBe(2);
    const [row] = manifestRows(out);
    type WithCopy = { seq: number; length: number; losingCopy: { file: string; bytes: number; sha256: string } };
    const c2s = (row!.c2s as unknown as { conflicts: WithCopy[] }).conflicts;
    const s2c = (row!.s2c as unknown as { conflicts: WithCopy[] }).conflicts;
    const end = (c: WithCopy): number => c.seq + c.length;
    expect(c2s.map((c) => c.losingCopy.file)).toEqual([`conflict-0-c2s-${cc.delivered.seq}-${end(c2s[0]!)}.losing`]);
    expect(s2c.map((c) => c.losingCopy.file)).toEqual([`conflict-0-s2c-${cc.buffered.seq}-${end(s2c[0]!)}.losing`]);
    // Delivered data wins: the client's second copy is the losing one. Buffered data loses to the newer copy.
    const lost = (c: WithCopy): Buffer => readFileSync(join(out, c.losingCopy.file));
    expect(lost(c2s[0]!).toString()).toBe(SECOND);
    expect(lost(s2c[0]!).toString()).toBe('old-tail-bytes');
    for (const c of [...c2s, ...s2c]) expect(c.losingCopy).toMatchObject({ bytes: lost(c).length, sha256: sha256(lost(c)) });
    expect(readFileSync(join(out, row!.c2s.file!)).equals(cc.c2s)).toBe(true);
    expect(readFileSync(join(out, row!.s2c.file!)).equals(cc.s2c)).toBe(true);
  });

  it('without it no copy is written', async () => {
    const out = join(dir, 'plain');
    await cli(['export', capture, '-o', out, '-q']);
    expect(readdirSync(out).filter((n) => n.endsWith('.losing'))).toEqual([]);
  });
});
