/**
 * Symbolic links planted in the output folder are never followed: `--force` into a folder holding one is refused
 * (naming it), and the file the link points to is left untouched. Real links on the real file system.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestReserve } from '../../lib/export/reserve.js';
import { ManifestWriter } from '../../lib/export/manifest.js';
import { realFs } from '../../lib/export/fs.js';
import { cli, SAMPLES } from './support.js';

const SAMPLE = join(SAMPLES, 'ipv4-loss.pcap');

function planted(name: string): { out: string; victim: string } {
  const root = mkdtempSync(join(tmpdir(), 'symlink-'));
  const victim = join(root, 'victim.txt');
  writeFileSync(victim, 'precious');
  const out = join(root, 'out');
  mkdirSync(out);
  symlinkSync(victim, join(out, name));
  return { out, victim };
}

describe('links planted in the output folder', () => {
  it('--force into a folder holding a link as manifest.jsonl is refused, naming it; the target is untouched', async () => {
    const { out, victim } = planted('manifest.jsonl');
    const r = await cli(['export', SAMPLE, '-o', out, '--force', '-q']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/symbolic links \(manifest\.jsonl\)/);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('--force with a link under a stream file name is refused too', async () => {
    const { out, victim } = planted('010.099.001.001.44298-010.099.002.002.09000');
    const r = await cli(['export', SAMPLE, '-o', out, '--force', '-q']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/never writes through a link/);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('a link appearing where the manifest goes (after the folder check) is not opened: the name is taken (EEXIST), not followed', () => {
    const { out, victim } = planted('manifest.jsonl');
    expect(() => new ManifestWriter(realFs, join(out, 'manifest.jsonl'), new ManifestReserve(realFs, out))).toThrow(/already exists \(EEXIST\)/);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });
});
