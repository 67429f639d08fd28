import { describe, expect, it } from 'vitest';
import { reportCapture } from '../pipeline/report.js';
import { renderReportHtml } from './html.js';

const sample = (name: string): string => new URL(`../../samples/${name}`, import.meta.url).pathname;
const ATTACK = '</script><img src=x onerror=alert(1)>\u2028';

describe('renderReportHtml', () => {
  it('carries text from the capture and its name as text, never as markup', async () => {
    const { data } = await reportCapture(sample('ipv4-loss.pcap'), { top: 1 }, { sourceName: ATTACK });
    const html = renderReportHtml(data);
    expect(html.includes('<img')).toBe(false);
    // One script element of data and one of code: the name could not end either early.
    expect(html.match(/<\/script>/g)!.length).toBe(2);
    const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!;
    // A line separator is a line end in old script parsers: escaped in the data.
    expect(json.includes('\u2028')).toBe(false);
    expect((JSON.parse(json) as { summary: { input: string } }).summary.input).toBe(ATTACK);
  });

  it('forbids every request: a Content-Security-Policy with default-src none', async () => {
    const { data } = await reportCapture(sample('ipv4-loss.pcap'), { top: 1 });
    const html = renderReportHtml(data);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
  });

  it('lists each connection drawn with its counters, gaps and conflicts in the page itself', async () => {
    const { data } = await reportCapture(sample('ipv4-loss.snap200.pcap'), { top: 2 });
    const html = renderReportHtml(data);
    for (const d of data.connections) {
      expect(html).toContain(`<section class="conn" id="conn-${d.id}">`);
      expect(html).toContain(`<a href="#conn-${d.id}">`);
    }
    const holes = data.connections.reduce((n, d) => n + d.holes.length, 0);
    expect(holes).toBeGreaterThan(0);
    expect(html.match(/<table class="holes">/g)!.length).toBe(data.connections.filter((d) => d.holes.length > 0).length);
  });
});
