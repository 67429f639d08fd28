/**
 * The report page's styles, inlined into it. Colours are the Okabe-Ito palette (told apart with the common
 * colour-vision deficiencies); no kind is told by colour alone: each has its own marker shape or fill pattern.
 */
export const VIEWER_STYLE = `
:root { --ink: #111; --muted: #555; --rule: #ccc; --bg: #fff; --panel: #f6f6f4;
  --data: #111; --ooo: #0072B2; --retr: #D55E00; --part: #E69F00; --confl: #CC79A7; --ack: #009E73; --win: #777; --hole: #D55E00; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); margin: 0; }
header, main { max-width: 1240px; margin: 0 auto; padding: 0 16px; }
header { padding-top: 16px; border-bottom: 1px solid var(--rule); }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; } h3 { font-size: 16px; margin: 20px 0 6px; }
p.meta, p.note { color: var(--muted); margin: 4px 0 10px; }
p.note strong { color: var(--ink); }
nav.toc { margin: 8px 0 12px; } nav.toc a { margin-right: 14px; }
a { color: #0057a0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
td, th { padding: 2px 10px 2px 0; text-align: left; vertical-align: top; border-bottom: 1px solid #eee; }
th { font-weight: 600; } td.n, th.n { text-align: right; }
table.summary td:first-child { color: var(--muted); white-space: nowrap; }
.tops { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 12px 24px; }
.tops h3 { margin-top: 6px; }
.chart { position: relative; width: 100%; overflow: hidden; background: var(--panel); border: 1px solid var(--rule); }
.chart svg { display: block; width: 100%; height: auto; user-select: none; }
.chart svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 6px 0; color: var(--muted); font-size: 12px; }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.legend svg { width: 26px; height: 14px; }
.tip { position: fixed; pointer-events: none; background: #fff; border: 1px solid var(--ink); padding: 4px 6px; font-size: 12px;
  white-space: pre; display: none; z-index: 2; box-shadow: 2px 2px 0 rgba(0,0,0,.15); }
section.conn { border-top: 2px solid var(--ink); margin-top: 28px; }
.graphs { display: grid; grid-template-columns: 1fr; gap: 10px; }
figure { margin: 0; } figcaption { font-weight: 600; margin: 6px 0 2px; }
.controls { font-size: 12px; color: var(--muted); margin: 2px 0; }
.controls button { font: inherit; margin-right: 6px; }
.tsg svg { cursor: grab; } .tsg svg:focus { outline: 2px solid #0057a0; }
.counters { display: flex; flex-wrap: wrap; gap: 8px 36px; }
details > summary { cursor: pointer; color: #0057a0; }
pre { font-size: 12px; overflow: auto; background: var(--panel); padding: 8px; }
@media print {
  body { font-size: 11px; } .controls, .tip, nav.toc, details.json { display: none !important; }
  section.conn { break-before: page; } figure, .chart, table { break-inside: avoid; }
  .chart { background: #fff; } a { color: inherit; text-decoration: none; }
}
`;
