/** Assertion helpers for decoder tests. */
import { expect } from 'vitest';
import type { DecodeStats } from '../../lib/decode/stats.js';

/** Every record ends in exactly one outcome, and the by-kind tables add up to their totals. */
export function expectBalanced(s: DecodeStats): void {
  expect(s.tcp + s.nonTcp + s.malformed + s.checksumFailed + s.fragmentsHeld).toBe(s.packets);
  expect(s.nonTcpCounts.reduce((a, b) => a + b, 0)).toBe(s.nonTcp);
  expect(s.malformedCounts.reduce((a, b) => a + b, 0)).toBe(s.malformed);
}

/** The only non-zero entries of a by-kind table, for compact assertions. */
export function nonZero(table: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(table).filter(([, v]) => v !== 0));
}
