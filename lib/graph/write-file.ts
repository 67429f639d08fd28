/**
 * Writing the report file whole or not at all: the page goes to a new temporary file beside it (never through a
 * link), is synced, then takes its name. A full disk or a kill part-way leaves no half page under the name,
 * and an existing file is replaced only when asked (`force`); without it the name is claimed with link(2),
 * which fails rather than replace, so two runs never overwrite each other.
 */
import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ExportError, fsError } from '../export/errors.js';
import { OPEN_NEW } from '../export/fs.js';

/** A refusal of our own (not an fs error): the name is taken, or is a folder. */
function refuse(code: string, path: string, why: string): ExportError {
  return new ExportError(code, path, `cannot write ${path}: ${why} (${code})`);
}

/** Writes `text` to `path`. Throws ExportError (its errno code) when it cannot. */
export function writeFileWhole(path: string, text: string, force: boolean): void {
  let existing: fs.Stats | null;
  try {
    existing = fs.lstatSync(path);
  } catch {
    existing = null;
  }
  if (existing !== null && existing.isDirectory()) throw refuse('EISDIR', path, 'it is a folder');
  if (existing !== null && !force) throw refuse('EEXIST', path, 'the file exists (use --force to replace it)');
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  let fd = -1;
  try {
    fd = fs.openSync(tmp, OPEN_NEW, 0o644);
    // A write may be short (a disk filling up): the next one then says why.
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at, bytes.length - at);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
    // rename replaces a planted link itself, never the file it points to.
    if (force) fs.renameSync(tmp, path);
    else claim(tmp, path);
  } catch (e) {
    if (fd >= 0) fs.closeSync(fd);
    try {
      fs.unlinkSync(tmp);
    } catch {
      // Not made, or already renamed.
    }
    if ((e as NodeJS.ErrnoException).code === undefined) throw e;
    throw fsError(e, 'write', path);
  }
}

/** Gives `tmp` the name `path` only if nothing has it; a file system without hard links gets a checked rename. */
function claim(tmp: string, path: string): void {
  try {
    fs.linkSync(tmp, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw e;
    if (fs.existsSync(path)) throw refuse('EEXIST', path, 'the file exists (use --force to replace it)');
    fs.renameSync(tmp, path);
    return;
  }
  fs.unlinkSync(tmp);
}
