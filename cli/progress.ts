import { counted, formatBytes, formatRate } from '../lib/report/format.js';

/** Where the progress line goes: stderr by default. */
export interface ProgressStream {
  isTTY?: boolean;
  /** Terminal width; the line is cut to fit so it never wraps (a wrapped line cannot be redrawn with \r). */
  columns?: number;
  write(text: string): unknown;
}

/** Progress settings. */
export interface ProgressOptions {
  /** Default: process.stderr. Nothing is drawn unless `stream.isTTY`. */
  stream?: ProgressStream;
  /** Size of the input in bytes, for the bar and the percentage; omit or 0 when unknown (stdin). */
  totalBytes?: number;
  /** Least time between redraws. Default 100 ms (10 redraws a second). */
  intervalMs?: number;
  /** False turns it off whatever the stream (`--quiet`). Default true. */
  enabled?: boolean;
  /** Milliseconds clock; tests inject one. Default performance.now. */
  now?: () => number;
}

/** A progress display for a long pass. */
export interface Progress {
  /** True when something will be drawn (stream is a terminal and not disabled). */
  readonly active: boolean;
  /**
   * Current totals. Cheap enough to call for every packet: it only stores the numbers, reads the clock
   * every 64th call, and redraws at most every `intervalMs`.
   */
  update(bytesRead: number, packets: number, connections: number): void;
  /** Removes the line, leaving the terminal as it was. Call before printing the report. */
  done(): void;
}

const NOOP: Progress = { active: false, update() {}, done() {} };
const CHECK_EVERY = 64;

/** A progress bar on a terminal; a no-op when the stream is not a terminal (piped, redirected, CI). */
export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.enabled === false || stream.isTTY !== true) return NOOP;
  return new TerminalProgress(stream, options);
}

/** `  ETA 1m05s` from the bytes left and the rate so far; empty before a second has passed or when done. */
export function etaText(left: number, done: number, elapsedNs: number): string {
  if (left <= 0 || done <= 0 || elapsedNs < 1e9) return '';
  const s = Math.round((left / done) * (elapsedNs / 1e9));
  const two = (n: number): string => String(n).padStart(2, '0');
  const text = s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${two(s % 60)}s` : `${Math.floor(s / 3600)}h${two(Math.floor(s / 60) % 60)}m`;
  return `  ETA ${text}`;
}

class TerminalProgress implements Progress {
  readonly active = true;
  private readonly total: number;
  private readonly interval: number;
  private readonly now: () => number;
  private readonly start: number;
  private last: number;
  private calls = 0;
  private drawn = false;
  private finished = false;
  private bytes = 0;
  private packets = 0;
  private connections = 0;

  constructor(
    private readonly stream: ProgressStream,
    options: ProgressOptions,
  ) {
    this.total = options.totalBytes !== undefined && options.totalBytes > 0 ? options.totalBytes : 0;
    this.interval = options.intervalMs ?? 100;
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
    this.last = this.start;
  }

  update(bytesRead: number, packets: number, connections: number): void {
    this.bytes = bytesRead;
    this.packets = packets;
    this.connections = connections;
    if (this.finished || ++this.calls % CHECK_EVERY !== 0) return;
    const t = this.now();
    if (t - this.last < this.interval) return;
    this.last = t;
    this.draw(t);
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.drawn) this.stream.write('\r\u001b[K');
  }

  private draw(t: number): void {
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    const elapsedNs = (t - this.start) * 1e6;
    const stats = `${counted(this.packets, 'packet')}  ${counted(this.connections, 'connection')}  ${formatRate(this.bytes, elapsedNs)}`;
    let line: string;
    if (this.total > 0) {
      const frac = Math.min(1, this.bytes / this.total);
      const pct = `${Math.floor(frac * 100)}%`.padStart(4);
      const amounts = `${formatBytes(this.bytes)} / ${formatBytes(this.total)}`;
      const eta = etaText(this.total - this.bytes, this.bytes, elapsedNs);
      const text = `${pct} ${amounts}  ${stats}${eta}`;
      const barWidth = Math.min(30, width - text.length - 3);
      line = barWidth >= 5 ? `[${'#'.repeat(Math.round(frac * barWidth)).padEnd(barWidth, '.')}] ${text}` : text;
    } else {
      line = `${formatBytes(this.bytes)} read  ${stats}`;
    }
    if (line.length > width) line = line.slice(0, width);
    this.stream.write(`\r${line}\u001b[K`);
    this.drawn = true;
  }
}
