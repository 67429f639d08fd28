import type { PhaseCounts } from './paths.js';

/** Phases in the order the table shows them. */
export const PHASES = ['scan', 'read', 'decode', 'analyze', 'export', 'copy'] as const;
export type Phase = (typeof PHASES)[number];

/** One timed run of a phase. */
export interface RunReport extends PhaseCounts {
  ms: number;
}

/** What a child reports for one phase of one workload. */
export interface PhaseReport {
  workload: string;
  phase: Phase;
  /** Which implementation ran (e.g. readCapture or the bench's CaptureParser loop). */
  impl: string;
  runs: RunReport[];
  /** Peak resident set size of the process over warm-up and runs, in bytes. */
  peakRss: number;
  /** Set when the phase could not run. */
  unavailable?: string;
  error?: string;
}
