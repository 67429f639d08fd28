import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mergeAnalyze, mergeOverlaps, type AnalyzeJson, type OverlapsJson, type SplitJson } from '../../lib/split/merge-analyze.js';
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
    const overlaps: Array<{ doc: OverlapsJson; name: string }> = [];
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
      else if (Array.isArray((d as unknown as Partial<OverlapsJson>).events) && Array.isArray(d.connections)) overlaps.push({ doc: d as unknown as OverlapsJson, name: f });
      else if (Array.isArray(d.connections) && d.summary !== undefined && typeof d.summary === 'object') {
        docs.push(d as AnalyzeJson);
        names.push(f);
      } else throw new UsageError(`merge: ${f} is neither analyze, overlaps nor split --format json output`);
    }
    if (docs.length === 0) throw new UsageError('merge: give at least one analyze --format json result');
    let merged: object;
    if (overlaps.length > 0) {
      // Each overlaps document is paired with the analyze document of the same shard run (the same inputs read):
      // its first packet times renumber the ids.
      const key = (s: Record<string, unknown>): string => JSON.stringify(((s.inputs ?? []) as Array<{ name?: string }>).map((i) => i.name));
      const byInputs = new Map(docs.map((d) => [key(d.summary), d]));
      const paired = overlaps.map((o) => {
        const a = byInputs.get(key(o.doc.summary));
        if (a === undefined) throw new UsageError(`merge: ${o.name}: no analyze result of the same inputs was given (its ids are renumbered by it)`);
        return a;
      });
      merged = mergeOverlaps(overlaps.map((o) => o.doc), paired, overlaps.map((o) => o.name), splits);
    } else merged = mergeAnalyze(docs, names, splits);
    const text = `${JSON.stringify(merged, null, 1)}\n`;
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
