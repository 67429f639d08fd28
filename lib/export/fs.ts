import * as nodeFs from 'node:fs';

/**
 * The file-system calls the exporter makes. Synchronous on purpose: the engine delivers stream data from
 * inside its own synchronous callbacks, and the writer batches bytes into large buffers, so it makes few,
 * large calls (a file's buffer of up to 64 KiB goes out in one write or writev); async calls would need the engine to wait on them or an
 * unbounded queue of pending writes. A seam for tests that need ENOSPC, EACCES or EMFILE on a machine
 * where root can write anywhere.
 */
export interface ExportFs {
  openSync(path: string, flags: string | number, mode?: number): number;
  closeSync(fd: number): void;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number;
  writevSync(fd: number, buffers: readonly Uint8Array[], position: number | null): number;
  ftruncateSync(fd: number, len: number): void;
  fsyncSync(fd: number): void;
  unlinkSync(path: string): void;
  mkdirSync(path: string, options: { recursive: boolean }): string | undefined;
  readdirSync(path: string): string[];
  statSync(path: string): { isDirectory(): boolean };
  lstatSync(path: string): { isSymbolicLink(): boolean };
  /** Sets a file's access and modification times (seconds since the epoch, fractions allowed). */
  utimesSync(path: string, atime: number, mtime: number): void;
  renameSync(from: string, to: string): void;
}

/**
 * Open flags for files inside the output folder: never through a symbolic link (O_NOFOLLOW: a link planted
 * there, by name, fails with ELOOP instead of sending the bytes elsewhere). `create`: a new file, exclusive.
 */
export const OPEN_NEW = nodeFs.constants.O_WRONLY | nodeFs.constants.O_CREAT | nodeFs.constants.O_EXCL | nodeFs.constants.O_NOFOLLOW;
/** A file replaced whole (the space reserve), never through a link. */
export const OPEN_REPLACE = nodeFs.constants.O_WRONLY | nodeFs.constants.O_CREAT | nodeFs.constants.O_TRUNC | nodeFs.constants.O_NOFOLLOW;
/** A file of ours reopened for more bytes, never through a link. */
export const OPEN_REOPEN = nodeFs.constants.O_RDWR | nodeFs.constants.O_NOFOLLOW;

/** The real file system. */
export const realFs: ExportFs = {
  openSync: (p, f, m) => nodeFs.openSync(p, f, m),
  closeSync: (fd) => nodeFs.closeSync(fd),
  writeSync: (fd, b, o, l, pos) => nodeFs.writeSync(fd, b, o, l, pos),
  writevSync: (fd, bs, pos) => nodeFs.writevSync(fd, bs as NodeJS.ArrayBufferView[], pos ?? undefined),
  ftruncateSync: (fd, len) => nodeFs.ftruncateSync(fd, len),
  fsyncSync: (fd) => nodeFs.fsyncSync(fd),
  unlinkSync: (p) => nodeFs.unlinkSync(p),
  mkdirSync: (p, o) => nodeFs.mkdirSync(p, o),
  readdirSync: (p) => nodeFs.readdirSync(p),
  statSync: (p) => nodeFs.statSync(p),
  lstatSync: (p) => nodeFs.lstatSync(p),
  utimesSync: (p, a, m) => nodeFs.utimesSync(p, a, m),
  renameSync: (a, b) => nodeFs.renameSync(a, b),
};
