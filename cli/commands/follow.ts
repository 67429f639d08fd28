import { formatEndpoint } from '../../lib/net/address.js';
import { followCapture, runPass, type FollowEvent, type PassOptions } from '../../lib/pipeline/index.js';
import { counted, followWriter, RecordNames, type FollowFormat } from '../../lib/report/index.js';
import { ExitCode } from '../exit-codes.js';
import { exitCodeOf, failure, finalWarnings, processOutput, runContext, UsageError, type CommonArgs, type Output } from './common.js';

/** Arguments of `tcpreasm follow`. */
export interface FollowArgs extends CommonArgs {
  /** The connection id when the words after the captures were one number; else they are in `filter`. */
  streamId?: number;
  as?: FollowFormat;
  dir: 'c2s' | 's2c' | 'both';
  fillGaps: boolean;
  absolute: boolean;
}

/** Connections listed in the error when a filter chooses several. */
const LISTED = 20;

/** The connections a filter chooses, by a first pass that reassembles nothing. */
async function matching(ctx: ReturnType<typeof runContext>): Promise<{ ids: string[]; count: number }> {
  const ids: string[] = [];
  let count = 0;
  const options: PassOptions = { ...ctx.options, onDiagnostic: undefined, onProgress: undefined };
  await runPass(ctx.input, {
    open: (c) => {
      if (count++ < LISTED) ids.push(`${c.id}: ${formatEndpoint(c.client.addr, c.ipVersion, c.client.port)} > ${formatEndpoint(c.server.addr, c.ipVersion, c.server.port)}`);
      return null;
    },
  }, options);
  return { ids, count };
}

/** `tcpreasm follow CAPTURE... STREAM`: one connection's bytes on stdout. Returns the exit code. */
export async function runFollow(args: FollowArgs, io: Output = processOutput): Promise<number> {
  let ctx: ReturnType<typeof runContext> | undefined;
  const format: FollowFormat = args.as ?? (args.format === 'json' ? 'json' : 'ascii');
  try {
    if (args.streamId === undefined && args.filter === undefined) {
      throw new UsageError('follow: name the connection after the captures: its id (the id column of analyze) or a filter that selects it');
    }
    ctx = runContext(args, io);
    let id = args.streamId;
    if (id === undefined) {
      if (args.captures.includes('-')) throw new UsageError('follow: with standard input, name the connection by its id (a filter needs a first reading to check that it selects one)');
      const m = await matching(ctx);
      if (m.count !== 1) {
        ctx.done();
        if (m.count === 0) throw new UsageError(`follow: no connection matches "${args.filter}"`);
        const more = m.count > LISTED ? `\n  ... and ${m.count - LISTED} more` : '';
        throw new UsageError(`follow: "${args.filter}" selects ${m.count} connections; name one by its id:\n  ${m.ids.join('\n  ')}${more}`);
      }
      id = Number(m.ids[0]!.split(':')[0]);
    }
    const names = new RecordNames();
    const bytes = io.bytes?.bind(io) ?? ((b: Uint8Array) => io.out(Buffer.from(b).toString('latin1')));
    const write = (c: string | Uint8Array): void => {
      if (io.closed?.() === true) return;
      if (typeof c === 'string') io.out(c);
      else bytes(c);
    };
    const emit = followWriter({ format, directions: args.dir, fillGaps: args.fillGaps, absolute: args.absolute, names }, write);
    const drain = io.drain?.bind(io);
    const r = await followCapture(ctx.input, id, (e: FollowEvent) => emit(e), {
      ...ctx.options,
      select: undefined,
      onInputs: (n) => names.set(n),
      drain: () => {
        if (io.closed?.() === true) ctx?.stop('stdout closed');
        return drain?.();
      },
    });
    ctx.done();
    const c = r.connection;
    if (c === null) {
      io.err(`tcpreasm: follow: no connection ${id} in ${r.summary.input} (${counted(r.summary.connections, 'connection')}, ids 0 to ${r.summary.connections - 1})\n`);
      return ExitCode.USAGE;
    }
    if (io.closed?.() === true) return ExitCode.PIPE_CLOSED;
    if (!args.quiet) {
      const missing = c.c2s.missingBytes + c.s2c.missingBytes;
      io.err(`tcpreasm: connection ${c.id}: ${c.client} > ${c.server}, ${c.state}, ${c.c2s.bytes} B c>s, ${c.s2c.bytes} B s>c${missing > 0 ? `, ${missing} B missing` : ''}\n`);
    }
    finalWarnings(r.summary, io, args.quiet);
    // Stopping once the connection ended is the point of follow, not an interruption.
    if (r.pass.stopReason !== null && ctx.stoppedBy() === null) return args.strict && r.summary.decode.malformed > 0 ? ExitCode.WARNINGS : ExitCode.OK;
    return exitCodeOf(r.summary, args, ctx);
  } catch (err) {
    ctx?.done();
    return failure(err, io);
  }
}
