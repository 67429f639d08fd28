/**
 * The report page's script, inlined into it: plain ES2020 for any current browser, no library, nothing
 * fetched. It reads the page's JSON (lib/graph/report-data.ts) and draws SVG: the timeline, the counts over
 * time and, when a connection's section comes near the screen, its time-sequence graphs. SVG rather than a
 * canvas chart library: every mark is an element carrying its kind and its segment (`data-kind`, `data-i`),
 * which the hover reads, a test can query, and a printer draws sharp.
 *
 * Kept as text (no backquote and no dollar-brace inside); the browser tests (test/e2e/report-browser.test.ts)
 * are what check it.
 */
export const VIEWER_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var KINDS = ['data', 'control', 'out-of-order', 'retransmission', 'partial-overlap'];
  var CLASSES = ['conflicts', 'holes', 'reset', 'timed out', 'complete', 'other'];
  var CLASS_COLOUR = ['#CC79A7', '#D55E00', '#E69F00', '#56B4E9', '#0072B2', '#999999'];
  var FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];
  var byId = {};
  data.connections.forEach(function (c) { byId[c.id] = c; });

  // --- formatting ---
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }
  function count(n) { return Math.round(n).toLocaleString('en-US'); }
  function short(n) {
    var a = Math.abs(n);
    if (a >= 1e9) return (n / 1e9).toFixed(a >= 1e10 ? 0 : 1) + 'G';
    if (a >= 1e6) return (n / 1e6).toFixed(a >= 1e7 ? 0 : 1) + 'M';
    if (a >= 1e4) return (n / 1e3).toFixed(0) + 'k';
    return String(Math.round(n * 1000) / 1000);
  }
  function bytes(n) {
    if (n < 1000) return count(n) + ' B';
    var u = ['kB', 'MB', 'GB', 'TB'], i = -1;
    do { n /= 1000; i++; } while (n >= 1000 && i < u.length - 1);
    return n.toFixed(n >= 100 ? 0 : 1) + ' ' + u[i];
  }
  function secs(t) {
    var a = Math.abs(t);
    if (a === 0) return '0 s';
    if (a < 1e-3) return (t * 1e6).toFixed(a < 1e-5 ? 2 : 0) + ' \u00b5s';
    if (a < 1) return (t * 1e3).toFixed(a < 1e-2 ? 3 : 1) + ' ms';
    if (a < 120) return t.toFixed(a < 10 ? 3 : 1) + ' s';
    if (a < 7200) return (t / 60).toFixed(1) + ' min';
    return (t / 3600).toFixed(1) + ' h';
  }
  function flagText(f) {
    var out = [];
    for (var b = 0; b < 8; b++) if (f & (1 << b)) out.push(FLAG_NAMES[b]);
    return out.length ? out.join(' ') : 'none';
  }
  function ticks(lo, hi, n) {
    var span = hi - lo;
    if (!(span > 0)) return [lo];
    var step = Math.pow(10, Math.floor(Math.log10(span / n)));
    var err = span / n / step;
    if (err >= 7.5) step *= 10; else if (err >= 3.5) step *= 5; else if (err >= 1.5) step *= 2;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return out;
  }

  // --- tooltip: one for the page ---
  var tip = document.createElement('div');
  tip.className = 'tip';
  tip.setAttribute('role', 'status');
  document.body.appendChild(tip);
  function showTip(ev, text) {
    tip.textContent = text;
    tip.style.display = 'block';
    var x = ev.clientX + 14, y = ev.clientY + 14;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 4) x = ev.clientX - w - 10;
    if (y + h > window.innerHeight - 4) y = ev.clientY - h - 10;
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }
  function hideTip() { tip.style.display = 'none'; }

  function svgPoint(svg, ev, width, height) {
    var r = svg.getBoundingClientRect();
    return { x: (ev.clientX - r.left) * width / r.width, y: (ev.clientY - r.top) * height / r.height };
  }

  // Fill patterns: each timeline class and the hole have their own, so no kind is told by colour alone.
  function patterns() {
    var p = '<defs>';
    var shapes = [
      '<path d="M0 0L6 6M6 0L0 6" stroke="#000" stroke-width="1.2"/>',
      '<path d="M0 6L6 0" stroke="#000" stroke-width="1.2"/>',
      '<circle cx="3" cy="3" r="1.3" fill="#000"/>',
      '<path d="M0 3H6" stroke="#000" stroke-width="1.2"/>',
      '',
      '<path d="M3 0V6" stroke="#000" stroke-width="1.2"/>'
    ];
    for (var i = 0; i < CLASSES.length; i++) {
      p += '<pattern id="pc' + i + '" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="' + CLASS_COLOUR[i] + '"/>' +
        shapes[i].replace(/#000/g, 'rgba(0,0,0,.55)') + '</pattern>';
    }
    p += '<pattern id="phole" width="8" height="8" patternUnits="userSpaceOnUse"><path d="M0 8L8 0M-2 2L2 -2M6 10L10 6" stroke="#D55E00" stroke-width="1.5"/></pattern>';
    return p + '</defs>';
  }

  // --- the timeline ---
  function drawTimeline() {
    var el = document.getElementById('timeline-chart');
    var tl = data.timeline;
    var n = tl.id.length;
    if (!el) return;
    if (n === 0) { el.textContent = 'No connections.'; return; }
    var t0 = Infinity, t1 = -Infinity;
    for (var i = 0; i < n; i++) { if (tl.start[i] < t0) t0 = tl.start[i]; if (tl.end[i] > t1) t1 = tl.end[i]; }
    var span = t1 - t0 > 0 ? t1 - t0 : 1e-3;
    var W = 1200, L = 56, R = 12, T = 6;
    var plotW = W - L - R;
    // Lanes: each connection on the first lane free at its start (a lane shows many connections in turn).
    var laneEnd = [], lane = new Array(n), MAXL = 400, wrapped = false;
    var gap = span * 2 / plotW;
    for (i = 0; i < n; i++) {
      var k = 0;
      while (k < laneEnd.length && laneEnd[k] > tl.start[i] - gap) k++;
      if (k >= MAXL) { k = i % MAXL; wrapped = true; }
      laneEnd[k] = Math.max(laneEnd[k] || -Infinity, tl.end[i]);
      lane[i] = k;
    }
    var lanes = laneEnd.length;
    var barH = Math.max(1, Math.min(8, Math.floor(440 / lanes)));
    var pitch = barH + (barH > 2 ? 1 : 0);
    var H = T + lanes * pitch + 28;
    var s = '<svg viewBox="0 0 ' + W + ' ' + H + '" role="img" aria-label="Timeline of ' + n + ' connections: one bar each from first to last packet, fill by how it ended">' + patterns();
    ticks(0, span, 8).forEach(function (v) {
      var x = L + v / span * plotW;
      s += '<line x1="' + x + '" x2="' + x + '" y1="' + T + '" y2="' + (H - 24) + '" stroke="#ddd"/><text x="' + x + '" y="' + (H - 8) + '" text-anchor="middle">+' + secs(v) + '</text>';
    });
    for (i = 0; i < n; i++) {
      var x0 = L + (tl.start[i] - t0) / span * plotW;
      var w = Math.max(1.5, (tl.end[i] - tl.start[i]) / span * plotW);
      var c = tl.cls[i];
      s += '<rect data-kind="' + CLASSES[c] + '" data-i="' + i + '" x="' + x0.toFixed(1) + '" y="' + (T + lane[i] * pitch) + '" width="' + w.toFixed(1) + '" height="' + barH + '" fill="url(#pc' + c + ')"' +
        (byId[tl.id[i]] ? ' class="linked" stroke="#000" stroke-width="0.6"' : '') + '/>';
    }
    s += '<text x="4" y="' + (T + 10) + '">lanes</text></svg>';
    el.innerHTML = s;
    var svg = el.firstChild;
    if (wrapped) {
      var note = document.getElementById('timeline-note');
      if (note) note.textContent += ' More than ' + MAXL + ' connections were open at once: lanes are shared, bars may overlap.';
    }
    svg.addEventListener('mousemove', function (ev) {
      var i = ev.target.getAttribute && ev.target.getAttribute('data-i');
      if (i === null || i === undefined) { hideTip(); return; }
      i = +i;
      var id = tl.id[i];
      showTip(ev, 'connection ' + id + (byId[id] ? ' (click for its graphs)' : '') + '\n' + CLASSES[tl.cls[i]] + '\nfrom +' + secs(tl.start[i] - t0) + ' for ' + secs(tl.end[i] - tl.start[i]) + '\n' + bytes(tl.bytes[i]) + ' delivered');
    });
    svg.addEventListener('mouseleave', hideTip);
    svg.addEventListener('click', function (ev) {
      var i = ev.target.getAttribute && ev.target.getAttribute('data-i');
      if (i === null || i === undefined) return;
      var id = tl.id[+i];
      if (byId[id]) location.hash = 'conn-' + id;
    });
    // The legend is also a filter: each class can be hidden, so none depends on telling colours apart.
    var legend = document.getElementById('timeline-legend');
    if (legend) {
      legend.innerHTML = CLASSES.map(function (name, c) {
        return '<span><button type="button" aria-pressed="true" data-cls="' + c + '"><svg viewBox="0 0 26 14" aria-hidden="true">' + patterns() +
          '<rect x="1" y="2" width="24" height="10" fill="url(#pc' + c + ')"/></svg> ' + esc(name) + '</button></span>';
      }).join('');
      legend.addEventListener('click', function (ev) {
        var b = ev.target.closest('button');
        if (!b) return;
        var on = b.getAttribute('aria-pressed') !== 'true';
        b.setAttribute('aria-pressed', String(on));
        var name = CLASSES[+b.getAttribute('data-cls')];
        svg.querySelectorAll('rect[data-kind="' + name + '"]').forEach(function (r) { r.style.display = on ? '' : 'none'; });
      });
    }
  }

  // --- counts over time ---
  function drawBins() {
    var el = document.getElementById('bins-chart');
    var b = data.bins;
    if (!el) return;
    if (b.segments.length === 0) { el.textContent = 'No TCP segments.'; return; }
    var rows = [['segments', b.segments, count], ['payload bytes', b.bytes, bytes], ['new connections', b.starts, count]];
    var W = 1200, L = 96, R = 12, rowH = 70, gapH = 12;
    var n = b.segments.length, bw = (W - L - R) / n;
    var H = rows.length * (rowH + gapH) + 24;
    var s = '<svg viewBox="0 0 ' + W + ' ' + H + '" role="img" aria-label="Segments, bytes and new connections in ' + n + ' bins of ' + secs(b.width) + '">';
    rows.forEach(function (row, r) {
      var vals = row[1], max = 0;
      for (var i = 0; i < n; i++) if (vals[i] > max) max = vals[i];
      var y0 = r * (rowH + gapH) + rowH;
      s += '<text x="4" y="' + (y0 - rowH + 12) + '">' + row[0] + '</text><text x="4" y="' + (y0 - rowH + 26) + '">max ' + row[2](max) + '</text>';
      s += '<line x1="' + L + '" x2="' + (W - R) + '" y1="' + y0 + '" y2="' + y0 + '" stroke="#999"/>';
      for (i = 0; i < n; i++) {
        if (!(vals[i] > 0)) continue;
        var h = Math.max(1, vals[i] / max * (rowH - 4));
        s += '<rect data-row="' + r + '" data-i="' + i + '" x="' + (L + i * bw).toFixed(2) + '" y="' + (y0 - h).toFixed(1) + '" width="' + Math.max(0.8, bw - 0.6).toFixed(2) + '" height="' + h.toFixed(1) + '" fill="' + ['#0072B2', '#009E73', '#E69F00'][r] + '"/>';
      }
    });
    var span = n * b.width;
    ticks(0, span, 8).forEach(function (v) {
      s += '<text x="' + (L + v / span * (W - L - R)) + '" y="' + (H - 6) + '" text-anchor="middle">+' + secs(v) + '</text>';
    });
    el.innerHTML = s + '</svg>';
    var svg = el.firstChild;
    svg.addEventListener('mousemove', function (ev) {
      var i = ev.target.getAttribute && ev.target.getAttribute('data-i');
      if (i === null || i === undefined) { hideTip(); return; }
      i = +i;
      showTip(ev, '+' + secs(i * b.width) + ' to +' + secs((i + 1) * b.width) + '\n' + count(b.segments[i]) + ' segments\n' + bytes(b.bytes[i]) + '\n' + count(b.starts[i]) + ' new connections');
    });
    svg.addEventListener('mouseleave', hideTip);
  }

  // --- a time-sequence graph: one direction of one connection ---
  var GW = 1200, GH = 380, GL = 76, GR = 12, GT = 10, GB = 30;

  function Tsg(fig, conn, dir) {
    this.fig = fig; this.c = conn; this.dir = dir;
    var sg = conn.segments, n = sg.t.length;
    this.mine = []; this.acks = [];
    var x1 = 0, y0 = Infinity, y1 = -Infinity;
    var scale = conn.wscale ? Math.pow(2, conn.wscale[1 - dir]) : 1;
    this.scale = scale;
    for (var i = 0; i < n; i++) {
      if (sg.t[i] > x1) x1 = sg.t[i];
      if (sg.dir[i] === dir) {
        if (sg.len[i] > 0 || (sg.flags[i] & 7)) {
          this.mine.push(i);
          if (sg.seq[i] < y0) y0 = sg.seq[i];
          if (sg.seq[i] + sg.len[i] > y1) y1 = sg.seq[i] + sg.len[i];
        }
      } else if (sg.ack[i] !== null) {
        this.acks.push(i);
        if (sg.ack[i] < y0) y0 = sg.ack[i];
        if (sg.ack[i] > y1) y1 = sg.ack[i];
      }
    }
    var self = this;
    this.holes = conn.holes.filter(function (h) { return h.dir === dir; });
    this.conflicts = conn.conflicts.filter(function (h) { return h.dir === dir; });
    this.holes.concat(this.conflicts).forEach(function (h) {
      if (h.seq < y0) y0 = h.seq;
      if (h.seq + h.length > y1) y1 = h.seq + h.length;
      if (h.t > x1) x1 = h.t;
    });
    if (!(y1 > y0)) { if (!isFinite(y0)) y0 = 0; y1 = y0 + 1; }
    if (!(x1 > 0)) x1 = 1e-3;
    var px = x1 * 0.02, py = (y1 - y0) * 0.03;
    this.full = { x0: -px, x1: x1 + px, y0: y0 - py, y1: y1 + py };
    this.view = Object.assign({}, this.full);
    fig.innerHTML = '';
    var cap = document.createElement('figcaption');
    var label = dir === 0 ? 'client to server (c2s)' : 'server to client (s2c)';
    cap.textContent = label + ': ' + this.mine.length + ' segments drawn' + (this.acks.length ? ', ' + this.acks.length + ' acknowledgements from the other side' : '');
    fig.appendChild(cap);
    var ctl = document.createElement('div');
    ctl.className = 'controls';
    ctl.innerHTML = '<button type="button" data-z="in">Zoom in</button><button type="button" data-z="out">Zoom out</button><button type="button" data-z="reset">Reset</button>' +
      'wheel: zoom (shift: time only, alt: sequence only), drag: pan, double-click: reset; keys + - arrows 0';
    fig.appendChild(ctl);
    var box = document.createElement('div');
    box.className = 'chart tsg';
    box.setAttribute('data-dir', dir === 0 ? 'c2s' : 's2c');
    fig.appendChild(box);
    box.innerHTML = '<svg viewBox="0 0 ' + GW + ' ' + GH + '" tabindex="0" role="img" aria-label="Time-sequence graph, ' + label + ', connection ' + conn.id + '">' + patterns() +
      '<clipPath id="clip-' + conn.id + '-' + dir + '"><rect x="' + GL + '" y="' + GT + '" width="' + (GW - GL - GR) + '" height="' + (GH - GT - GB) + '"/></clipPath>' +
      '<g class="axes"></g><g class="plot" clip-path="url(#clip-' + conn.id + '-' + dir + ')"></g></svg>';
    this.svg = box.firstChild;
    this.axes = this.svg.querySelector('.axes');
    this.plot = this.svg.querySelector('.plot');
    this.wire();
    ctl.addEventListener('click', function (ev) {
      var z = ev.target.getAttribute('data-z');
      if (z === 'reset') self.reset();
      else if (z) self.zoomAt(0.5, 0.5, z === 'in' ? 0.5 : 2, true, true);
    });
    this.render();
  }

  Tsg.prototype.sx = function (t) { var v = this.view; return GL + (t - v.x0) / (v.x1 - v.x0) * (GW - GL - GR); };
  Tsg.prototype.sy = function (q) { var v = this.view; return GH - GB - (q - v.y0) / (v.y1 - v.y0) * (GH - GT - GB); };

  Tsg.prototype.reset = function () { this.view = Object.assign({}, this.full); this.render(); };

  /** Zooms by factor f around the point at fractions (fx, fy) of the plot. */
  Tsg.prototype.zoomAt = function (fx, fy, f, zx, zy) {
    var v = this.view;
    if (zx) { var t = v.x0 + fx * (v.x1 - v.x0); v.x0 = t - (t - v.x0) * f; v.x1 = t + (v.x1 - t) * f; }
    if (zy) { var q = v.y1 - fy * (v.y1 - v.y0); v.y0 = q - (q - v.y0) * f; v.y1 = q + (v.y1 - q) * f; }
    this.render();
  };

  Tsg.prototype.pan = function (dx, dy) {
    var v = this.view;
    var tx = dx * (v.x1 - v.x0), ty = dy * (v.y1 - v.y0);
    v.x0 += tx; v.x1 += tx; v.y0 += ty; v.y1 += ty;
    this.render();
  };

  Tsg.prototype.wire = function () {
    var self = this, svg = this.svg, drag = null, PW = GW - GL - GR, PH = GH - GT - GB;
    svg.addEventListener('wheel', function (ev) {
      ev.preventDefault();
      var p = svgPoint(svg, ev, GW, GH);
      var f = ev.deltaY > 0 ? 1.25 : 0.8;
      self.zoomAt(Math.min(1, Math.max(0, (p.x - GL) / PW)), Math.min(1, Math.max(0, (p.y - GT) / PH)), f, !ev.altKey, !ev.shiftKey);
    }, { passive: false });
    svg.addEventListener('mousedown', function (ev) { drag = svgPoint(svg, ev, GW, GH); svg.style.cursor = 'grabbing'; });
    window.addEventListener('mouseup', function () { drag = null; svg.style.cursor = ''; });
    svg.addEventListener('mousemove', function (ev) {
      if (drag) {
        var p = svgPoint(svg, ev, GW, GH);
        self.pan(-(p.x - drag.x) / PW, (p.y - drag.y) / PH);
        drag = p;
        hideTip();
        return;
      }
      self.hover(ev);
    });
    svg.addEventListener('mouseleave', hideTip);
    svg.addEventListener('dblclick', function () { self.reset(); });
    svg.addEventListener('keydown', function (ev) {
      var k = ev.key;
      if (k === '+' || k === '=') self.zoomAt(0.5, 0.5, 0.8, true, true);
      else if (k === '-') self.zoomAt(0.5, 0.5, 1.25, true, true);
      else if (k === '0') self.reset();
      else if (k === 'ArrowLeft') self.pan(-0.1, 0);
      else if (k === 'ArrowRight') self.pan(0.1, 0);
      else if (k === 'ArrowUp') self.pan(0, 0.1);
      else if (k === 'ArrowDown') self.pan(0, -0.1);
      else return;
      ev.preventDefault();
    });
  };

  /** The segment whose line passes nearest the pointer, within 8 units of the drawing; -1 when none. */
  Tsg.prototype.nearest = function (ev) {
    var p = svgPoint(this.svg, ev, GW, GH), sg = this.c.segments, best = -1, bestD = 8;
    for (var m = 0; m < this.mine.length; m++) {
      var k = this.mine[m], x = this.sx(sg.t[k]);
      if (Math.abs(x - p.x) >= bestD) continue;
      var ya = this.sy(sg.seq[k]), yb = this.sy(sg.seq[k] + sg.len[k]) - 8;
      var dy = p.y > ya ? p.y - ya : p.y < yb ? yb - p.y : 0;
      var d = Math.max(Math.abs(x - p.x), dy);
      if (d < bestD) { bestD = d; best = k; }
    }
    return best;
  };

  Tsg.prototype.hover = function (ev) {
    var el = ev.target, kind = el.getAttribute && el.getAttribute('data-kind'), i;
    // A segment under the pointer, else the nearest one; then a hole, conflict or line under it.
    var near = kind && KINDS.indexOf(kind) >= 0 ? -1 : this.nearest(ev);
    if (near >= 0) { i = near; kind = KINDS[this.c.segments.kind[near]]; }
    else if (kind) i = +el.getAttribute('data-i');
    if (!kind) { hideTip(); return; }
    var sg = this.c.segments, text;
    if (kind === 'hole') {
      var h = this.holes[i];
      text = 'hole: seq ' + h.seq + ' to ' + (h.seq + h.length) + '\n' + count(h.length) + ' bytes never seen\npassed at +' + secs(h.t);
    } else if (kind === 'conflict') {
      var c = this.conflicts[i];
      text = 'conflict: seq ' + c.seq + ' to ' + (c.seq + c.length) + ' (' + count(c.length) + ' B)\ncopies differ from seq ' + c.firstDifference +
        '\nrecord ' + c.oldRecord + ' vs record ' + c.newRecord + ', kept the ' + c.kept + ' copy\nat +' + secs(c.t);
    } else if (kind === 'ack-line' || kind === 'window-line') {
      text = kind === 'ack-line' ? 'acknowledged by the other side' : 'acknowledged + advertised window' + (this.c.wscale ? '' : ' (unscaled: no window scale known)');
    } else {
      text = kind + '\nrecord ' + sg.record[i] + '\nt = +' + secs(sg.t[i]) + ' (' + sg.t[i].toFixed(6) + ' s)\nseq ' + sg.seq[i] + ' to ' + (sg.seq[i] + sg.len[i]) +
        ' (' + count(sg.len[i]) + ' B)\nflags ' + flagText(sg.flags[i]) + (sg.ack[i] !== null ? '\nack ' + sg.ack[i] : '') + '\nwindow ' + sg.win[i];
    }
    showTip(ev, text);
  };

  /** A segment's mark: its line (sequence range) and a shape for its kind, one path element. */
  function segmentPath(x, ya, yb, kind, flags) {
    var d = 'M' + x.toFixed(1) + ' ' + ya.toFixed(1) + 'V' + Math.min(yb, ya - 0.8).toFixed(1);
    var top = Math.min(yb, ya - 0.8);
    switch (kind) {
      case 'data': return d + 'M' + (x - 2).toFixed(1) + ' ' + ya.toFixed(1) + 'h4M' + (x - 2).toFixed(1) + ' ' + top.toFixed(1) + 'h4';
      case 'out-of-order': return d + 'M' + (x - 4).toFixed(1) + ' ' + (top - 1).toFixed(1) + 'l4 -7l4 7z';
      case 'retransmission': return d + 'M' + (x - 4).toFixed(1) + ' ' + (top - 8).toFixed(1) + 'l8 8m0 -8l-8 8';
      case 'partial-overlap': return d + 'M' + (x - 3.5).toFixed(1) + ' ' + (top - 8).toFixed(1) + 'h7v7h-7z';
      default:
        // SYN: diamond, FIN: circle-ish octagon, RST: bar across.
        if (flags & 4) return 'M' + (x - 6).toFixed(1) + ' ' + ya.toFixed(1) + 'h12M' + x.toFixed(1) + ' ' + (ya - 6).toFixed(1) + 'v12';
        if (flags & 2) return 'M' + x.toFixed(1) + ' ' + (ya - 5).toFixed(1) + 'l4 5l-4 5l-4 -5z';
        return 'M' + (x - 2).toFixed(1) + ' ' + (ya - 5).toFixed(1) + 'h4l2 2v4l-2 2h-4l-2 -2v-4z';
    }
  }
  var KIND_STYLE = {
    'data': 'stroke="#111" fill="none" stroke-width="1.2"',
    'out-of-order': 'stroke="#0072B2" fill="#0072B2" stroke-width="1.6"',
    'retransmission': 'stroke="#D55E00" fill="none" stroke-width="1.8"',
    'partial-overlap': 'stroke="#E69F00" fill="#E69F00" stroke-width="1.6"',
    'control': 'stroke="#555" fill="none" stroke-width="1.4"'
  };

  Tsg.prototype.render = function () {
    var v = this.view, sg = this.c.segments, self = this, PW = GW - GL - GR;
    var a = '';
    ticks(v.x0, v.x1, 8).forEach(function (t) {
      var x = self.sx(t);
      a += '<line x1="' + x + '" x2="' + x + '" y1="' + GT + '" y2="' + (GH - GB) + '" stroke="#e2e2e2"/><text x="' + x + '" y="' + (GH - 10) + '" text-anchor="middle">' + secs(t) + '</text>';
    });
    ticks(v.y0, v.y1, 7).forEach(function (q) {
      var y = self.sy(q);
      a += '<line x1="' + GL + '" x2="' + (GW - GR) + '" y1="' + y + '" y2="' + y + '" stroke="#e2e2e2"/><text x="' + (GL - 6) + '" y="' + (y + 4) + '" text-anchor="end">' + short(q) + '</text>';
    });
    a += '<rect x="' + GL + '" y="' + GT + '" width="' + PW + '" height="' + (GH - GT - GB) + '" fill="none" stroke="#999"/>';
    a += '<text x="' + (GW - GR) + '" y="' + (GH - 0.5) + '" text-anchor="end">time since the first packet</text><text x="4" y="' + (GT + 10) + '">rel. seq</text>';
    this.axes.innerHTML = a;
    var p = '';
    var inX = function (t) { return t >= v.x0 - (v.x1 - v.x0) * 0.01 && t <= v.x1 + (v.x1 - v.x0) * 0.01; };
    this.holes.forEach(function (h, i) {
      var ya = self.sy(h.seq), yb = self.sy(h.seq + h.length);
      var hh = Math.max(3, ya - yb);
      p += '<rect data-kind="hole" data-i="' + i + '" x="' + GL + '" y="' + (ya - hh).toFixed(1) + '" width="' + PW + '" height="' + hh.toFixed(1) + '" fill="url(#phole)" fill-opacity="0.5" stroke="#D55E00" stroke-dasharray="4 3"/>';
    });
    // The receiver's acknowledgements and window: steps, from the other direction's segments.
    if (this.acks.length) {
      var al = '', wl = '', scale = this.scale;
      for (var j = 0; j < this.acks.length; j++) {
        var i = this.acks[j], x = self.sx(sg.t[i]).toFixed(1), ya = self.sy(sg.ack[i]).toFixed(1), yw = self.sy(sg.ack[i] + sg.win[i] * ((sg.flags[i] & 2) ? 1 : scale)).toFixed(1);
        al += (j === 0 ? 'M' + x + ' ' + ya : 'H' + x + 'V' + ya);
        wl += (j === 0 ? 'M' + x + ' ' + yw : 'H' + x + 'V' + yw);
      }
      p += '<path data-kind="window-line" d="' + wl + '" stroke="#777" stroke-dasharray="5 3" fill="none" stroke-width="1.2"/>';
      p += '<path data-kind="ack-line" d="' + al + '" stroke="#009E73" fill="none" stroke-width="1.6"/>';
    }
    for (var m = 0; m < this.mine.length; m++) {
      var k = this.mine[m];
      if (!inX(sg.t[k])) continue;
      var kind = KINDS[sg.kind[k]];
      p += '<path data-kind="' + kind + '" data-i="' + k + '" d="' + segmentPath(self.sx(sg.t[k]), self.sy(sg.seq[k]), self.sy(sg.seq[k] + sg.len[k]), kind, sg.flags[k]) + '" ' + KIND_STYLE[kind] + '/>';
    }
    this.conflicts.forEach(function (c, i) {
      var x = self.sx(c.t), ya = self.sy(c.seq), yb = self.sy(c.seq + c.length), hh = Math.max(4, ya - yb);
      p += '<rect data-kind="conflict" data-i="' + i + '" x="' + (x - 5).toFixed(1) + '" y="' + (ya - hh).toFixed(1) + '" width="10" height="' + hh.toFixed(1) + '" fill="#CC79A7" fill-opacity="0.45" stroke="#CC79A7" stroke-width="2"/>' +
        '<circle cx="' + x.toFixed(1) + '" cy="' + (ya - hh - 7).toFixed(1) + '" r="5" fill="#fff" stroke="#CC79A7" stroke-width="2.5"/>';
    });
    this.plot.innerHTML = p;
  };

  // --- connection sections: drawn when they come near the screen (a page of 40 graphs opens at once) ---
  var drawn = {};
  function drawConnection(id) {
    if (drawn[id]) return;
    var c = byId[id], host = document.querySelector('.graphs[data-id="' + id + '"]');
    if (!c || !host) return;
    drawn[id] = true;
    host.innerHTML = '';
    [0, 1].forEach(function (dir) {
      var fig = document.createElement('figure');
      fig.className = 'tsg-' + (dir === 0 ? 'c2s' : 's2c');
      host.appendChild(fig);
      new Tsg(fig, c, dir);
    });
    host.setAttribute('data-drawn', 'true');
  }
  function drawAll() { data.connections.forEach(function (c) { drawConnection(c.id); }); }

  function legendSwatches() {
    var el = document.querySelectorAll('.tsg-legend');
    var items = [['data', 'new data in order'], ['out-of-order', 'out of order (queued)'], ['retransmission', 'retransmission (all seen before)'],
      ['partial-overlap', 'partial overlap'], ['control', 'SYN (diamond), FIN (octagon), RST (cross)']];
    var s = items.map(function (it) {
      var kind = it[0], flags = kind === 'control' ? 2 : 0;
      return '<span><svg viewBox="0 0 26 14" aria-hidden="true"><path d="' + segmentPath(13, 13, kind === 'control' ? 13 : 4, kind, flags) + '" ' + KIND_STYLE[kind] + '/></svg>' + it[1] + '</span>';
    }).join('') +
      '<span><svg viewBox="0 0 26 14" aria-hidden="true">' + patterns() + '<rect x="1" y="3" width="24" height="8" fill="url(#phole)" stroke="#D55E00" stroke-dasharray="4 3"/></svg>hole (never seen)</span>' +
      '<span><svg viewBox="0 0 26 14" aria-hidden="true"><rect x="8" y="2" width="10" height="10" fill="#CC79A7" fill-opacity="0.45" stroke="#CC79A7" stroke-width="2"/></svg>conflict (copies differ)</span>' +
      '<span><svg viewBox="0 0 26 14" aria-hidden="true"><path d="M1 11H12V4H25" stroke="#009E73" fill="none" stroke-width="1.6"/></svg>ACK from the receiver</span>' +
      '<span><svg viewBox="0 0 26 14" aria-hidden="true"><path d="M1 9H12V3H25" stroke="#777" stroke-dasharray="5 3" fill="none" stroke-width="1.2"/></svg>ACK + advertised window</span>';
    el.forEach(function (e) { e.innerHTML = s; });
  }

  drawTimeline();
  drawBins();
  legendSwatches();
  if ('IntersectionObserver' in window) {
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) { if (e.isIntersecting) { drawConnection(+e.target.getAttribute('data-id')); io.unobserve(e.target); } });
    }, { rootMargin: '600px 0px' });
    document.querySelectorAll('.graphs[data-id]').forEach(function (g) { io.observe(g); });
  } else drawAll();
  function fromHash() { var m = /^#conn-(\d+)$/.exec(location.hash); if (m) drawConnection(+m[1]); }
  window.addEventListener('hashchange', fromHash);
  fromHash();
  window.addEventListener('beforeprint', drawAll);
  window.tcpreasmReport = { data: data, drawAll: drawAll, drawConnection: drawConnection };
  document.documentElement.setAttribute('data-ready', 'true');
})();
`;
