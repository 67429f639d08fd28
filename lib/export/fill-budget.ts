/** Which bound kept a hole from being filled with zeros (`--fill-gaps`). */
export type FillLimit = 'hole' | 'stream' | 'run';

/** Bounds on the zeros `--fill-gaps` writes. */
export interface FillBounds {
  /** Largest hole filled (tcpflow's `-m`). Default 16 MiB. */
  maxFillBytes?: number;
  /** Most zeros in one stream file. Default 64 MiB. */
  maxFillPerStream?: number;
  /**
   * Most zeros in the whole export. Default: 64 MiB plus the stream bytes written so far, so the output folder
   * stays within about twice the capture's payload whatever its holes claim.
   */
  maxFillTotal?: number;
  /** The default total's allowance before any data (a shard of a run in workers gets its share). @internal */
  runFillBase?: number;
}

export const DEFAULT_MAX_FILL_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_FILL_PER_STREAM = 64 * 1024 * 1024;
/** The run's allowance before any data: the default total bound is this plus the stream bytes written. */
export const RUN_FILL_BASE = 64 * 1024 * 1024;

/**
 * The zeros a run may still write for holes. Without a total, a 56.8 kB capture of crafted holes made 6.69 GB
 * of zeros (16 MiB for each hole it claimed); now each hole is checked against three bounds, and one past any of
 * them stays a hole (listed with `filled: false` and the bound that refused it).
 */
export class FillBudget {
  private readonly perHole: number;
  private readonly perStream: number;
  private readonly total: number | null;
  private readonly base: number;
  /** Zeros written (or left as sparse holes) for holes, in all files. */
  filledBytes = 0;
  /** Stream bytes handed to the files (the base of the default total bound). */
  dataBytes = 0;
  /** Holes that a bound kept unfilled, and their bytes. */
  refusedHoles = 0;
  refusedBytes = 0;
  /** The first bound that refused a hole (for the one warning), or null. */
  firstRefusal: FillLimit | null = null;

  constructor(bounds: FillBounds = {}) {
    this.perHole = bounds.maxFillBytes ?? DEFAULT_MAX_FILL_BYTES;
    this.perStream = bounds.maxFillPerStream ?? DEFAULT_MAX_FILL_PER_STREAM;
    this.total = bounds.maxFillTotal ?? null;
    this.base = bounds.runFillBase ?? RUN_FILL_BASE;
  }

  /** The bound on the whole run now. */
  get totalBound(): number {
    return this.total ?? this.base + this.dataBytes;
  }

  /**
   * May a hole of `length` bytes be filled in a stream that has had `streamFilled` zeros? Null when yes (the
   * zeros are counted), else the bound that refuses it (the hole is counted as refused).
   */
  take(length: number, streamFilled: number): FillLimit | null {
    const refusal: FillLimit | null =
      length > this.perHole ? 'hole' : streamFilled + length > this.perStream ? 'stream' : this.filledBytes + length > this.totalBound ? 'run' : null;
    if (refusal === null) {
      this.filledBytes += length;
      return null;
    }
    this.refusedHoles++;
    this.refusedBytes += length;
    this.firstRefusal ??= refusal;
    return refusal;
  }
}
