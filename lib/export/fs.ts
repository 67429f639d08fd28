import * as nodeFs from 'node:fs';

/**
 * The file-system calls the exporter makes. Synchronous on purpose: the engine delivers stream data from
 * inside its own synchronous callbacks, and the writer batches bytes into large buffers, so it makes few,
 * large calls (one per 64 KiB or more per file); async calls would need the engine to wait on them or an
 * unbounded queue of pending writes. A seam for tests that need ENOSPC, EACCES or EMFILE on a machine
 * where root can write anywhere.
 */
export interface ExportFs {
  openSync(path: string, flags: string, mode?: number): number;
  closeSync(fd: number): void;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number;
  ftruncateSync(fd: number, len: number): void;
  mkdirSync(path: string, options: { recursive: true }): string | undefined;
  readdirSync(path: string): string[];
  statSync(path: string): { isDirectory(): boolean };
}

/** The real file system. */
export const realFs: ExportFs = {
  openSync: (p, f, m) => nodeFs.openSync(p, f, m),
  closeSync: (fd) => nodeFs.closeSync(fd),
  writeSync: (fd, b, o, l, pos) => nodeFs.writeSync(fd, b, o, l, pos),
  ftruncateSync: (fd, len) => nodeFs.ftruncateSync(fd, len),
  mkdirSync: (p, o) => nodeFs.mkdirSync(p, o),
  readdirSync: (p) => nodeFs.readdirSync(p),
  statSync: (p) => nodeFs.statSync(p),
};
