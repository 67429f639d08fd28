import { describe, expect, it } from 'vitest';
import { HeldRows } from './held-rows.js';
import { ROW_FIELDS } from '../schema/row.js';

describe('held row slots', () => {
  it('each live slot keeps its own numbers; freed slots are reused before the blocks grow', () => {
    const h = new HeldRows();
    const live = new Map<number, number>();
    const write = (slot: number, tag: number) => {
      h.values(slot).fill(tag, h.offset(slot), h.offset(slot) + ROW_FIELDS);
      live.set(slot, tag);
    };
    // 3000 rows (three blocks), then release every other one and take as many again.
    for (let i = 0; i < 3000; i++) write(h.alloc(), i);
    const bytes = h.bytes;
    for (let s = 0; s < 3000; s += 2) {
      h.release(s);
      live.delete(s);
    }
    for (let i = 0; i < 1500; i++) {
      const s = h.alloc();
      expect(live.has(s)).toBe(false);
      write(s, 10_000 + i);
    }
    expect(h.bytes).toBe(bytes);
    for (const [s, tag] of live) {
      const v = h.values(s).subarray(h.offset(s), h.offset(s) + ROW_FIELDS);
      expect(v.every((x) => x === tag)).toBe(true);
    }
  });
});
