/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The HTML report in a real browser (Debian's chromium, driven by playwright-core): it loads with no console
 * error and no request but its own file, and its graphs show exactly the marks the capture holds. Without a
 * browser the file is skipped and says so, except under `.ci/run`, which installs one and sets
 * TCPREASM_REQUIRE_BROWSER=1 so that a missing browser fails instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { cli, SAMPLES, tempDir, writeManyConnections } from './support.js';
import { CHROMIUM, CHROMIUM_FLAGS as FLAGS } from '../support/chromium.js';

const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser) {
  if (process.env.TCPREASM_REQUIRE_BROWSER === '1') throw new Error(`report-browser: no browser at ${CHROMIUM}, and TCPREASM_REQUIRE_BROWSER=1 (.ci/run installs Debian's chromium)`);
  console.warn(`report-browser: skipped: no browser at ${CHROMIUM} (apt-get install chromium, or set TCPREASM_CHROMIUM)`);
}


let browser: Browser;
const dir = tempDir('report-browser');

beforeAll(async () => {
  if (!haveBrowser) return;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});
afterAll(async () => {
  await browser?.close();
});

/** Writes the report of `input` and opens it; collects console errors, page errors and every request. */
async function open(input: string, name: string, extra: string[] = []): Promise<{ page: Page; errors: string[]; requests: string[]; file: string }> {
  const file = join(dir, `${name}.html`);
  const r = await cli(['report', input, '-o', file, '-q', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (q) => requests.push(q.url()));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('html[data-ready="true"]');
  return { page, errors, requests, file };
}

/** Draws connection `id` (as following its link does) and counts its marks by direction and kind. */
async function marks(page: Page, id: number): Promise<Record<string, number>> {
  await page.evaluate((i) => {
    location.hash = `conn-${i}`;
  }, id);
  await page.waitForSelector(`.graphs[data-id="${id}"][data-drawn="true"]`);
  return page.evaluate((i) => {
    const out: Record<string, number> = {};
    for (const e of document.querySelectorAll(`#conn-${i} figure [data-kind]`)) {
      const key = `${e.closest('.chart')!.getAttribute('data-dir')}:${e.getAttribute('data-kind')}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }, id);
}

describe.skipIf(!haveBrowser)('report in a browser', () => {
  it('loads with no console error and no request but its own file', async () => {
    const { page, errors, requests, file } = await open(join(SAMPLES, 'ipv4-loss.pcap'), 'clean');
    await page.evaluate(() => (window as unknown as { tcpreasmReport: { drawAll(): void } }).tcpreasmReport.drawAll());
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    // The timeline draws every connection, one bar each.
    expect(await page.locator('#timeline-chart rect[data-i]').count()).toBe(20);
    await page.close();
  });

  it('draws the 4 retransmissions and the one hole of the sample, and nothing else marked', async () => {
    const { page, errors } = await open(join(SAMPLES, 'report/report-hole.pcap'), 'hole');
    const m = await marks(page, 0);
    expect(m['s2c:retransmission']).toBe(4);
    expect(m['s2c:hole']).toBe(1);
    expect(m['c2s:retransmission']).toBeUndefined();
    expect(m['c2s:hole']).toBeUndefined();
    expect(m['s2c:partial-overlap']).toBeUndefined();
    expect(m['s2c:conflict']).toBeUndefined();
    expect(m['s2c:ack-line']).toBe(1);
    expect(m['s2c:window-line']).toBe(1);
    // The marks stand for the records the sample's README names, and the hole for its exact range.
    const detail = await page.evaluate(() => {
      const d = (window as unknown as { tcpreasmReport: { data: { connections: Array<{ segments: { record: number[] }; holes: unknown[] }> } } }).tcpreasmReport.data.connections[0]!;
      const records = [...document.querySelectorAll('#conn-0 [data-dir="s2c"] [data-kind="retransmission"]')].map((e) => d.segments.record[Number(e.getAttribute('data-i'))]);
      return { records, holes: d.holes };
    });
    expect(detail.records).toEqual([86, 87, 89, 91]);
    expect(detail.holes).toEqual([{ dir: 1, seq: 17377, length: 1448, t: expect.any(Number) as number }]);
    // Hover names the record, its time and its sequence range.
    // Near a mark is enough: a hairline is hard to hit.
    await page.locator('#conn-0 [data-dir="s2c"] svg').scrollIntoViewIfNeeded();
    const first = (await page.locator('#conn-0 [data-dir="s2c"] [data-kind="retransmission"]').first().boundingBox())!;
    await page.mouse.move(first.x + first.width / 2 + 3, first.y + first.height - 1);
    const tip = await page.locator('.tip').innerText();
    expect(tip).toContain('retransmission');
    expect(tip).toContain('record 86');
    expect(tip).toContain('seq 36201 to 37649');
    const hole = page.locator('#conn-0 [data-dir="s2c"] [data-kind="hole"]');
    const box = (await hole.boundingBox())!;
    await page.mouse.move(box.x + 4, box.y + box.height / 2);
    expect(await page.locator('.tip').innerText()).toContain('1,448 bytes never seen');
    // The gap list under the graph says the same.
    expect(await page.locator('#conn-0 table.holes tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/^s2c\s+17377\s+18825\s+1,448\s/) as string]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('marks each conflict of the crafted sample', async () => {
    const { page } = await open(join(SAMPLES, 'crafted/conflicting-retransmission.pcap'), 'conflict');
    const data = JSON.parse(
      readFileSync(join(dir, 'conflict.html'), 'utf8').match(/<script type="application\/json" id="report-data">(.*?)<\/script>/s)![1]!,
    ) as { top: { conflicts: number[] }; connections: Array<{ id: number; conflicts: Array<{ dir: number }> }> };
    const id = data.top.conflicts[0]!;
    const want = data.connections.find((c) => c.id === id)!.conflicts;
    expect(want.length).toBeGreaterThan(0);
    const m = await marks(page, id);
    expect((m['c2s:conflict'] ?? 0) + (m['s2c:conflict'] ?? 0)).toBe(want.length);
    expect(await page.locator(`#conn-${id} table.conflicts tbody tr`).count()).toBe(want.length);
    await page.close();
  });

  it('zooms with the wheel, pans by dragging, and resets', async () => {
    const { page } = await open(join(SAMPLES, 'report/report-hole.pcap'), 'zoom');
    const all = await marks(page, 0);
    const svg = page.locator('#conn-0 [data-dir="s2c"] svg');
    await svg.scrollIntoViewIfNeeded();
    const box = (await svg.boundingBox())!;
    const segments = (all['s2c:data'] ?? 0) + (all['s2c:out-of-order'] ?? 0) + (all['s2c:retransmission'] ?? 0) + (all['s2c:control'] ?? 0);
    const count = () => page.locator('#conn-0 [data-dir="s2c"] path[data-i]').count();
    expect(await count()).toBe(segments);
    await page.mouse.move(box.x + box.width * 0.97, box.y + box.height / 2);
    for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -100);
    const zoomed = await count();
    expect(zoomed).toBeLessThan(segments);
    // Dragging the picture to the right brings earlier segments in.
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    expect(await count()).not.toBe(zoomed);
    await svg.dblclick();
    expect(await count()).toBe(segments);
    await page.close();
  });

  it('hides a timeline class from its legend button (no class told by colour alone)', async () => {
    const { page } = await open(join(SAMPLES, 'ipv4-loss.snap200.pcap'), 'legend');
    const holes = page.locator('#timeline-chart rect[data-kind="holes"]');
    const n = await holes.count();
    expect(n).toBeGreaterThan(0);
    await page.locator('#timeline-legend button', { hasText: 'holes' }).click();
    expect(await page.locator('#timeline-chart rect[data-kind="holes"]:visible').count()).toBe(0);
    expect(await page.locator('#timeline-legend button', { hasText: 'holes' }).getAttribute('aria-pressed')).toBe('false');
    await page.close();
  });

  it('prints every connection graph', async () => {
    const { page } = await open(join(SAMPLES, 'ipv4-loss.pcap'), 'print');
    const graphs = await page.locator('.graphs[data-id]').count();
    await page.emulateMedia({ media: 'print' });
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    expect(await page.locator('.graphs[data-drawn="true"]').count()).toBe(graphs);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.close();
  });

  it('opens a report of 10,000 connections whole, with every one on the timeline', async () => {
    const capture = join(dir, 'many.pcap');
    writeManyConnections(capture, 10_000, 500);
    const { page, errors } = await open(capture, 'many');
    expect(await page.locator('#timeline-chart rect[data-i]').count()).toBe(10_000);
    expect(await page.locator('#timeline-note').innerText()).not.toContain('Sampled');
    expect(errors).toEqual([]);
    await page.close();
  });
});
