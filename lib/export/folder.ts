import { join } from 'node:path';
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
    throw fsError(err, 'create the output folder', dir);
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

/** mkdir -p; the error, or null. */
function makeFolder(fs: ExportFs, dir: string): unknown {
  try {
    fs.mkdirSync(dir, { recursive: true });
    return null;
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') return err;
    // Node's recursive mkdir says ENOENT for a folder on a read-only file system; the plain call tells the truth.
    try {
      fs.mkdirSync(dir, { recursive: false });
      return null;
    } catch (plain) {
      return errorCode(plain) === 'ENOENT' ? err : plain;
    }
  }
}
