/**
 * A capture whose every record is damaged (a timestamp fraction of 1.5 s: `bad-timestamp`): stderr gets a
 * few full warnings, a count, and the total, not one line a record; the summary still counts them all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { warningFlood } from '../hostile/inputs.js';
import { cli } from './support.js';

describe('a warning on every record', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcpreasm-warn-'));
  const file = join(dir, 'warn.pcap');
  warningFlood(file, 20_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints five in full, then counts; the JSON summary has every one', async () => {
    const r = await cli(['analyze', file, '--format', 'json', '--top', '0']);
    expect(r.code).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => l.endsWith('[bad-timestamp]') && l.includes(': record '))).toHaveLength(5 + (lines.length - 7));
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines.at(-1)).toBe(`tcpreasm: warning: ${file}: [bad-timestamp] 20,000 in all, 5 shown`);
    expect(JSON.parse(r.stdout).summary.diagnostics['bad-timestamp']).toBe(20_000);
  });
});
