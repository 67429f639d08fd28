import { describe, expect, it } from 'vitest';
import { kindCode, MIN_SEGMENTS, SegmentLog } from './segment-log.js';

const ACK = 0x10;

/** n data segments of 100 bytes, one every millisecond; every `markEvery`-th marked a retransmission. */
function fill(log: SegmentLog, n: number, markEvery = 0): void {
  for (let i = 0; i < n; i++) {
    log.add(1000, i * 1_000_000, i + 1, 0, 1 + i * 100, 5, 100, 512, ACK);
    if (markEvery > 0 && i % markEvery === 0) log.mark(kindCode('retransmission'));
  }
}

describe('SegmentLog', () => {
  it('keeps every segment below its bound, exact to the nanosecond', () => {
    const log = new SegmentLog(1000);
    log.add(1700000000, 999_999_999, 7, 0, 0xfffffff0, 1, 0, 100, 0x02);
    log.add(1700000001, 1, 9, 0, 0xfffffff1, 1, 20, 100, ACK);
    const c = log.columns([0xfffffff0, 0]);
    expect(c.t).toEqual([0, 2e-9]);
    expect(c.record).toEqual([7, 9]);
    expect(c.seq).toEqual([0, 1]);
    expect(c.kind).toEqual([kindCode('control'), kindCode('data')]);
    // No ACK flag: no acknowledgement number.
    expect(c.ack).toEqual([null, 1]);
    expect(log.total).toBe(2);
  });

  it('unwraps sequence numbers past 4 GiB', () => {
    const log = new SegmentLog(100);
    const step = 0x40000000;
    for (let i = 0; i < 6; i++) log.add(1, i, i, 1, (i * step) >>> 0, 0, 1000, 0, 0);
    expect(log.columns([0, 0]).seq).toEqual([0, 1, 2, 3, 4, 5].map((i) => i * step));
  });

  it('thins evenly past its bound, and keeps every mark while marks are few', () => {
    const log = new SegmentLog(MIN_SEGMENTS);
    fill(log, 1000, 100);
    const c = log.columns([0, 0]);
    expect(c.t.length).toBeLessThanOrEqual(MIN_SEGMENTS);
    expect(log.total).toBe(1000);
    expect(log.strides[1]).toBe(1);
    expect(log.strides[0]).toBeGreaterThanOrEqual(16);
    expect(c.kind.filter((k) => k === kindCode('retransmission')).length).toBe(10);
    // Evenly: the kept plain segments are a stride apart.
    const plain = c.record.filter((_, i) => c.kind[i] === kindCode('data'));
    const gaps = new Set(plain.slice(1).map((r, i) => r - plain[i]!));
    expect(gaps.size).toBeLessThanOrEqual(2);
    for (let i = 1; i < c.t.length; i++) expect(c.t[i]).toBeGreaterThan(c.t[i - 1]!);
  });

  it('thins the marks too when they alone fill it', () => {
    const log = new SegmentLog(MIN_SEGMENTS);
    fill(log, 1000, 1);
    expect(log.length).toBeLessThanOrEqual(MIN_SEGMENTS);
    expect(log.length).toBeGreaterThan(MIN_SEGMENTS / 4);
    expect(log.strides[1]).toBeGreaterThan(1);
  });

  it('starts clean after reset', () => {
    const log = new SegmentLog(MIN_SEGMENTS);
    fill(log, 500);
    log.reset();
    fill(log, 3);
    expect(log.length).toBe(3);
    expect(log.strides).toEqual([1, 1]);
    expect(log.columns([0, 0]).record).toEqual([1, 2, 3]);
  });

  it('refuses a bound too small to draw', () => {
    expect(() => new SegmentLog(10)).toThrow(RangeError);
  });
});
