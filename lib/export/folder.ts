import { dirname, join } from 'node:path';
import { ExportError, errorCode, fsError } from './errors.js';
import type { ExportFs } from './fs.js';

/**
 * The output folder rule: create it (and its parents) when missing; refuse a path that is not a folder;
 * refuse a folder that already holds anything unless `force`, so an export never mixes with (or appears to
 * replace) earlier evidence. Throws ExportError naming the folder.
 */
export function prepareOutputFolder(fs: ExportFs, dir: string, force: boolean): void {
  const err = makeFolder(fs, dir);
  if (err !== null) {
    if (errorCode(err) === 'EEXIST' || errorCode(err) === 'ENOTDIR') {
      throw new ExportError('ENOTDIR', dir, `cannot use ${dir} as the output folder: it is not a folder (ENOTDIR)`);
    }
    if (err instanceof ExportError) throw err;
    throw fsError(err, 'create the output folder', pathOf(err, dir));
  }
  let isDir: boolean;
  try {
    isDir = fs.statSync(dir).isDirectory();
  } catch (err) {
    throw fsError(err, 'read the output folder', dir);
  }
  if (!isDir) throw new ExportError('ENOTDIR', dir, `cannot use ${dir} as the output folder: it is not a folder (ENOTDIR)`);
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (err) {
    throw fsError(err, 'read the output folder', dir);
  }
  if (force) {
    // Writing into a used folder: a symbolic link among its entries could send our bytes anywhere. Say which.
    const links = entries.filter((e) => {
      try {
        return fs.lstatSync(join(dir, e)).isSymbolicLink();
      } catch {
        return false;
      }
    });
    if (links.length > 0) {
      throw new ExportError(
        'ELOOP',
        dir,
        `the output folder ${dir} holds symbolic links (${links.slice(0, 5).join(', ')}${links.length > 5 ? ', ...' : ''}); ` +
          'tcpreasm never writes through a link: remove them or choose another folder',
      );
    }
    return;
  }
  if (entries.length > 0) {
    throw new ExportError(
      'ENOTEMPTY',
      dir,
      `the output folder ${dir} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}); ` +
        'choose an empty or new folder, or pass --force to write into it anyway',
    );
  }
}

/**
 * mkdir -p, one level at a time: the error, or null. Node's recursive mkdir is not used: it says ENOENT for a
 * read-only file system, and under /proc it loops forever at full CPU. Here each missing level is made once,
 * so a file system that refuses folders fails at once, with the code of the level that refused.
 */
function makeFolder(fs: ExportFs, dir: string): unknown {
  const missing: string[] = [];
  for (let p = dir; ; ) {
    try {
      fs.statSync(p);
      break;
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') return err;
    }
    missing.push(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    const level = missing[i]!;
    try {
      fs.mkdirSync(level, { recursive: false });
    } catch (err) {
      const code = errorCode(err);
      if (code === 'EEXIST') continue;
      // Its parent exists (it was found or just made), so ENOENT means this file system makes no folders.
      if (code === 'ENOENT') return new ExportError('ENOTSUP', level, `cannot create the output folder ${level}: the file system there does not allow folders to be made`);
      return err;
    }
  }
  return null;
}

/** The path an fs error names, else `dir`. */
function pathOf(err: unknown, dir: string): string {
  const p = (err as { path?: unknown }).path;
  return typeof p === 'string' ? p : dir;
}
