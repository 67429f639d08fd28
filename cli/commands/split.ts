import { splitCaptures, type SplitResult } from '../../lib/split/split.js';
import type { Diagnostic } from '../../lib/capture/index.js';
import { ExitCode } from '../exit-codes.js';
import { failure, processOutput, UsageError, type Output } from './common.js';

/** Arguments of `tcpreasm split`. */
export interface SplitArgs {
  captures: string[];
  shards: number;
  output: string;
  part?: number;
  nonTcp: 'drop' | 'keep';
  force: boolean;
  format: 'table' | 'json' | 'csv';
  quiet: boolean;
}

/** Reader warnings printed at most; the rest are counted. */
const SHOWN = 10;

/** `tcpreasm split CAPTURE... --shards N -o DIR`: the map step of a scale-out run. Returns the exit code. */
export async function runSplit(args: SplitArgs, io: Output = processOutput): Promise<number> {
  try {
    if (args.captures.filter((c) => c === '-').length > 1) throw new UsageError('standard input (-) can be read only once');
    let shown = 0;
    let warnings = 0;
    const onDiagnostic = (d: Diagnostic): void => {
      warnings++;
      if (!args.quiet && shown++ < SHOWN) io.err(`tcpreasm: ${d.severity}: ${d.message}\n`);
    };
    const r = await splitCaptures(args.captures, { shards: args.shards, dir: args.output, part: args.part, nonTcp: args.nonTcp, force: args.force, onDiagnostic });
    if (warnings > shown && !args.quiet) io.err(`tcpreasm: ${warnings - shown} more reader warnings\n`);
    io.out(args.format === 'json' ? `${JSON.stringify(splitJson(r), null, 1)}\n` : args.format === 'csv' ? splitCsv(r) : splitText(r, args.output));
    return ExitCode.OK;
  } catch (err) {
    return failure(err, io);
  }
}

function splitJson(r: SplitResult): object {
  return { shards: r.shards, part: r.part, perShard: r.perShard, files: r.files, nonTcp: r.nonTcp, fragmentsUnresolved: r.fragmentsUnresolved, records: r.read.read.records, cleanEnd: r.read.read.cleanEnd };
}

function splitCsv(r: SplitResult): string {
  return `shard,records,bytes\n${r.perShard.map((s) => `${s.shard},${s.records},${s.bytes}`).join('\n')}\nnon-tcp,${r.nonTcp},\n`;
}

function splitText(r: SplitResult, dir: string): string {
  const tcp = r.perShard.reduce((a, s) => a + s.records, 0);
  const widest = Math.max(...r.perShard.map((s) => s.records));
  const lines = r.perShard.map((s) => `  shard-${s.shard}  ${String(s.records).padStart(10)} records  ${String(s.bytes).padStart(14)} B`);
  return (
    `${r.read.read.records} records read: ${tcp} TCP into ${r.shards} shard${r.shards === 1 ? '' : 's'} under ${dir}, ${r.nonTcp} not TCP (${r.fragmentsUnresolved} of them fragments never completed).\n` +
    `${lines.join('\n')}\n` +
    (tcp > 0 ? `Largest shard: ${((100 * widest) / tcp).toFixed(1)}% of the TCP records.\n` : '') +
    `Each shard is a capture set: tcpreasm analyze|export|overlaps ${dir}/shard-<i>/\n`
  );
}
