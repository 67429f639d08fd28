/**
 * The command line: argument parsing only; each command's work lives in cli/commands/. `main` takes the
 * output it writes to, so the tests run it in-process (cli/main.ts is the executable around it).
 */
import { existsSync, readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { DEFAULT_MAX_OPEN_FILES } from '../lib/export/index.js';
import { DEFAULT_CLOSE_AFTER_SEC, DEFAULT_FLUSH_AFTER_SEC } from '../lib/pipeline/index.js';
import { DEFAULT_ASSEMBLER_OPTIONS as ENGINE, DEFAULT_POOL_OPTIONS as POOL } from '../lib/reassembly/index.js';
import { ExitCode } from './exit-codes.js';
import { parseDuration } from './duration.js';
import { parseSize } from './size.js';
import { runAnalyze } from './commands/analyze.js';
import { runExport } from './commands/export.js';
import { runOverlaps } from './commands/overlaps.js';
import type { AnalyzeArgs } from './commands/analyze.js';
import type { ExportArgs } from './commands/export.js';
import type { OverlapsArgs } from './commands/overlaps.js';
import { processOutput, type Output } from './commands/common.js';

/** The part of yargs' internal API that main() uses to skip rendering the help text on every run. */
interface InternalYargs {
  getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } };
}

/** The version in the package's package.json: the nearest one above this file (dist/cli or cli). */
function packageVersion(): string {
  let dir = new URL('.', import.meta.url);
  for (let i = 0; i < 4; i++) {
    const file = new URL('package.json', dir);
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    dir = new URL('..', dir);
  }
  return 'unknown';
}

/** Options every command shares: input handling, engine limits, timeouts, checks. */
function common<T>(y: Argv<T>) {
  return y
    .positional('capture', {
      describe: 'capture file (pcap, pcapng, optionally gzip-compressed); - for standard input',
      type: 'string',
      demandOption: true,
    })
    .option('format', { alias: 'f', choices: ['table', 'json', 'csv'] as const, default: 'table' as const, describe: 'output format' })
    .option('max-pages-total', { type: 'number', default: ENGINE.maxBufferedPagesTotal, describe: `bound on out-of-order pages held for all connections (${ENGINE.pageSize} bytes each)` })
    .option('max-pages-per-conn', { type: 'number', default: ENGINE.maxBufferedPagesPerConnection, describe: 'bound on out-of-order pages held for one connection' })
    .option('max-connections', { type: 'number', default: POOL.maxConnections, describe: 'bound on connections tracked at once (the idlest are evicted)' })
    .option('flush-after', { type: 'string', default: `${DEFAULT_FLUSH_AFTER_SEC}s`, describe: 'capture-time age after which buffered out-of-order data is pushed out over its gap' })
    .option('close-after', { type: 'string', default: `${DEFAULT_CLOSE_AFTER_SEC}s`, describe: 'capture-time idle time after which a connection is closed' })
    .option('allow-missing-init', { type: 'boolean', default: true, describe: 'accept connections whose handshake was not captured (mid-stream pickup)' })
    .option('rst-policy', {
      choices: ['evidence', 'in-window', 'any'] as const,
      default: ENGINE.rstPolicy,
      describe:
        'which RSTs end a connection. in-window: only one the receiver could have accepted; an RST far outside its ' +
        'window is dropped by the endpoint, so it is ignored and reported (suspicious RST): one forged blind RST ' +
        'must not hide the rest of a stream. evidence: as in-window, and an accepted RST ends it only if the ' +
        'receiver does not go on acknowledging data sent after it (then it is reported as not taken). any: every RST ends it',
    })
    .option('check-state', { type: 'boolean', default: false, describe: 'reject segments the simple TCP state machine finds invalid (counted)' })
    .option('check-options', { type: 'boolean', default: false, describe: 'reject segments violating the announced MSS or window (counted)' })
    .option('checksum', { type: 'boolean', default: false, describe: 'verify IP and TCP checksums; bad segments are counted and ignored' })
    .option('resync', { type: 'boolean', default: false, describe: 'classic pcap: search past a damaged record header instead of stopping' })
    .option('strict', { type: 'boolean', default: false, describe: 'exit with code 3 when the capture had damage or warnings' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no warnings or progress on stderr' })
    .option('progress', { type: 'boolean', describe: 'show a progress bar (default: when stderr is a terminal)' })
    .check((argv) => {
      for (const k of ['flush-after', 'close-after'] as const) {
        if (Number.isNaN(parseDuration(argv[k] as string))) throw new Error(`--${k}: not a duration: ${String(argv[k])} (use e.g. 90s, 2m, 1h)`);
      }
      for (const k of ['max-pages-total', 'max-pages-per-conn', 'max-connections'] as const) {
        const v = argv[k] as number | undefined;
        if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new Error(`--${k}: must be a whole number of at least 1`);
      }
      return true;
    });
}

/** Options that select connections for reports. */
function selection<T>(y: Argv<T>) {
  return y
    .option('host', { type: 'string', array: true, describe: 'only connections with this address at either end' })
    .option('port', { type: 'number', array: true, describe: 'only connections with this port at either end' })
    .option('id', { type: 'number', array: true, describe: 'only these connection ids (Wireshark tcp.stream numbers)' });
}

/**
 * yargs turns a lone `-` argument into an empty string or `true`; it is the usual name of standard input, so it
 * is swapped for a token before parsing and back afterwards.
 */
const STDIN_TOKEN = '\u0000stdin';

function withStdin<T extends { capture: string }>(args: unknown): T {
  const a = args as T;
  if (a.capture === STDIN_TOKEN) a.capture = '-';
  return a;
}

/** A usage error already printed by the fail handler. */
class UsageReported extends Error {}

/** Runs the command line `argv` (without `node` and the script), writing to `io`; resolves with the exit code. */
export async function main(argv: string[], io: Output = processOutput): Promise<number> {
  let code: number = ExitCode.OK;
  const parser = yargs(argv.map((a) => (a === '-' ? STDIN_TOKEN : a)))
    .scriptName('tcpreasm')
    .usage('$0 <command> CAPTURE [options]\n\nReassembles every TCP connection of a capture, exactly as the endpoints saw the bytes, and reports what happened on the wire.')
    .command(
      'analyze <capture>',
      'per-connection report: state, bytes, out-of-order, overlaps, conflicts, missing bytes, memory',
      (y) => selection(common(y))
        .option('sort', { type: 'string', describe: 'sort by a column (id, bytes, missing, overlaps, conflicts, duration, ...)' })
        .option('top', { type: 'number', describe: 'only the first N connections after sorting' })
        .example('$0 analyze capture.pcap', 'table of every connection and a summary')
        .example('$0 analyze capture.pcapng.gz --format json > report.json', 'machine-readable report')
        .example('tcpdump -w - | $0 analyze -', 'read a capture from a pipe'),
      async (args) => { code = await runAnalyze(withStdin<AnalyzeArgs>(args), io); },
    )
    .command(
      'export <capture>',
      'write each direction of each connection to its own file (tcpflow names) with manifest.jsonl',
      (y) => selection(common(y))
        .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'output folder (created; must be empty unless --force)' })
        .option('force', { type: 'boolean', default: false, describe: 'write into a non-empty folder' })
        .option('fill-gaps', { type: 'boolean', default: false, describe: 'write zeros for missing bytes so file offsets follow sequence numbers' })
        .option('max-open-files', { type: 'number', default: DEFAULT_MAX_OPEN_FILES, describe: 'bound on output files open at once' })
        .option('max-fill', { type: 'string', default: '16M', describe: 'with --fill-gaps: largest hole filled with zeros (tcpflow -m)' })
        .option('max-fill-stream', { type: 'string', default: '64M', describe: 'with --fill-gaps: most zeros in one file' })
        .option('max-fill-total', {
          type: 'string',
          describe: 'with --fill-gaps: most zeros in the whole export (default: 64M plus the stream bytes written, so the folder stays within about twice the payload)',
        })
        .check((argv) => {
          for (const k of ['max-fill', 'max-fill-stream', 'max-fill-total'] as const) {
            const v = argv[k] as string | undefined;
            if (v !== undefined && Number.isNaN(parseSize(v))) throw new Error(`--${k}: not a size: ${v} (use e.g. 4096, 64k, 16M, 2G)`);
          }
          return true;
        })
        .example('$0 export capture.pcap -o streams/', 'one file per direction, plus streams/manifest.jsonl'),
      async (args) => { code = await runExport(withStdin<ExportArgs>(args), io); },
    )
    .command(
      'overlaps <capture>',
      'overlap and retransmission report: one row an event; conflicting copies and suspicious RSTs first',
      (y) => selection(common(y))
        .option('kind', {
          type: 'string',
          array: true,
          choices: ['retransmission', 'partial-overlap', 'out-of-order', 'conflict', 'suspicious-rst'],
          describe: 'only these kinds of event (suspicious-rst: an RST ignored as outside the receiver\'s window)',
        })
        .option('limit', { type: 'number', describe: 'at most N event rows (the summary still counts all)' })
        .example('$0 overlaps capture.pcap --kind conflict', 'only overlapping copies that disagree'),
      async (args) => { code = await runOverlaps(withStdin<OverlapsArgs>(args), io); },
    )
    .demandCommand(1, 'Name a command: analyze, export or overlaps (see --help).')
    .strict()
    .recommendCommands()
    .version(packageVersion())
    .alias('h', 'help')
    .alias('V', 'version')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs passes a message for usage problems; anything else is a real failure of a command.
      if (!msg && err) throw err;
      io.err(`tcpreasm: ${msg ?? err?.message}\nRun 'tcpreasm --help' for usage.\n`);
      // Throwing stops yargs here: without it, it would still run the command's handler.
      throw new UsageReported();
    });
  // yargs renders the whole help text before it runs any command's handler, to show it on a later failure:
  // 40 ms of a 1-packet run. Our handlers never ask yargs for help, and on a usage error yargs renders it then.
  const usage = (parser as unknown as InternalYargs).getInternalMethods?.().getUsageInstance?.();
  if (usage?.cacheHelpMessage !== undefined) usage.cacheHelpMessage = () => {};
  try {
    await parser.parseAsync();
  } catch (err) {
    if (err instanceof UsageReported) return ExitCode.USAGE;
    throw err;
  }
  return code;
}
