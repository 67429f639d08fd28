import { readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapBuilder } from '../../test/support/capture-builder.js';
import { readCaptureSet } from './capture-set.js';
import { inputOfRef, recordOfRef } from './record-ref.js';

const dir = mkdtempSync(join(tmpdir(), 'tcpreasm-set-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A capture of `n` records at `start`, `start + step`, ... (seconds); each record's byte 0 says which file. */
function file(name: string, tag: number, start: number, step: number, n: number): string {
  const b = new PcapBuilder();
  for (let i = 0; i < n; i++) {
    const t = start + i * step;
    b.record({ tsSec: Math.floor(t), tsFrac: Math.round((t - Math.floor(t)) * 1e6), data: Buffer.alloc(60, tag) });
  }
  const path = join(dir, name);
  writeFileSync(path, b.build());
  return path;
}

/** Files of the set open in this process right now. */
function openFiles(paths: readonly string[]): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (paths.includes(readlinkSync(`/proc/self/fd/${fd}`))) n++;
    } catch {
      // Closed meanwhile.
    }
  }
  return n;
}

describe('readCaptureSet', () => {
  it('a ring is read in time order, one file open at a time, records numbered in their own file', async () => {
    // Ten files of 3000 records (several read chunks each), named against time order.
    const ring = Array.from({ length: 10 }, (_, i) => file(`ring-${9 - i}.pcap`, i, 1000 + i * 100, 0.01, 3000));
    const order: number[] = [];
    let lastT = -Infinity;
    let maxOpen = 0;
    let seen = 0;
    const r = await readCaptureSet([...ring].reverse(), (rec) => {
      const t = rec.tsSec + rec.tsNsec * 1e-9;
      expect(t).toBeGreaterThanOrEqual(lastT);
      lastT = t;
      const tag = rec.buf[rec.offset]!;
      if (order[order.length - 1] !== tag) order.push(tag);
      expect(inputOfRef(rec.recordNumber)).toBe(tag);
      expect(recordOfRef(rec.recordNumber)).toBe((seen % 3000) + 1);
      seen++;
      if (seen % 500 === 0) maxOpen = Math.max(maxOpen, openFiles(ring));
    }, {});
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen).toBe(30_000);
    expect(maxOpen).toBe(1);
    expect(r.inputs.map((i) => i.records)).toEqual(Array(10).fill(3000));
    expect(r.read.records).toBe(30_000);
    expect(openFiles(ring)).toBe(0);
  });

  it('overlapping files are merged record by record; ties keep the first file first', async () => {
    const a = file('a.pcap', 1, 2000, 0.002, 5000);
    const b = file('b.pcap', 2, 2000.001, 0.002, 5000);
    const c = file('c.pcap', 3, 2000, 0.004, 2500);
    const tags: number[] = [];
    let last = -Infinity;
    await readCaptureSet([c, b, a], (rec) => {
      const t = rec.tsSec * 1e6 + rec.tsNsec / 1e3;
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
      tags.push(rec.buf[rec.offset]!);
    });
    expect(tags).toHaveLength(12_500);
    // c was named first: at equal times (every 4 ms) its record comes before a's.
    expect(tags.slice(0, 4)).toEqual([3, 1, 2, 1]);
  });

  it('progress counts the bytes of every file; a stop ends it with every file closed', async () => {
    const files = [file('p1.pcap', 1, 3000, 0.01, 4000), file('p2.pcap', 2, 3100, 0.01, 4000)];
    let progress = 0;
    await readCaptureSet(files, () => {}, { onProgress: (n) => (progress = n) });
    expect(progress).toBe(statSync(files[0]!).size + statSync(files[1]!).size);
    const stop = new AbortController();
    let n = 0;
    const r = await readCaptureSet(files, () => {
      if (++n === 5000) stop.abort();
    }, { signal: stop.signal });
    expect(r.read.aborted).toBe(true);
    expect(n).toBeLessThan(8000);
    expect(openFiles(files)).toBe(0);
  });
});
