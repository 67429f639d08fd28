/**
 * The command line: argument parsing only; each command's work lives in cli/commands/. `main` takes the
 * output it writes to, so the tests run it in-process (cli/main.ts is the executable around it).
 */
import { packageVersion } from '../lib/version.js';
import yargs, { type Argv } from 'yargs';
import { DEFAULT_MAX_OPEN_FILES } from '../lib/export/index.js';
import { DEFAULT_CLOSE_AFTER_SEC, DEFAULT_FLUSH_AFTER_SEC } from '../lib/pipeline/index.js';
import { DEFAULT_MAX_SEGMENTS, DEFAULT_TOP } from '../lib/pipeline/report.js';
import { MIN_SEGMENTS } from '../lib/graph/segment-log.js';
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
import { runFollow, type FollowArgs } from './commands/follow.js';
import { runHttp, type HttpArgs } from './commands/http.js';
import { runSplit, type SplitArgs } from './commands/split.js';
import { runMerge } from './commands/merge.js';
import { runReport, type ReportArgs } from './commands/report.js';
import { processOutput, type CommonArgs, type Output } from './commands/common.js';
import { joinFilters, looksLikePath, splitPositionals } from './inputs.js';
import { suggestOption } from './suggest.js';

/** The part of yargs' internal API that main() uses to skip rendering the help text on every run. */
interface InternalYargs {
  getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } };
}


/** Options every command shares: input handling, engine limits, timeouts, checks. */
function common<T>(y: Argv<T>) {
  return y
    .positional('capture', {
      describe:
        'captures (pcap, pcapng, optionally gzip-compressed), folders of them, - for standard input; several are ' +
        'read as one timeline merged by capture time. Words after them are a filter expression (see --filter)',
      type: 'string',
      array: true,
      demandOption: true,
    })
    .option('format', { alias: 'f', requiresArg: true, choices: ['table', 'json', 'csv'] as const, default: 'table' as const, describe: 'output format' })
    .option('max-pages-total', { type: 'string', coerce: whole('max-pages-total', 1), requiresArg: true, default: ENGINE.maxBufferedPagesTotal, describe: `bound on out-of-order pages held for all connections (${ENGINE.pageSize} bytes each)` })
    .option('max-pages-per-conn', { type: 'string', coerce: whole('max-pages-per-conn', 1), requiresArg: true, default: ENGINE.maxBufferedPagesPerConnection, describe: 'bound on out-of-order pages held for one connection' })
    .option('max-connections', { type: 'string', coerce: whole('max-connections', 1), requiresArg: true, default: POOL.maxConnections, describe: 'bound on connections tracked at once (the idlest are evicted)' })
    .option('flush-after', { type: 'string', requiresArg: true, default: `${DEFAULT_FLUSH_AFTER_SEC}s`, describe: 'capture-time age after which buffered out-of-order data is pushed out over its gap' })
    .option('close-after', { type: 'string', requiresArg: true, default: `${DEFAULT_CLOSE_AFTER_SEC}s`, describe: 'capture-time idle time after which a connection is closed' })
    .option('allow-missing-init', { type: 'boolean', default: true, describe: 'accept connections whose handshake was not captured (mid-stream pickup)' })
    .option('rst-policy', {
      requiresArg: true,
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
      return true;
    });
}

/** Options that select connections for reports. */
function selection<T>(y: Argv<T>) {
  return y
    .option('filter', {
      type: 'string',
      requiresArg: true,
      describe:
        'pcap-filter expression, as for tcpdump: host, net (CIDR), port, portrange, src/dst, ip, ip6, tcp, vlan N, ' +
        'and/or/not, parentheses. A connection is selected when a packet of it, in either direction, matches',
    })
    .option('host', { type: 'string', array: true, requiresArg: true, describe: 'only connections with this address, prefix (10.0.0.0/8) or endpoint (10.0.0.1:80) at either end' })
    .option('port', { type: 'string', array: true, requiresArg: true, coerce: wholes('port', 0, 65535), describe: 'only connections with this port at either end' })
    .option('id', { type: 'string', array: true, requiresArg: true, coerce: wholes('id', 0), describe: 'only these connection ids (Wireshark tcp.stream numbers)' })
    .option('since', { type: 'string', requiresArg: true, describe: 'only records captured at or after this time: epoch seconds, ISO 8601 (UTC unless a zone is given), or +10m from the first record' })
    .option('until', { type: 'string', requiresArg: true, describe: 'only records captured before this time (same forms as --since)' });
}

/**
 * yargs turns a lone `-` argument into an empty string or `true`; it is the usual name of standard input, so it
 * is swapped for a token before parsing and back afterwards.
 */
const STDIN_TOKEN = '\u0000stdin';

/**
 * The parsed arguments with the captures and the filter words after them told apart (see cli/inputs.ts). The
 * filter words and `--filter` make one expression.
 */
function withInputs<T extends CommonArgs>(args: unknown): T {
  const a = args as T & { capture: string[] };
  const words = a.capture.map((w) => (w === STDIN_TOKEN ? '-' : String(w)));
  const { captures, filter } = splitPositionals(words);
  if (filter !== undefined && looksLikePath(filter.split(' ')[0]!)) throw new MissingCapture(filter.split(' ')[0]!);
  a.captures = captures;
  a.filter = joinFilters(filter, a.filter);
  return a;
}

/** follow: the words after the captures are one id, or a filter. */
function withStream(a: FollowArgs): FollowArgs {
  if (a.filter !== undefined && /^\d+$/.test(a.filter.trim())) {
    a.streamId = Number(a.filter.trim());
    a.filter = undefined;
  }
  return a;
}

/** Every option name the parser knows (for suggestions), kebab-case. */
function knownOptions(parser: Argv): string[] {
  const opts = (parser as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions();
  return Object.keys(opts.key).filter((k) => k.length > 1 && !/[A-Z]/.test(k));
}

/** A word after the captures that names a file that is not there (rather than a filter). */
class MissingCapture extends Error {}


/** A coerce function: the value as a whole number of at least `min`, or an error naming the text given. */
function whole(name: string, min: number, max = Number.MAX_SAFE_INTEGER): (v: unknown) => number | undefined {
  return (v) => {
    if (v === undefined) return undefined;
    const text = String(v).trim();
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(n >= min && n <= max)) {
      const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
      throw new Error(`--${name} wants a whole number ${range}, not "${text}"`);
    }
    return n;
  };
}

/** `whole` for an option given several times. */
function wholes(name: string, min: number, max?: number): (v: unknown) => number[] | undefined {
  const one = whole(name, min, max);
  return (v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map((x) => one(x)!));
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
      'analyze <capture..>',
      'per-connection report: state, bytes, out-of-order, overlaps, conflicts, missing bytes, memory',
      (y) => selection(common(y))
        .option('sort', {
          type: 'string',
          requiresArg: true,
          describe:
            'sort by a column: any CSV column name (id, bytes, c2sBytes, missingBytes, overlapBytes, conflicts, durationNs, firstTime, client, ...). ' +
            'Numbers largest first, text A to Z; --sort=-NAME largest (Z) first, --sort=+NAME smallest (A) first',
        })
        .option('asc', { type: 'boolean', describe: 'sort smallest (A) first', conflicts: 'desc' })
        .option('desc', { type: 'boolean', describe: 'sort largest (Z) first' })
        .option('columns', {
          type: 'string',
          requiresArg: true,
          describe: 'table: these columns, comma-separated, in this order (any CSV column name, and start)',
        })
        .option('wide', { type: 'boolean', default: false, describe: 'table: every column (default: the ones an analyst reads first, fitted to the terminal)' })
        .option('summary', { type: 'boolean', default: false, describe: 'only the summary (table, JSON, or field,value CSV)' })
        .option('top', { type: 'number', requiresArg: true, coerce: whole('top', 0), describe: 'only the first N connections after sorting' })
        .option('workers', {
          type: 'number',
          requiresArg: true,
          coerce: whole('workers', 1, 64),
          describe: 'share connections out over N threads, each reading the captures itself (files only, not --id): the same rows; limits are divided between them',
        })
        .example('$0 analyze capture.pcap', 'table of every connection and a summary')
        .example('$0 analyze capture.pcapng.gz --format json > report.json', 'machine-readable report')
        .example('tcpdump -w - | $0 analyze -', 'read a capture from a pipe'),
      async (args) => { code = await runAnalyze(withInputs<AnalyzeArgs>(args), io); },
    )
    .command(
      'export <capture..>',
      'write each direction of each connection to its own file (tcpflow names) with manifest.jsonl',
      (y) => selection(common(y))
        .option('output', { alias: 'o', type: 'string', requiresArg: true, demandOption: true, describe: 'output folder (created; must be empty unless --force)' })
        .option('force', { type: 'boolean', default: false, describe: 'write into a non-empty folder (nothing there is replaced: a second run gets manifest-2.jsonl and run-2.json)' })
        .option('keep-conflicts', {
          type: 'boolean',
          default: false,
          describe: 'also write the losing copy of each conflicting range beside the streams (conflict-ID-DIR-SEQ-END.losing), listed with its sha256 in the manifest',
        })
        .option('fill-gaps', { type: 'boolean', default: false, describe: 'write zeros for missing bytes so file offsets follow sequence numbers' })
        .option('max-open-files', { type: 'number', requiresArg: true, coerce: whole('max-open-files', 1), default: DEFAULT_MAX_OPEN_FILES, describe: 'bound on output files open at once' })
        .option('max-fill', { type: 'string', requiresArg: true, default: '16M', describe: 'with --fill-gaps: largest hole filled with zeros (tcpflow -m)' })
        .option('max-fill-stream', { type: 'string', requiresArg: true, default: '64M', describe: 'with --fill-gaps: most zeros in one file' })
        .option('max-fill-total', {
          type: 'string',
          requiresArg: true,
          describe: 'with --fill-gaps: most zeros in the whole export (default: 64M plus the stream bytes written, so the folder stays within about twice the payload)',
        })
        .check((argv) => {
          if (argv.output === STDIN_TOKEN || argv.output === '-') {
            throw new Error("export writes a folder of files, not one stream: -o - is not an output. To see one connection's bytes on stdout, use: tcpreasm follow CAPTURE ID");
          }
          for (const k of ['max-fill', 'max-fill-stream', 'max-fill-total'] as const) {
            const v = argv[k] as string | undefined;
            if (v !== undefined && Number.isNaN(parseSize(v))) throw new Error(`--${k}: not a size: ${v} (use e.g. 4096, 64k, 16M, 2G)`);
          }
          return true;
        })
        .option('workers', {
          type: 'number',
          requiresArg: true,
          coerce: whole('workers', 1, 64),
          describe:
            'share connections out over N threads, each reading the captures itself and writing its connections\' files (files only, not --id or --keep-conflicts): the same files and rows; limits are divided between them',
        })
        .example('$0 export capture.pcap -o streams/', 'one file per direction, plus streams/manifest.jsonl')
        .example('$0 export big.pcap -o streams/ --workers 2', 'the same, on two threads'),
      async (args) => { code = await runExport(withInputs<ExportArgs>(args), io, argv); },
    )
    .command(
      'overlaps <capture..>',
      'overlap and retransmission report: one row an event; conflicting copies and suspicious RSTs first',
      (y) => selection(common(y))
        .option('kind', {
          type: 'string',
          array: true,
          requiresArg: true,
          choices: ['retransmission', 'partial-overlap', 'out-of-order', 'conflict', 'suspicious-rst'],
          describe: 'only these kinds of event (suspicious-rst: an RST ignored as outside the receiver\'s window)',
        })
        .option('limit', { type: 'number', requiresArg: true, coerce: whole('limit', 0), describe: 'at most N event rows (the summary still counts all)' })
        .option('absolute', { type: 'boolean', default: false, describe: 'table: absolute sequence numbers (default: relative to the ISN, as Wireshark; JSON and CSV carry both)' })
        .option('summary', { type: 'boolean', default: false, describe: 'only the summary with the overlap totals (table, JSON, or field,value CSV)' })
        .example('$0 overlaps capture.pcap --kind conflict', 'only overlapping copies that disagree'),
      async (args) => { code = await runOverlaps(withInputs<OverlapsArgs>(args), io); },
    )
    .command(
      'http <capture..>',
      'HTTP/1.x exchanges in the reassembled streams (any port): one row each; with -o DIR every body as a file, holes accounted for',
      (y) => selection(common(y))
        .option('output', { alias: 'o', type: 'string', requiresArg: true, describe: 'write every body to this folder with objects.jsonl (created; must be empty unless --force)' })
        .option('force', { type: 'boolean', default: false, describe: 'with -o: write into a non-empty folder (nothing there is overwritten)' })
        .option('decode', { type: 'boolean', default: false, describe: 'with -o: also write each gzip, deflate or br body decoded (FILE.decoded, at most 256 MiB)' })
        .option('limit', { type: 'number', requiresArg: true, coerce: whole('limit', 0), describe: 'at most N exchange rows (the summary still counts all)' })
        .example('$0 http capture.pcap -o objects', 'every request and response body as a file, listed in objects/objects.jsonl'),
      async (args) => { code = await runHttp(withInputs<HttpArgs>(args), io); },
    )
    .command(
      'report <capture..>',
      'one self-contained HTML page: the summary, a timeline of every connection, counts over time, the top connections and their time-sequence graphs',
      (y) => selection(common(y))
        .option('output', { alias: 'o', type: 'string', requiresArg: true, demandOption: true, describe: 'the HTML file to write (a new file unless --force; - for standard output)' })
        .option('force', { type: 'boolean', default: false, describe: 'replace the file if it exists' })
        .option('top', { type: 'number', requiresArg: true, coerce: whole('top', 0), default: DEFAULT_TOP, describe: 'connections in each top list (bytes, missing bytes, overlap bytes, conflicts), each drawn in detail' })
        .option('id', { type: 'string', array: true, requiresArg: true, coerce: wholes('id', 0), describe: 'also draw these connections in detail (here --id does not narrow the report; use --filter, --host, --port for that)' })
        .option('max-segments', { type: 'number', requiresArg: true, coerce: whole('max-segments', MIN_SEGMENTS), default: DEFAULT_MAX_SEGMENTS, describe: 'most segments drawn for one connection; a longer one is thinned evenly (the page says so)' })
        .check((argv) => {
          if (argv.output === STDIN_TOKEN) argv.output = '-';
          return true;
        })
        .example('$0 report capture.pcap -o report.html', 'open report.html in any browser, offline')
        .example('$0 report week/ --top 20 --id 4711 -o week.html', 'a set of captures as one timeline; connection 4711 drawn too'),
      async (args) => {
        const a = withInputs<ReportArgs>(args);
        code = await runReport({ ...a, detail: a.id, id: undefined, output: a.output === STDIN_TOKEN ? '-' : a.output }, io);
      },
    )
    .command(
      'follow <capture..>',
      "one connection's reassembled bytes on stdout (Wireshark's Follow TCP Stream, tcpflow -c)",
      (y) => common(y)
        .positional('capture', {
          describe: 'captures, then the connection: its id (the id column of analyze) or a filter that selects exactly one connection',
          type: 'string',
          array: true,
          demandOption: true,
        })
        .option('filter', { type: 'string', requiresArg: true, describe: 'pcap-filter expression choosing the connection (see analyze --help)' })
        .option('since', { type: 'string', requiresArg: true, describe: 'only records captured at or after this time (see analyze --help)' })
        .option('until', { type: 'string', requiresArg: true, describe: 'only records captured before this time' })
        .option('as', {
          choices: ['raw', 'ascii', 'hex', 'json'] as const,
          requiresArg: true,
          describe: 'raw: the bytes of --dir; ascii, hex: both directions in capture order with a marker at each change of direction and at each hole; json: JSON Lines, one piece each (default ascii; json with --format json)',
        })
        .option('dir', { choices: ['c2s', 's2c', 'both'] as const, default: 'c2s' as const, requiresArg: true, describe: 'raw: the direction written (both: interleaved in capture order)' })
        .option('fill-gaps', { type: 'boolean', default: false, describe: 'raw: write zeros for missing bytes' })
        .option('absolute', { type: 'boolean', default: false, describe: 'absolute sequence numbers in the markers (default: relative to the ISN, as Wireshark)' })
        .example('$0 follow capture.pcap 3', 'connection 3 as text, both directions')
        .example('$0 follow capture.pcap host 10.0.0.5 and port 443 --as hex', 'the one connection the filter selects, as a hex dump')
        .example('$0 follow capture.pcap 3 --as raw --dir s2c > reply.bin', "the server's bytes, exactly"),
      async (args) => { code = await runFollow(withStream(withInputs<FollowArgs>(args)), io); },
    )
    .command(
      'split <capture..>',
      'the map step of a scale-out run: every TCP packet to the shard its connection hashes to (DIR/shard-<i>/), each shard a capture set',
      (y) => y
        .positional('capture', { describe: 'captures (files, folders, - for standard input)', type: 'string', array: true, demandOption: true })
        .option('shards', { type: 'number', requiresArg: true, demandOption: true, coerce: whole('shards', 1), describe: 'number of shards' })
        .option('output', { alias: 'o', type: 'string', requiresArg: true, demandOption: true, describe: 'output folder (created; must be empty unless --force or --part)' })
        .option('part', { type: 'number', requiresArg: true, coerce: whole('part', 0), describe: 'this process\'s part number, when each input is split by its own process into one folder: names the files so they never clash' })
        .option('non-tcp', { choices: ['drop', 'keep'] as const, default: 'drop' as const, describe: 'records that are not TCP: counted and dropped, or kept in DIR/non-tcp/' })
        .option('force', { type: 'boolean', default: false, describe: 'write into a non-empty folder (no file there is replaced)' })
        .option('format', { choices: ['table', 'json', 'csv'] as const, default: 'table' as const, describe: 'how the result is printed' })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no reader warnings on stderr' })
        .example('$0 split week/*.pcap --shards 8 -o shards', 'shards/shard-0/ ... shards/shard-7/')
        .example('parallel $0 split {} --shards 8 --part {#} -o shards ::: week/*.pcap', 'each input by its own process'),
      async (args) => {
        const captures = (args.capture as string[]).map((c) => (c === STDIN_TOKEN ? '-' : c));
        code = await runSplit({ ...(args as unknown as SplitArgs), captures, output: args.output, nonTcp: args['non-tcp'] }, io);
      },
    )
    .command(
      'merge <result..>',
      "the reduce step: the shard runs' export folders, or their analyze (and overlaps, and split's) --format json, into what one run over the whole input gives",
      (y) => y
        .positional('result', { describe: 'export folders of the shard runs; or JSON results of analyze (and overlaps) on each shard, and of split', type: 'string', array: true, demandOption: true })
        .option('output', { alias: 'o', type: 'string', requiresArg: true, describe: 'folders: the new merged folder; JSON: write the merged JSON here (a new file) instead of stdout' })
        .example('$0 merge out/shard-* -o all', 'one export folder, as one export of the whole input')
        .example('$0 merge split.json shard-*.json > all.json', 'one analyze document for the whole input'),
      async (args) => {
        code = await runMerge({ results: args.result as string[], output: args.output, argv }, io);
      },
    )
    .demandCommand(1, 'Name a command: analyze, export, overlaps, http, report, follow, split or merge (see --help).')
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
      const text = msg ?? err?.message ?? '';
      io.err(`tcpreasm: ${text}${suggestOption(text, knownOptions(parser))}\nRun 'tcpreasm --help' for usage.\n`);
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
    if (err instanceof MissingCapture) {
      io.err(`tcpreasm: cannot read ${err.message}: no such file or directory\n`);
      return ExitCode.BAD_INPUT;
    }
    throw err;
  }
  return code;
}
