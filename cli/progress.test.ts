import { describe, it, expect } from 'vitest';
import { createProgress, etaText, type ProgressStream } from './progress.js';

function fakeTerminal(isTTY: boolean, columns = 120) {
  const out: string[] = [];
  const stream: ProgressStream = { isTTY, columns, write: (s: string) => out.push(s) };
  return { stream, out };
}

/** Drives `calls` updates, the clock advancing `stepMs` each, bytes growing 1000 each. */
function drive(p: ReturnType<typeof createProgress>, clock: { t: number }, calls: number, stepMs: number) {
  for (let i = 1; i <= calls; i++) {
    clock.t += stepMs;
    p.update(i * 1000, i, Math.floor(i / 10));
  }
}

describe('ETA', () => {
  it.each([
    [3_600_000, 6_400_000, 6.4e9, '  ETA 4s'],
    [90e6, 10e6, 10e9, '  ETA 1m30s'],
    [9e9, 1e9, 1000e9, '  ETA 2h30m'],
    [0, 1e6, 5e9, ''],
    [1e6, 1e6, 0.5e9, ''],
  ])('%d left after %d in %d ns: %j', (left, done, ns, want) => {
    expect(etaText(left, done, ns)).toBe(want);
  });
});

describe('progress on stderr', () => {
  it('draws nothing when the stream is not a terminal (piped)', () => {
    const { stream, out } = fakeTerminal(false);
    const p = createProgress({ stream, totalBytes: 1e6 });
    p.update(1, 1, 1);
    p.done();
    expect(p.active).toBe(false);
    expect(out).toEqual([]);
  });

  it('draws nothing when disabled (--quiet), even on a terminal', () => {
    const { stream, out } = fakeTerminal(true);
    const p = createProgress({ stream, enabled: false });
    for (let i = 0; i < 1000; i++) p.update(i, i, i);
    p.done();
    expect(out).toEqual([]);
  });

  it('redraws at most every 100 ms of clock, with bar, percentage, sizes, packets, connections, rate', () => {
    const { stream, out } = fakeTerminal(true);
    const clock = { t: 0 };
    const p = createProgress({ stream, totalBytes: 10_000_000, now: () => clock.t });
    drive(p, clock, 6400, 1); // 6.4 s of clock, one update a millisecond
    // One draw per 100 ms at most; the clock is read every 64 calls, so draws land every 128 ms here.
    expect(out.length).toBeGreaterThanOrEqual(40);
    expect(out.length).toBeLessThanOrEqual(64);
    const last = out[out.length - 1];
    expect(last.startsWith('\r[')).toBe(true);
    expect(last.endsWith('\u001b[K')).toBe(true);
    // 6 400 000 of 10 000 000 bytes at 1 MB/s
    // 3.6 MB left at 1 MB/s.
    expect(last).toContain(']  64% 6.40 MB / 10.0 MB  6,400 packets  640 connections  1.00 MB/s  ETA 4s');
    expect(last).toMatch(/\[#{19}\.{11}\]/); // 64% of a 30-character bar
    p.done();
    expect(out[out.length - 1]).toBe('\r\u001b[K');
    const n = out.length;
    p.update(1, 1, 1);
    p.done();
    expect(out.length).toBe(n); // nothing after done
  });

  it('without a known size (stdin): bytes read, no bar', () => {
    const { stream, out } = fakeTerminal(true);
    const clock = { t: 0 };
    const p = createProgress({ stream, now: () => clock.t });
    drive(p, clock, 640, 1);
    expect(out[out.length - 1]).toBe('\r640 kB read  640 packets  64 connections  1.00 MB/s\u001b[K');
  });

  it('never wider than the terminal (a wrapped line cannot be redrawn)', () => {
    const { stream, out } = fakeTerminal(true, 40);
    const clock = { t: 0 };
    const p = createProgress({ stream, totalBytes: 1e9, now: () => clock.t });
    drive(p, clock, 640, 1);
    expect(out.length).toBeGreaterThan(0);
    for (const s of out) expect(s.replace('\r', '').replace('\u001b[K', '').length).toBeLessThanOrEqual(39);
  });

  it('leaves no trace when it never drew', () => {
    const { stream, out } = fakeTerminal(true);
    const p = createProgress({ stream, now: () => 0 });
    p.update(1, 1, 1);
    p.done();
    expect(out).toEqual([]);
  });
});
