/**
 * An export whose capture cannot be read exits 2 and leaves no trace of itself: the output folder it would have
 * created is gone again, and a folder that already existed is left as it was.
 */
import { existsSync, readFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './support.js';

describe('export of an unreadable capture', () => {
  it('removes the output folder it created (exit 2)', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tcpreasm-unreadable-')), 'streams');
    const r = await cli(['export', 'samples/damaged/not-a-capture.txt', '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read samples\/damaged\/not-a-capture.txt/);
    expect(existsSync(out)).toBe(false);
  });

  it('leaves a folder that existed before, empty but for the closed manifest and a run record saying failed', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tcpreasm-unreadable-'));
    mkdirSync(out, { recursive: true });
    const r = await cli(['export', 'samples/damaged/empty.pcap', '-o', out]);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['manifest.jsonl', 'run.json']);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { status: string; reason: string; endedAt: string | null };
    expect(run.status).toBe('failed');
    expect(run.reason).toMatch(/empty/);
    expect(run.endedAt).not.toBeNull();
  });
});
