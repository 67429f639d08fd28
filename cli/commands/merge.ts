import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mergeAnalyze, type AnalyzeJson, type SplitJson } from '../../lib/split/merge-analyze.js';
import { ExitCode } from '../exit-codes.js';
import { failure, processOutput, UsageError, type Output } from './common.js';

/** Arguments of `tcpreasm merge`. */
export interface MergeArgs {
  results: string[];
  output?: string;
}

/** `tcpreasm merge RESULT... [-o OUT]`: shard runs' analyze JSON (and split's) into one run's. Returns the exit code. */
export async function runMerge(args: MergeArgs, io: Output = processOutput): Promise<number> {
  try {
    const docs: AnalyzeJson[] = [];
    const names: string[] = [];
    const splits: SplitJson[] = [];
    for (const f of args.results) {
      let st;
      try {
        st = statSync(f);
      } catch {
        throw new UsageError(`merge: cannot read ${f}: no such file`);
      }
      if (st.isDirectory()) throw new UsageError(`merge: ${f} is a folder: merging export folders is not built yet; give the shard runs' analyze --format json`);
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(f, 'utf8'));
      } catch (err) {
        throw new UsageError(`merge: ${f} is not JSON: ${(err as Error).message}`);
      }
      const d = doc as Partial<AnalyzeJson & SplitJson>;
      if (Array.isArray(d.perShard) && typeof d.nonTcp === 'number') splits.push(d as SplitJson);
      else if (Array.isArray(d.connections) && d.summary !== undefined && typeof d.summary === 'object') {
        docs.push(d as AnalyzeJson);
        names.push(f);
      } else throw new UsageError(`merge: ${f} is neither analyze --format json nor split --format json output`);
    }
    if (docs.length === 0) throw new UsageError('merge: give at least one analyze --format json result');
    const text = `${JSON.stringify(mergeAnalyze(docs, names, splits), null, 1)}\n`;
    if (args.output === undefined || args.output === '-') io.out(text);
    else writeFileSync(args.output, text, { flag: 'wx' });
    return ExitCode.OK;
  } catch (err) {
    return failure(err, io);
  }
}
