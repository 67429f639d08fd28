/**
 * The reduce step for `export`: the shard runs' folders made into the one a single export of the whole input
 * writes. A 4-tuple always lands in one shard, so every file name (tcpflow's, `cN` counts included) is already
 * the single run's; only connection ids change, renumbered in `tcp.stream` order (first packet time, then the
 * order of the folders given, then each manifest's own order). Stream files are hard-linked into the output (on
 * another file system, copied once), never rewritten; `run.json` lists every shard run.
 *
 * Two things differ from a single run, by nature: rows are listed in id order (a single run lists them as
 * connections end), and a conflict's `recordNumber` names a record of the shard file it was read from.
 */
import { copyFileSync, constants as fsConstants, linkSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExportError, fsError } from '../export/errors.js';
import { prepareOutputFolder } from '../export/folder.js';
import { realFs } from '../export/fs.js';
import type { ManifestEnd } from '../export/manifest.js';
import { compareEpoch } from '../report/time.js';
import { packageVersion } from '../version.js';

/** One manifest line: a connection row (its JSON kept whole) or the end record. */
type Row = Record<string, unknown> & { id: number; firstEpoch: string };
type End = ManifestEnd;

/** What a merge wrote. */
export interface ExportMergeResult {
  rows: number;
  files: number;
  /** Files linked, and copied (another file system). */
  linked: number;
  copied: number;
}

/** Status of the merged run: the worst of the shard runs'. */
const WORST = ['complete', 'interrupted', 'stopped', 'failed'];

/** Merges the export folders `dirs` into the new folder `out`; `argv` goes into run.json. */
export function mergeExports(dirs: readonly string[], out: string, argv: readonly string[] = []): ExportMergeResult {
  const all: Array<{ row: Row; d: number; i: number }> = [];
  const ends: End[] = [];
  const runs: unknown[] = [];
  for (const [d, dir] of dirs.entries()) {
    const lines = read(join(dir, 'manifest.jsonl')).split('\n').filter((l) => l.trim() !== '');
    for (const [i, line] of lines.entries()) {
      const v = JSON.parse(line) as Row | { end: End };
      if ('end' in v) ends.push((v as { end: End }).end);
      else all.push({ row: v, d, i });
    }
    if (ends.length !== d + 1) throw new ExportError('EINVAL', dir, `cannot merge ${dir}: its manifest has no end record (the export did not finish)`);
    runs.push({ folder: dir, run: JSON.parse(read(join(dir, 'run.json'))) as unknown });
  }
  all.sort((a, b) => compareEpoch(a.row.firstEpoch, b.row.firstEpoch) || a.d - b.d || a.i - b.i);
  prepareOutputFolder(realFs, out, false);
  let linked = 0;
  let copied = 0;
  const place = (from: string, name: string): void => {
    const to = join(out, name);
    try {
      linkSync(from, to);
      linked++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw fsError(err, 'link', to);
      try {
        copyFileSync(from, to, fsConstants.COPYFILE_EXCL);
        copied++;
      } catch (e) {
        throw fsError(e, 'copy', to);
      }
    }
  };
  const rows = all.map(({ row, d }, id) => {
    const dir = dirs[d]!;
    const merged: Row = { ...row, id };
    for (const side of ['c2s', 's2c'] as const) {
      const dirRow = merged[side] as { file?: string | null; conflicts?: Array<{ losingCopy?: { file: string } | null }> } | undefined;
      if (dirRow?.file) place(join(dir, dirRow.file), dirRow.file);
      for (const c of dirRow?.conflicts ?? []) {
        if (!c.losingCopy) continue;
        // Losing copies are named by connection id: the new id names them here.
        const name = c.losingCopy.file.replace(/^conflict-\d+-/, `conflict-${id}-`);
        place(join(dir, c.losingCopy.file), name);
        c.losingCopy = { ...c.losingCopy, file: name };
      }
    }
    return merged;
  });
  const end: End = {
    status: ends.map((e) => e.status).reduce<End['status']>((a, b) => (WORST.indexOf(b) > WORST.indexOf(a) ? b : a), 'complete'),
    reason: ends.map((e) => e.reason).filter((r) => r !== null).join('; ') || null,
    files: sum(ends, 'files'),
    bytes: sum(ends, 'bytes'),
    failedFiles: sum(ends, 'failedFiles'),
    truncatedFiles: sum(ends, 'truncatedFiles'),
    droppedBytes: sum(ends, 'droppedBytes'),
    closedAt: new Date().toISOString(),
    rows: rows.length,
    rowsLost: sum(ends, 'rowsLost'),
  };
  const text = `${rows.map((r) => JSON.stringify(r)).join('\n')}${rows.length > 0 ? '\n' : ''}${JSON.stringify({ end })}\n`;
  writeNew(join(out, 'manifest.jsonl'), text);
  const run = { tool: 'tcpreasm', version: packageVersion(), argv: [...argv], status: end.status, mergedAt: end.closedAt, shardRuns: runs };
  writeNew(join(out, 'run.json'), `${JSON.stringify(run, null, 1)}\n`);
  return { rows: rows.length, files: linked + copied, linked, copied };
}

function sum(ends: readonly End[], k: 'files' | 'bytes' | 'failedFiles' | 'truncatedFiles' | 'droppedBytes' | 'rowsLost'): number {
  return ends.reduce((n, e) => n + e[k], 0);
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw fsError(err, 'read', path);
  }
}

function writeNew(path: string, text: string): void {
  try {
    writeFileSync(path, text, { flag: 'wx' });
  } catch (err) {
    throw fsError(err, 'write', path);
  }
}
