/**
 * The report as one self-contained HTML page: the tables are written here (they read and print without the
 * script), the data goes in as JSON, and the inlined script draws the charts from it. Nothing is fetched: a
 * Content-Security-Policy forbids every request, so the page is the same offline, in a mail attachment, years on.
 */
import { ROW_COUNTER_SPECS } from '../schema/counters.js';
import { formatBytes, formatCount } from '../report/format.js';
import { TOP_MEASURE_COUNTER, TOP_MEASURES, type ConnectionDetail, type ReportData, type TopMeasure } from './report-data.js';
import { VIEWER_SCRIPT } from './viewer-script.js';
import { VIEWER_STYLE } from './viewer-style.js';
import { TIMELINE_CLASSES } from './timeline.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/** Text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that cannot end the script element it sits in, nor be read as HTML. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const MEASURE_TITLE: Readonly<Record<TopMeasure, string>> = {
  bytes: 'Most bytes delivered',
  missing: 'Most bytes missing',
  overlaps: 'Most overlap bytes',
  conflicts: 'Most conflicts',
};

function measure(d: ConnectionDetail, m: TopMeasure): number {
  const c = TOP_MEASURE_COUNTER[m];
  return (d.row.c2s as Record<string, number>)[c]! + (d.row.s2c as Record<string, number>)[c]!;
}

function topTable(data: ReportData, m: TopMeasure, byId: ReadonlyMap<number, ConnectionDetail>): string {
  const ids = data.top[m];
  const head = `<h3>${MEASURE_TITLE[m]}</h3>`;
  if (ids.length === 0) return `<div>${head}<p class="note">None: no connection had any.</p></div>`;
  const rows = ids
    .map((id, i) => {
      const d = byId.get(id)!;
      const v = measure(d, m);
      const value = m === 'conflicts' ? formatCount(v) : formatBytes(v);
      return `<tr><td class="n">${i + 1}</td><td><a href="#conn-${id}">${id}</a></td><td>${escapeHtml(d.label)}</td><td class="n">${value}</td><td>${escapeHtml(String(d.row.state))}</td></tr>`;
    })
    .join('');
  return `<div>${head}<table><thead><tr><th class="n">#</th><th>id</th><th>connection</th><th class="n">${m === 'conflicts' ? 'conflicts' : 'bytes'}</th><th>state</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function countersTable(d: ConnectionDetail): string {
  const a = d.row.c2s as Record<string, number | boolean>;
  const b = d.row.s2c as Record<string, number | boolean>;
  const cell = (v: number | boolean | undefined) => (typeof v === 'boolean' ? (v ? 'yes' : 'no') : formatCount(v ?? 0));
  const rows = ROW_COUNTER_SPECS.map(
    (c) => `<tr><td title="${escapeHtml(c.doc)}">${c.name}</td><td class="n">${cell(a[c.name])}</td><td class="n">${cell(b[c.name])}</td></tr>`,
  ).join('');
  return `<table class="counters-table"><thead><tr><th>counter</th><th class="n">c2s</th><th class="n">s2c</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const DIR = ['c2s', 's2c'];

function holesTable(d: ConnectionDetail): string {
  if (d.holes.length === 0) return '<h4>Gaps</h4><p class="note">None: every byte of both directions was seen.</p>';
  const rows = d.holes
    .map((h) => `<tr><td>${DIR[h.dir]}</td><td class="n">${h.seq}</td><td class="n">${h.seq + h.length}</td><td class="n">${formatCount(h.length)}</td><td class="n">+${h.t.toFixed(6)} s</td></tr>`)
    .join('');
  const more = d.holesOmitted > 0 ? `<p class="note">${formatCount(d.holesOmitted)} more gaps not listed.</p>` : '';
  return `<h4>Gaps (${d.holes.length})</h4><table class="holes"><thead><tr><th>dir</th><th class="n">from seq</th><th class="n">to seq</th><th class="n">bytes missing</th><th class="n">passed at</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

function conflictsTable(d: ConnectionDetail): string {
  if (d.conflicts.length === 0) return '<h4>Conflicts</h4><p class="note">None: every overlap that could be compared agreed.</p>';
  const rows = d.conflicts
    .map(
      (c) =>
        `<tr><td>${DIR[c.dir]}</td><td class="n">${c.seq}</td><td class="n">${c.seq + c.length}</td><td class="n">${c.firstDifference}</td>` +
        `<td class="n">${c.oldRecord}</td><td class="n">${c.newRecord}</td><td>${escapeHtml(c.kept)}</td><td class="n">+${c.t.toFixed(6)} s</td></tr>`,
    )
    .join('');
  const dropped = Number(d.row.conflictsDropped ?? 0);
  const more = dropped > 0 ? `<p class="note">${formatCount(dropped)} more conflicts not kept (the engine's per-connection bound).</p>` : '';
  return (
    `<h4>Conflicts (${d.conflicts.length})</h4><table class="conflicts"><thead><tr><th>dir</th><th class="n">from seq</th><th class="n">to seq</th><th class="n">first difference</th>` +
    `<th class="n">first copy record</th><th class="n">later copy record</th><th>kept</th><th class="n">at</th></tr></thead><tbody>${rows}</tbody></table>${more}`
  );
}

const REASON: Readonly<Record<string, string>> = {
  bytes: 'top by bytes',
  missing: 'top by missing bytes',
  overlaps: 'top by overlap bytes',
  conflicts: 'top by conflicts',
  asked: 'asked for (--id)',
};

function connectionSection(d: ConnectionDetail): string {
  const notes: string[] = [];
  notes.push(`state <strong>${escapeHtml(String(d.row.state))}</strong>, first packet ${escapeHtml(d.startTime)} (epoch ${escapeHtml(d.startEpoch)})`);
  notes.push(`drawn as: ${d.reasons.map((r) => REASON[r]).join(', ')}`);
  const base = d.base.map((b, i) => `${DIR[i]} from ${b === 'isn' ? 'its ISN (the SYN is 0)' : 'its first segment seen (no SYN)'}`).join('; ');
  notes.push(`relative sequence numbers: ${base}`);
  notes.push(d.wscale === null ? 'windows: raw header field (no window scale was announced by both SYNs)' : `windows scaled by 2^${d.wscale[0]} (c2s) and 2^${d.wscale[1]} (s2c)`);
  if (d.segments.t.length < d.segmentsTotal) {
    notes.push(
      `<strong>thinned</strong>: ${formatCount(d.segments.t.length)} of ${formatCount(d.segmentsTotal)} segments drawn (1 in ${d.strides[0]} plain segments kept, 1 in ${d.strides[1]} marked ones; see --max-segments)`,
    );
  }
  return (
    `<section class="conn" id="conn-${d.id}"><h3>Connection ${d.id}: ${escapeHtml(d.label)}</h3>` +
    `<p class="note">${notes.join('<br>')}</p><div class="legend tsg-legend"></div>` +
    `<div class="graphs" data-id="${d.id}"><p class="note">The graphs are drawn by the page's script.</p></div>` +
    `<div class="counters"><div><h4>Counters</h4>${countersTable(d)}</div><div>${holesTable(d)}${conflictsTable(d)}</div></div></section>`
  );
}

/** The whole page for a report's data. */
export function renderReportHtml(data: ReportData): string {
  const s = data.summary as { input?: string; connections?: number };
  const input = String(s.input ?? '');
  const byId = new Map(data.connections.map((d) => [d.id, d]));
  const tl = data.timeline;
  const timelineNote = tl.sampled
    ? `<strong>Sampled:</strong> ${formatCount(tl.id.length)} of ${formatCount(tl.total)} connections drawn (a uniform sample, plus every connection drawn in detail); the counts below cover all of them.`
    : `${formatCount(tl.total)} connections, one bar each from its first to its last packet. Outlined bars have graphs below: click one.`;
  const summary = data.summaryLines.map(([l, v]) => `<tr><td>${escapeHtml(l)}</td><td>${escapeHtml(v)}</td></tr>`).join('');
  const missing = data.missingIds.length > 0 ? `<p class="note"><strong>Not found:</strong> no connection had id ${data.missingIds.join(', ')}.</p>` : '';
  const details = data.connections.length === 0 ? '<p class="note">No connection to draw.</p>' : data.connections.map(connectionSection).join('');
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta http-equiv="Content-Security-Policy" content="${CSP}"><meta name="generator" content="${escapeHtml(data.tool)}">` +
    `<title>tcpreasm report: ${escapeHtml(input)}</title><style>${VIEWER_STYLE}</style></head><body>` +
    `<header><h1>tcpreasm report</h1><p class="meta">${escapeHtml(input)} &middot; ${formatCount(s.connections ?? 0)} connections &middot; ${escapeHtml(data.tool)}</p>` +
    `<nav class="toc"><a href="#summary">Summary</a><a href="#timeline">Timeline</a><a href="#activity">Over time</a><a href="#top">Top connections</a><a href="#details">In detail (${data.connections.length})</a></nav></header><main>` +
    `<section id="summary"><h2>Summary</h2><table class="summary"><tbody>${summary}</tbody></table>` +
    `<details class="json"><summary>The summary as JSON</summary><pre>${escapeHtml(JSON.stringify(data.summary, null, 2))}</pre></details></section>` +
    `<section id="timeline"><h2>Connections over time</h2><p class="note" id="timeline-note">${timelineNote} Fill by how each ended (${TIMELINE_CLASSES.join(', ')}: the first that applies); click a class to hide it.</p>` +
    `<div class="legend" id="timeline-legend"></div><div class="chart" id="timeline-chart"></div></section>` +
    `<section id="activity"><h2>Segments and bytes over time</h2><p class="note">Every TCP segment of the reported connections while open, in bins of ${data.bins.width.toPrecision(3)} s.</p><div class="chart" id="bins-chart"></div></section>` +
    `<section id="top"><h2>Top connections</h2><p class="note">The ${data.topN} largest by each measure, each linking to its graphs.</p>${missing}<div class="tops">${TOP_MEASURES.map((m) => topTable(data, m, byId)).join('')}</div></section>` +
    `<section id="details"><h2>Connections in detail</h2><p class="note">Stevens time-sequence graphs: sequence number (relative) against time since the connection's first packet, each segment a vertical line over the bytes it carried, the receiver's acknowledgements and window as steps. Hover a mark for its record; zoom and pan with the wheel and the mouse.</p>${details}</section>` +
    `</main><script type="application/json" id="report-data">${scriptJson(data)}</script><script>${VIEWER_SCRIPT}</script></body></html>\n`
  );
}
