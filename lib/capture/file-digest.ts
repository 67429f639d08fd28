import { Worker } from 'node:worker_threads';

/**
 * The worker's code, inline so the bundled CLI needs no second file: reads the file with its own descriptor in
 * 4 MiB reads and posts the hex SHA-256.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const h = require('node:crypto').createHash('sha256');
const fd = fs.openSync(workerData, 'r');
const buf = Buffer.allocUnsafe(4 << 20);
try {
  for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(n === buf.length ? buf : buf.subarray(0, n));
} finally {
  fs.closeSync(fd);
}
parentPort.postMessage(h.digest('hex'));
`;

/** A file being hashed on another thread: the digest, or null when it could not be read; `cancel` stops it. */
export interface FileDigest {
  readonly digest: Promise<string | null>;
  cancel(): void;
}

/**
 * The SHA-256 of a capture file, computed by a worker thread that reads the file a second time (from the page
 * cache, as the main read has just brought it in): hashing a gigabyte costs half a second of CPU, which then
 * runs on the other core instead of delaying the reassembly.
 */
export function hashFile(path: string): FileDigest {
  const worker = new Worker(WORKER, { eval: true, workerData: path });
  // A hash is never a reason for the process to stay alive.
  worker.unref();
  const digest = new Promise<string | null>((resolve) => {
    worker.once('message', (hex: string) => resolve(hex));
    worker.once('error', () => resolve(null));
    worker.once('exit', () => resolve(null));
  });
  return { digest, cancel: () => void worker.terminate() };
}
