import * as fs from 'node:fs';
import { createGunzip } from 'node:zlib';
import { CaptureParser } from '../../lib/capture/parser.js';
import type { CaptureRecord } from '../../lib/capture/record.js';

/**
 * The library pieces the bench measures, found at run time: the modules are being written while the bench is,
 * so a missing one makes its phase "not available" instead of breaking the build.
 */

/** Reads a capture file and calls `onRecord` for every record; resolves when the file is done. */
export type ReadFn = (file: string, onRecord: (rec: CaptureRecord) => void) => Promise<void>;

/** How records were read: the library's readCapture, or the bench's loop around the library's CaptureParser. */
export interface Reader {
  read: ReadFn;
  impl: string;
}

type ReadCapture = (source: string, onRecord: (rec: CaptureRecord) => void, options?: object) => Promise<unknown>;

/** Imports a module by a path TypeScript does not resolve at build time; undefined when it is missing. */
export async function optionalImport(specifier: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await import(new URL(specifier, import.meta.url).href)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

/** The reader: lib/capture's readCapture once exported, else a plain read loop feeding CaptureParser. */
export async function loadReader(): Promise<Reader> {
  const capture = await optionalImport('../../lib/capture/index.js');
  const readCapture = capture?.readCapture as ReadCapture | undefined;
  if (typeof readCapture === 'function') {
    return { read: async (file, onRecord) => void (await readCapture(file, onRecord)), impl: 'readCapture' };
  }
  return { read: parserLoop, impl: 'CaptureParser+readSync' };
}

const CHUNK = 2 << 20;

/** Stand-in for readCapture: 2 MiB synchronous reads (gunzip stream for .gz) pushed into CaptureParser. */
async function parserLoop(file: string, onRecord: (rec: CaptureRecord) => void): Promise<void> {
  const parser = new CaptureParser(onRecord, { sourceName: file });
  if (file.endsWith('.gz')) {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK }).pipe(createGunzip({ chunkSize: 256 << 10 }))) {
      parser.push(chunk as Buffer);
    }
  } else {
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.allocUnsafe(CHUNK);
    try {
      for (;;) {
        const n = fs.readSync(fd, buf, 0, CHUNK, null);
        if (n === 0) break;
        parser.push(n === CHUNK ? buf : buf.subarray(0, n));
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  parser.end();
}
