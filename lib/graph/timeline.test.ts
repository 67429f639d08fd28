import { describe, expect, it } from 'vitest';
import { timelineClass, TIMELINE_CLASSES, TimelineSample } from './timeline.js';

describe('TimelineSample', () => {
  it('keeps every connection up to its bound, sorted by start', () => {
    const s = new TimelineSample(10);
    for (let id = 0; id < 10; id++) s.add(id, 100 - id, 200, 4, id);
    const j = s.json();
    expect(j.sampled).toBe(false);
    expect(j.id).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it('samples uniformly past it, the same way every run, with the asked-for ones added', () => {
    const run = () => {
      const s = new TimelineSample(1000);
      for (let id = 0; id < 100_000; id++) s.add(id, id, id + 1, 4, 1);
      return s.json([{ id: -1, start: -1, end: 0, cls: 0, bytes: 5 }]);
    };
    const j = run();
    expect(j.sampled).toBe(true);
    expect(j.total).toBe(100_000);
    expect(j.id.length).toBe(1001);
    expect(j.id[0]).toBe(-1);
    expect(run().id).toEqual(j.id);
    // Uniform: each tenth of the ids holds about a tenth of the sample.
    const deciles = new Array<number>(10).fill(0);
    for (const id of j.id) if (id >= 0) deciles[Math.floor(id / 10_000)]!++;
    for (const d of deciles) expect(d).toBeGreaterThan(60);
  });

  it('classes a connection by the worst that happened to it', () => {
    const cls = (s: string, missing: number, conflicts: number) => TIMELINE_CLASSES[timelineClass(s, missing, conflicts)];
    expect(cls('closed', 1, 1)).toBe('conflicts');
    expect(cls('reset', 1, 0)).toBe('holes');
    expect(cls('reset', 0, 0)).toBe('reset');
    expect(cls('timed out', 0, 0)).toBe('timed out');
    expect(cls('closed', 0, 0)).toBe('complete');
    expect(cls('open at end', 0, 0)).toBe('other');
  });
});
