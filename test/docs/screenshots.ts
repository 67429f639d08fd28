/// <reference lib="dom" />
/**
 * `npm run docs:screenshots`: the pictures of the report in the README, made from the samples in a real browser
 * (Debian's chromium through playwright-core) at 1280x800: docs/report-overview.png (the top of the page of
 * samples/ipv4-loss.pcap) and docs/report-connection.png (the server-to-client graph of
 * samples/report/report-hole.pcap: its 4 retransmissions and its hole).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS as FLAGS } from '../support/chromium.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(ROOT, 'dist/cli/main.js');

function report(sample: string, out: string): void {
  const r = spawnSync(process.execPath, [CLI, 'report', path.join(ROOT, 'samples', sample), '-o', out, '--force', '-q'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`report ${sample}: ${r.stderr}`);
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'tcpreasm-shots-'));
  const docs = path.join(ROOT, 'docs');
  fs.mkdirSync(docs, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const overview = path.join(tmp, 'overview.html');
    report('ipv4-loss.pcap', overview);
    await page.goto(pathToFileURL(overview).href);
    await page.waitForSelector('html[data-ready="true"]');
    await page.locator('#timeline').scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollTo(0, (document.getElementById('timeline') as HTMLElement).offsetTop - 10));
    await page.screenshot({ path: path.join(docs, 'report-overview.png') });
    const hole = path.join(tmp, 'hole.html');
    report('report/report-hole.pcap', hole);
    await page.goto(`${pathToFileURL(hole).href}#conn-0`);
    await page.waitForSelector('.graphs[data-id="0"][data-drawn="true"]');
    const fig = page.locator('#conn-0 figure.tsg-s2c');
    await fig.scrollIntoViewIfNeeded();
    await fig.evaluate((e) => window.scrollTo(0, (e as HTMLElement).getBoundingClientRect().top + window.scrollY - 60));
    await page.screenshot({ path: path.join(docs, 'report-connection.png') });
  } finally {
    await browser.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`wrote ${path.join(docs, 'report-overview.png')} and report-connection.png\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`screenshots: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
