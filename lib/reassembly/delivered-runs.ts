/**
 * The delivered-data window of a direction whose bytes can be read back from the capture file: a ring of run
 * descriptors per direction, and no bytes and no pages. A run is one packet's piece of the window: where its
 * bytes are in the file and which packet brought them, so a conflict can read the old copy back and name it.
 *
 * Pages with a descriptor array each cost the window 106 ns a delivered packet on small segments (a page per 8
 * packets taken and released as ACKs empty the window); a slot in a ring the direction keeps is a few writes.
 */
import type { CaptureReadBack } from '../capture/read-back.js';
import type { HalfConnection } from './connection.js';
import { seqAdd, seqDiff } from './sequence.js';
import type { AssemblerStats } from './stats.js';

/**
 * Numbers per run: seq, length, tsSec, tsNsec, recordNumber, segment length (payload on the wire), the file
 * position of the byte at seq, and the index of its file in {@link DeliveredRuns.fileAt}.
 */
export const RUN_STRIDE = 8;
export const RUN_SEQ = 0;
export const RUN_LENGTH = 1;
export const RUN_TS_SEC = 2;
export const RUN_TS_NSEC = 3;
export const RUN_RECORD = 4;
export const RUN_SEGMENT_LENGTH = 5;
export const RUN_POSITION = 6;
export const RUN_FILE = 7;

/** Runs of a direction's first ring; rings double from there up to the per-direction bound. */
const MIN_RUNS = 8;
/** Run slots of the free rings kept for reuse, all sizes together (2 MB): a burst does not pin its peak. */
export const MAX_FREE_RUNS = 32768;

/** The run rings of all directions of one assembler, their bounds and their reuse. */
export class DeliveredRuns {
  private readonly stats: AssemblerStats;
  /** Runs a direction's ring holds at most (a power of two). */
  readonly maxRunsPerHalf: number;
  /** Run slots of all rings together at most. */
  readonly maxRunsTotal: number;
  /** Free rings by size: free[k] holds rings of MIN_RUNS << k runs; freeRuns counts their slots. */
  private readonly free: Float64Array[][] = [];
  private freeRuns = 0;
  /** The files runs are read back from, so a run stores a small index, not a reference; and their indexes. */
  private readonly files: CaptureReadBack[] = [];
  private readonly fileIndexes = new WeakMap<CaptureReadBack, number>();
  private lastFile: CaptureReadBack | null = null;
  private lastFileIndex = -1;

  constructor(stats: AssemblerStats, maxRunsPerHalf: number, maxRunsTotal: number) {
    this.stats = stats;
    let n = MIN_RUNS;
    while (n < maxRunsPerHalf) n *= 2;
    this.maxRunsPerHalf = n;
    this.maxRunsTotal = maxRunsTotal;
  }

  /** The file of a run's RUN_FILE index. */
  fileAt(index: number): CaptureReadBack {
    return this.files[index]!;
  }

  /**
   * Appends a run of `len` delivered bytes from `seq` (which follows the window's end), at `filePosition` in
   * `readBack`, to the direction's window. False: no room for it.
   */
  append(
    half: HalfConnection, seq: number, len: number, tsSec: number, tsNsec: number, recordNumber: number,
    segmentLength: number, readBack: CaptureReadBack, filePosition: number,
  ): boolean {
    let r = half.runs;
    if (r === null || half.runCount > half.runMask) {
      if (!this.grow(half)) {
        // At its bound: the oldest run makes room, unless there is none to give.
        if (half.runCount === 0) return false;
        this.dropHead(half, half.runs![this.slot(half, 0) + RUN_LENGTH]!);
      }
      r = half.runs!;
    }
    const i = this.slot(half, half.runCount);
    r[i + RUN_SEQ] = seq;
    r[i + RUN_LENGTH] = len;
    r[i + RUN_TS_SEC] = tsSec;
    r[i + RUN_TS_NSEC] = tsNsec;
    r[i + RUN_RECORD] = recordNumber;
    r[i + RUN_SEGMENT_LENGTH] = segmentLength;
    r[i + RUN_POSITION] = filePosition;
    r[i + RUN_FILE] = readBack === this.lastFile ? this.lastFileIndex : this.fileIndex(readBack);
    half.runCount++;
    half.deliveredBytes += len;
    return true;
  }

  /** Drops `n` bytes (at most all the runs hold) from the front of the direction's runs. */
  dropHead(half: HalfConnection, n: number): void {
    if (n >= half.deliveredBytes) {
      // All of it (an ACK of everything sent, the common case): no run need be read.
      half.deliveredStart = seqAdd(half.deliveredStart, half.deliveredBytes);
      half.deliveredBytes = 0;
      half.runHead = 0;
      half.runCount = 0;
    }
    const r = half.runs;
    while (n > 0 && half.runCount > 0) {
      const i = this.slot(half, 0);
      const len = r![i + RUN_LENGTH]!;
      if (n >= len) {
        n -= len;
        half.deliveredStart = seqAdd(half.deliveredStart, len);
        half.deliveredBytes -= len;
        this.dropFirstRun(half);
      } else {
        r![i + RUN_SEQ] = seqAdd(r![i + RUN_SEQ]!, n);
        r![i + RUN_LENGTH] = len - n;
        r![i + RUN_POSITION] = r![i + RUN_POSITION]! + n;
        half.deliveredStart = seqAdd(half.deliveredStart, n);
        half.deliveredBytes -= n;
        n = 0;
      }
    }
    // An empty ring is kept for the direction's next data, unless rings hold more than half the bound.
    if (half.runCount === 0 && this.stats.windowRuns > this.maxRunsTotal / 2) this.release(half);
  }

  /** Forgets the direction's runs, keeping its ring. */
  clear(half: HalfConnection): void {
    half.runHead = 0;
    half.runCount = 0;
  }

  /** Forgets the direction's runs and returns its ring for reuse. */
  release(half: HalfConnection): void {
    this.clear(half);
    const r = half.runs;
    if (r === null) return;
    half.runs = null;
    half.runMask = -1;
    this.stats.windowRuns -= r.length / RUN_STRIDE;
    this.keep(r);
  }

  /** Ring index (into half.runs) of the `k`-th run from the front. */
  slot(half: HalfConnection, k: number): number {
    return ((half.runHead + k) & half.runMask) * RUN_STRIDE;
  }

  /** The position (from the front) of the run holding `seq`, which the window holds. */
  runAt(half: HalfConnection, seq: number): number {
    const r = half.runs!;
    const d = seqDiff(half.deliveredStart, seq);
    let lo = 0;
    let hi = half.runCount - 1;
    // The last run starting at or before seq: run starts are increasing offsets from deliveredStart.
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (seqDiff(half.deliveredStart, r[this.slot(half, mid) + RUN_SEQ]!) <= d) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private dropFirstRun(half: HalfConnection): void {
    half.runHead = (half.runHead + 1) & half.runMask;
    half.runCount--;
    if (half.runCount === 0) half.runHead = 0;
  }

  /** Doubles the direction's ring (or gives it its first); false at a bound. */
  private grow(half: HalfConnection): boolean {
    const old = half.runs;
    const had = half.runMask + 1;
    const runs = had === 0 ? MIN_RUNS : had * 2;
    if (runs > this.maxRunsPerHalf) return false;
    const s = this.stats;
    if (s.windowRuns + runs - had > this.maxRunsTotal) {
      s.windowPageLimitHits++;
      return false;
    }
    const r = this.take(runs);
    for (let k = 0; k < half.runCount; k++) {
      const from = this.slot(half, k);
      for (let j = 0; j < RUN_STRIDE; j++) r[k * RUN_STRIDE + j] = old![from + j]!;
    }
    half.runs = r;
    half.runMask = runs - 1;
    half.runHead = 0;
    if (old !== null) this.keep(old);
    s.windowRuns += runs - had;
    if (s.windowRuns > s.windowRunsPeak) s.windowRunsPeak = s.windowRuns;
    return true;
  }

  /** Run slots of the free rings kept for reuse. */
  get freeRunSlots(): number {
    return this.freeRuns;
  }

  private take(runs: number): Float64Array {
    const r = this.free[sizeClass(runs)]?.pop();
    if (r === undefined) return new Float64Array(runs * RUN_STRIDE);
    this.freeRuns -= runs;
    return r;
  }

  private keep(r: Float64Array): void {
    const runs = r.length / RUN_STRIDE;
    if (this.freeRuns + runs > MAX_FREE_RUNS) return;
    (this.free[sizeClass(runs)] ??= []).push(r);
    this.freeRuns += runs;
  }

  /** The index of `readBack` (a set of captures merged record by record switches file on every packet). */
  private fileIndex(readBack: CaptureReadBack): number {
    let i = this.fileIndexes.get(readBack);
    if (i === undefined) {
      i = this.files.push(readBack) - 1;
      this.fileIndexes.set(readBack, i);
    }
    this.lastFile = readBack;
    this.lastFileIndex = i;
    return i;
  }
}

function sizeClass(runs: number): number {
  return Math.log2(runs / MIN_RUNS);
}
