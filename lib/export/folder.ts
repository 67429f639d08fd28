import { ExportError, errorCode, fsError } from './errors.js';
import type { ExportFs } from './fs.js';

/**
 * The output folder rule: create it (and its parents) when missing; refuse a path that is not a folder;
 * refuse a folder that already holds anything unless `force`, so an export never mixes with (or appears to
 * replace) earlier evidence. Throws ExportError naming the folder.
 */
export function prepareOutputFolder(fs: ExportFs, dir: string, force: boolean): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
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
  if (force) return;
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (err) {
    throw fsError(err, 'read the output folder', dir);
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
