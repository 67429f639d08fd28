/**
 * Exported files carry the capture time of the packet that brought their last byte as mtime (tcpflow does;
 * `ls -ltr` timelines depend on it). ISO times parse to whole ms, hence the 1 ms slack on samples. In the conflict capture the server's last bytes come in record 7 but are
 * delivered only when record 8 fills the hole before them: the mtime is record 7's time, not record 8's.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conflictCapture } from './crafted.js';
import { cli, manifestRows, SAMPLES, tempDir } from './support.js';

const T0 = 1_700_000_000;
/** mtime in ms since the epoch, as stat gives it. */
const mtimeMs = (p: string): number => statSync(p).mtimeMs;

describe('export sets each file mtime to its last byte capture time', () => {
  it('crafted: c2s ends with record 4 (t0 + 3 ms), s2c with record 7 (t0 + 6 ms), though delivered at record 8', async () => {
    const dir = tempDir('mtime');
    const capture = join(dir, 'conflict.pcap');
    writeFileSync(capture, conflictCapture().file);
    const out = join(dir, 'out');
    const r = await cli(['export', capture, '-o', out, '-q']);
    expect(r.code).toBe(0);
    const [row] = manifestRows(out);
    expect(mtimeMs(join(out, row!.c2s.file!))).toBeCloseTo(T0 * 1000 + 3, 3);
    expect(mtimeMs(join(out, row!.s2c.file!))).toBeCloseTo(T0 * 1000 + 6, 3);
  });

  it('real sample: every file mtime lies within its connection first and last packet', async () => {
    const out = join(tempDir('mtime-real'), 'out');
    const r = await cli(['export', join(SAMPLES, 'ipv4-loss.pcap'), '-o', out, '-q']);
    expect(r.code).toBe(0);
    let files = 0;
    for (const row of manifestRows(out)) {
      for (const d of [row.c2s, row.s2c]) {
        if (d.file === null) continue;
        files++;
        const m = mtimeMs(join(out, d.file));
        expect(m).toBeGreaterThanOrEqual(Date.parse(row.firstTime) - 1);
        expect(m).toBeLessThanOrEqual(Date.parse(row.lastTime!) + 1);
      }
    }
    expect(files).toBeGreaterThan(0);
  });
});
