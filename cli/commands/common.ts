/**
 * What every command shares: turning arguments into pass options, the selection filter, warnings on stderr,
 * the progress bar, Ctrl-C, and the mapping of failures to exit codes.
 */
import { constants as osConstants } from 'node:os';
import { captureSize, CaptureError, expandInputs, type Diagnostic } from '../../lib/capture/index.js';
import { ExportError } from '../../lib/export/index.js';
import { connectionFilter, SelectionError } from '../../lib/report/index.js';
import { hadWarnings, type ConnectionSelector, type PassInput, type PassOptions, type RunSummary, type TimeBound } from '../../lib/pipeline/index.js';
import { parseTimeBound } from '../time-bound.js';
import { parseDuration } from '../duration.js';
import { ExitCode } from '../exit-codes.js';
import { createProgress, type Progress } from '../progress.js';
import { WarningLimiter } from '../warnings.js';

/** Parsed options every command has (yargs gives both spellings; these are the camelCase ones). */
export interface CommonArgs {
  /** Captures: files, folders (their files), `-` for standard input; read as one timeline. */
  captures: string[];
  /** A pcap-filter expression (the words after the captures and `--filter`, joined). */
  filter?: string;
  /** Capture-time window (see cli/time-bound.ts). */
  since?: string;
  until?: string;
  format: 'table' | 'json' | 'csv';
  maxPagesTotal?: number;
  maxPagesPerConn?: number;
  maxConnections?: number;
  flushAfter: string;
  closeAfter: string;
  allowMissingInit: boolean;
  /** Which RSTs end a connection (the engine's rstPolicy); the engine's default when absent. */
  rstPolicy?: 'evidence' | 'in-window' | 'any';
  checkState: boolean;
  checkOptions: boolean;
  checksum: boolean;
  resync: boolean;
  strict: boolean;
  quiet: boolean;
  progress?: boolean;
  host?: string[];
  port?: number[];
  id?: number[];
}

/** Where a command writes: stdout for data, stderr for warnings (injectable for tests). */
export interface Output {
  out(text: string): void;
  /** Bytes on stdout; they may be a view into reused memory, so an implementation that keeps them copies. */
  bytes?(data: Uint8Array): void;
  err(text: string): void;
  /** Resolves when stdout can take more (back-pressure from a slow pipe or terminal). */
  drain?(): Promise<void> | void;
  /** True once the reader of stdout has gone away (EPIPE: `| head`). */
  closed?(): boolean;
}

let stdoutClosed = false;
let stdoutWatched = false;

/** Notes EPIPE on stdout instead of letting it end the process with a stack trace. */
function watchStdout(): void {
  if (stdoutWatched) return;
  stdoutWatched = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') stdoutClosed = true;
    else throw e;
  });
}

export const processOutput: Output = {
  out: (t) => {
    watchStdout();
    if (!stdoutClosed) process.stdout.write(t);
  },
  bytes: (b) => {
    watchStdout();
    if (!stdoutClosed) process.stdout.write(Buffer.from(b));
  },
  err: (t) => void process.stderr.write(t),
  drain: () => {
    watchStdout();
    if (stdoutClosed || !process.stdout.writableNeedDrain) return;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        process.stdout.off('drain', done);
        process.stdout.off('error', done);
        resolve();
      };
      process.stdout.once('drain', done);
      process.stdout.once('error', done);
    });
  },
  closed: () => stdoutClosed,
};

/** Columns of the terminal a table is fitted to: stdout's when it is one, else $COLUMNS, else 80. */
export function terminalWidth(): number {
  if (process.stdout.isTTY && process.stdout.columns > 0) return process.stdout.columns;
  const env = Number(process.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : 80;
}

/** A usage problem found after parsing (bad --sort, bad --host): exit code 1. */
export class UsageError extends Error {}

/** Runs `f`, turning a SelectionError (a bad --sort, --host, ...) into a usage error. */
export function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SelectionError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * The --host / --port / --id filter as the pass's selection: a connection matches when it matches one of the
 * hosts (if any are given), one of the ports (if any) and one of the ids (if any). Undefined when no filter was
 * given. Throws UsageError for a value that cannot match anything (a typo must not give an empty report).
 */
export function selection(args: CommonArgs): ConnectionSelector | undefined {
  return asUsage(() => connectionFilter({ hosts: args.host, ports: args.port, ids: args.id, expression: args.filter })) ?? undefined;
}

/** A `--since` / `--until` value, or a UsageError naming the text given. */
function timeBound(option: string, text: string | undefined): TimeBound | undefined {
  if (text === undefined) return undefined;
  const b = parseTimeBound(text);
  if (b === null) throw new UsageError(`--${option}: not a time: "${text}" (use epoch seconds, ISO 8601 such as 2026-03-01T10:00:00Z, or +10m from the capture's start)`);
  return b;
}

/** `tcpreasm: warning: FILE: record 240 at offset 202104: last record cut short: ...` */
export function warningLine(source: string, d: Diagnostic): string {
  const prefix = `${source}: offset ${d.fileOffset}, record ${d.recordNumber}: `;
  const what = d.message.startsWith(prefix) ? d.message.slice(prefix.length) : d.message;
  const where = d.recordNumber > 0 ? `record ${d.recordNumber} at offset ${d.fileOffset}` : `offset ${d.fileOffset}`;
  return `tcpreasm: warning: ${source}: ${where}: ${what} [${d.code}]\n`;
}

/** Everything a command needs around its pass. */
export interface RunContext {
  /** What the pass reads: the one capture, or the files of the set. */
  input: PassInput;
  options: PassOptions;
  progress: Progress;
  /** Call when the pass is over: removes the progress line and the signal handlers. */
  done(): void;
  /** The signal that stopped the run (SIGINT, SIGTERM, SIGHUP), or null. */
  stoppedBy(): NodeJS.Signals | null;
  /** Stops reading as Ctrl-C does, for a reason of the command's own (its output went away). */
  stop(reason: string): void;
}

/** Signals that stop a run the way Ctrl-C does: finish what was read, write the record, exit 128 + signal. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Pass options from the arguments, with the warning printer, the progress bar and Ctrl-C wired in. */
export function runContext(args: CommonArgs, io: Output): RunContext {
  const select = selection(args);
  const since = timeBound('since', args.since);
  const until = timeBound('until', args.until);
  // Folders become their files here, so a missing path fails before anything is read.
  const { files, fromFolder } = expandInputs(args.captures);
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('standard input (-) can be read only once');
  const input: PassInput = files.length === 1 ? files[0]! : files;
  const source = files.length === 1 ? files[0]! : `${files.length} captures`;
  let total = 0;
  // The reader reports unreadable input with a proper message; it only counts as 0 bytes here.
  for (const f of files) total += captureSize(f) ?? 0;
  const progress = createProgress({ totalBytes: total, enabled: !args.quiet && args.progress !== false });
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | null = null;
  const unlisten = (): void => {
    for (const s of STOP_SIGNALS) process.removeListener(s, onSignal);
  };
  // A second signal finds no handler: its default action ends the process at once.
  function onSignal(sig: NodeJS.Signals): void {
    progress.done();
    const again = sig === 'SIGINT' ? 'Ctrl-C again' : `${sig} again`;
    io.err(`tcpreasm: interrupted${sig === 'SIGINT' ? '' : ` by ${sig}`}: finishing what was read (${again} to quit at once)\n`);
    unlisten();
    stoppedBy ??= sig;
    controller.abort(`interrupted by ${sig}`);
  }
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  const warnings = new WarningLimiter((t) => io.err(t), source, (d) => warningLine(d.source ?? source, d));
  const options: PassOptions = {
    sourceName: source,
    since,
    until,
    fromFolder,
    onSkipped: args.quiet ? undefined : (sk) => io.err(`tcpreasm: warning: skipped ${sk.name}: not read as a capture (${sk.reason})\n`),
    assembler: {
      ...(args.maxPagesTotal !== undefined ? { maxBufferedPagesTotal: args.maxPagesTotal } : {}),
      ...(args.maxPagesPerConn !== undefined ? { maxBufferedPagesPerConnection: args.maxPagesPerConn } : {}),
      ...(args.rstPolicy !== undefined ? { rstPolicy: args.rstPolicy } : {}),
    },
    pool: args.maxConnections !== undefined ? { maxConnections: args.maxConnections } : {},
    flushAfterSec: parseDuration(args.flushAfter),
    closeAfterSec: parseDuration(args.closeAfter),
    allowMissingInit: args.allowMissingInit,
    checkState: args.checkState,
    checkOptions: args.checkOptions,
    verifyChecksums: args.checksum,
    resync: args.resync,
    select,
    signal: controller.signal,
    onDiagnostic: args.quiet ? undefined : (d) => {
      progress.done();
      warnings.warn(d);
    },
    onProgress: progress.active ? (b, p, c) => progress.update(b, p, c) : undefined,
    drain: io.drain?.bind(io),
  };
  return {
    input,
    options,
    progress,
    done: () => {
      progress.done();
      unlisten();
      if (!args.quiet) warnings.end();
    },
    stoppedBy: () => stoppedBy,
    stop: (reason) => controller.abort(reason),
  };
}

/** Warnings that are not reader diagnostics (those were printed as they came): malformed packets. */
export function finalWarnings(summary: RunSummary, io: Output, quiet: boolean): void {
  if (quiet) return;
  const bad = Object.entries(summary.malformed).filter(([, n]) => n > 0);
  if (bad.length > 0) {
    const total = bad.reduce((s, [, n]) => s + n, 0);
    io.err(`tcpreasm: warning: ${summary.input}: ${total} malformed packet${total === 1 ? '' : 's'} ignored (${bad.map(([k, n]) => `${k} ${n}`).join(', ')})\n`);
  }
}

/** Exit code of a finished run: interrupted (128 + the signal), then strict warnings, then success. */
export function exitCodeOf(summary: RunSummary, args: CommonArgs, ctx?: RunContext): number {
  if (summary.interrupted) {
    const sig = ctx?.stoppedBy() ?? null;
    return sig === null || sig === 'SIGINT' ? ExitCode.INTERRUPTED : 128 + osConstants.signals[sig];
  }
  if (args.strict && hadWarnings(summary)) return ExitCode.WARNINGS;
  return ExitCode.OK;
}

/** Maps a failure to its message and exit code; rethrows what is not an expected failure. */
export function failure(err: unknown, io: Output): number {
  if (err instanceof CaptureError) {
    io.err(`tcpreasm: cannot read ${err.message}\n`);
    return ExitCode.BAD_INPUT;
  }
  if (err instanceof UsageError) {
    io.err(`tcpreasm: ${err.message}\nRun 'tcpreasm --help' for usage.\n`);
    return ExitCode.USAGE;
  }
  if (err instanceof ExportError) {
    io.err(`tcpreasm: ${err.message}\n`);
    // A used or wrong folder is the user's choice to change; anything else is the output failing.
    return err.code === 'ENOTEMPTY' || err.code === 'ENOTDIR' ? ExitCode.USAGE : ExitCode.OUTPUT_FAILED;
  }
  throw err;
}
