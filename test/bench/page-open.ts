/**
 * The report page opening in a real browser: a capture of 10,000 short connections (the many workload's
 * traffic), its report, and the time from navigation to the page's script having drawn the overview, in
 * Debian's chromium through playwright-core. The bar: under 2 s.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { PeerRow, PeerSettings } from './peers.js';
import { manyProfile, writeCapture } from './workloads.js';
import { CHROMIUM, CHROMIUM_FLAGS as FLAGS } from '../support/chromium.js';


/** The row, or why it could not be measured. */
export async function pageOpenRow(o: PeerSettings, connections = 10_000): Promise<PeerRow | string> {
  if (!fs.existsSync(CHROMIUM)) return `report page open: no browser at ${CHROMIUM} (apt-get install chromium)`;
  const capture = path.join(o.scratch, `page-open-${connections}.pcap`);
  const page = path.join(o.scratch, `page-open-${connections}.html`);
  writeCapture({ name: 'many', description: '', format: 'pcap', gzip: false, source: { kind: 'traffic', profile: manyProfile(connections, 500) } }, capture);
  const made = spawnSync(process.execPath, [o.cli, 'report', capture, '-o', page, '--force', '-q'], { encoding: 'utf8' });
  if (made.status !== 0) return `report page open: report failed: ${made.stderr.trim().slice(-200)}`;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  try {
    const secs: number[] = [];
    for (let i = 0; i < o.warmup + Math.max(o.runs, 3); i++) {
      const tab = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const t0 = process.hrtime.bigint();
      await tab.goto(pathToFileURL(page).href);
      await tab.waitForSelector('html[data-ready="true"]');
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (i >= o.warmup) secs.push(s);
      await tab.close();
    }
    const sorted = [...secs].sort((a, b) => a - b);
    const mb = fs.statSync(page).size / 1e6;
    return {
      workload: `${connections / 1000}k conns`,
      task: `report page open (${mb.toFixed(1)} MB)`,
      tcpreasm: { seconds: sorted[(sorted.length - 1) >> 1]!, runSeconds: secs, peakRssMB: NaN },
      target: 2,
      targetKind: 'seconds',
    };
  } finally {
    await browser.close();
    fs.rmSync(capture, { force: true });
    fs.rmSync(page, { force: true });
  }
}
