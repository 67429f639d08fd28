import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mergeAnalyze, type AnalyzeJson, type SplitJson } from '../../lib/split/merge-analyze.js';
import { mergeExports } from '../../lib/split/merge-export.js';
import { ExitCode } from '../exit-codes.js';
import { failure, processOutput, UsageError, type Output } from './common.js';

/** Arguments of `tcpreasm merge`. */
export interface MergeArgs {
  results: string[];
  output?: string;
  argv?: string[];
}

/**
 * `tcpreasm merge RESULT... [-o OUT]`: shard runs' export folders into one folder, or their analyze JSON (and
 * split's) into one document, as one run over the whole input gives. Returns the exit code.
 */
export async function runMerge(args: MergeArgs, io: Output = processOutput): Promise<number> {
  try {
    const folders = args.results.filter((f) => isFolder(f));
    if (folders.length > 0) {
      if (folders.length !== args.results.length) throw new UsageError('merge: give export folders or JSON results, not both');
      if (args.output === undefined || args.output === '-') throw new UsageError('merge: export folders merge into a new folder: name it with -o');
      const r = mergeExports(folders, args.output, args.argv);
      io.out(`${r.rows} connections from ${folders.length} export folders into ${args.output}: ${r.files} files (${r.linked} linked, ${r.copied} copied), manifest.jsonl and run.json\n`);
      return ExitCode.OK;
    }
    const docs: AnalyzeJson[] = [];
    const names: string[] = [];
    const splits: SplitJson[] = [];
    for (const f of args.results) {
      try {
        statSync(f);
      } catch {
        throw new UsageError(`merge: cannot read ${f}: no such file`);
      }
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

function isFolder(f: string): boolean {
  try {
    return statSync(f).isDirectory();
  } catch {
    return false;
  }
}
