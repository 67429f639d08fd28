/**
 * `http -o DIR`: each body to its own file, streamed (the parser keeps none of it), holes as zeros at their
 * place so offsets inside the object are right, and `objects.jsonl` listing each with its exchange, sha256, the
 * range it occupies in the reassembled stream and its holes. Files are made exclusively, never through a link,
 * named from connection, exchange and the URI's last segment, sanitised so no name leaves DIR.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode, fsError, type ExportError } from '../export/errors.js';
import { prepareOutputFolder } from '../export/folder.js';
import { OPEN_NEW, realFs, type ExportFs } from '../export/fs.js';
import type { BodySink, HttpExchange } from './connection.js';
import { decodeBody } from './content-coding.js';
import { header, headerList, type MessageEnd } from './message-parser.js';

/** Decoded bodies are bounded: a 1 KB deflate bomb must not become gigabytes. */
export const MAX_DECODED_BYTES = 256 * 1024 * 1024;

/** One line of objects.jsonl. */
export interface ObjectRow {
  file: string;
  connectionId: number;
  exchange: number;
  which: 'request' | 'response';
  method: string | null;
  uri: string | null;
  status: number | null;
  contentType: string | null;
  contentEncoding: string | null;
  bytes: number;
  sha256: string;
  /** Where the body lies in the direction's reassembled stream: relative sequence numbers [start, end). */
  streamStart: number;
  streamEnd: number;
  framing: string;
  /** Holes inside the object: [offset in the object, length]; written as zeros. */
  holes: Array<[number, number]>;
  partial: boolean;
  /** With decode: the decoded copy (`FILE.decoded`), or why there is none. */
  decoded?: { file: string; bytes: number; sha256: string; note: string | null } | { error: string };
}

class BodyFile implements BodySink {
  private fd = -1;
  /** The file exists (it is made at the body's first byte or hole). */
  made = false;
  private failed: ExportError | null = null;

  constructor(
    private readonly objects: ObjectWriter,
    private readonly e: HttpExchange,
    private readonly which: 'request' | 'response',
    public name: string,
  ) {}

  write(bytes: Uint8Array, offsetInBody: number): void {
    if (this.open()) this.put(bytes, offsetInBody);
  }

  hole(_length: number, _offsetInBody: number): void {
    // Left sparse: the next write, or the final truncate, puts the zeros there (the file is made now, so a
    // body that is all hole still has its file).
    this.open();
  }

  /** The parser hashed the body as it came (holes as zeros): the file's sha256, without a second pass. */
  close(end: MessageEnd, sha256: string): void {
    // An empty body gets no file (nor a row).
    if (end.bodyLength > 0 && this.open()) {
      try {
        this.objects.fs.ftruncateSync(this.fd, end.bodyLength);
      } catch (err) {
        this.failed ??= fsError(err, 'extend', this.path);
      }
      this.objects.fs.closeSync(this.fd);
    }
    this.fd = -1;
    this.objects.done(this, this.e, this.which, end, sha256, this.failed);
  }

  get path(): string {
    return join(this.objects.dir, this.name);
  }

  private open(): boolean {
    if (this.fd >= 0) return true;
    if (this.failed !== null) return false;
    const base = this.name;
    for (let k = 2; ; k++) {
      try {
        this.fd = this.objects.fs.openSync(this.path, OPEN_NEW, 0o644);
        this.made = true;
        return true;
      } catch (err) {
        if (errorCode(err) !== 'EEXIST' || k > 1000) {
          this.failed = fsError(err, 'create', this.path);
          return false;
        }
        this.name = `${base}.${k}`;
      }
    }
  }

  private put(b: Uint8Array, at: number): void {
    try {
      for (let done = 0; done < b.length; ) done += this.objects.fs.writeSync(this.fd, b, done, b.length - done, at + done);
    } catch (err) {
      this.failed = fsError(err, 'write', this.path);
    }
  }
}

/** Writes the bodies of a run's exchanges into one folder, and their list. */
export class ObjectWriter {
  readonly fs: ExportFs;
  private readonly list: number;
  /** Objects written, and the first errors (each naming its file). */
  objects = 0;
  readonly errors: ExportError[] = [];

  constructor(
    readonly dir: string,
    private readonly options: { force?: boolean; decode?: boolean; fs?: ExportFs } = {},
  ) {
    this.fs = options.fs ?? realFs;
    prepareOutputFolder(this.fs, dir, options.force ?? false);
    try {
      this.list = this.fs.openSync(join(dir, 'objects.jsonl'), OPEN_NEW, 0o644);
    } catch (err) {
      throw fsError(err, 'create', join(dir, 'objects.jsonl'));
    }
  }

  /** A sink for a body: every body with bytes (or holes) gets a file. */
  sink(e: HttpExchange, which: 'request' | 'response'): BodySink {
    return new BodyFile(this, e, which, this.nameFor(e, which));
  }

  /** @internal A body is complete: its row. */
  done(f: BodyFile, e: HttpExchange, which: 'request' | 'response', end: MessageEnd, sha256: string, failed: ExportError | null): void {
    if (failed !== null) {
      if (this.errors.length < 100) this.errors.push(failed);
      return;
    }
    if (!f.made) {
      // An empty body: no file, no row.
      return;
    }
    const m = which === 'request' ? e.request! : e.response!;
    const req = e.request?.head ?? null;
    const codings = headerList(m.head, 'content-encoding');
    const row: ObjectRow = {
      file: f.name,
      connectionId: e.connectionId,
      exchange: e.index,
      which,
      method: req?.method ?? null,
      uri: req?.uri ?? null,
      status: e.response?.head.status ?? null,
      contentType: header(m.head, 'content-type'),
      contentEncoding: codings.length === 0 ? null : codings.join(', '),
      bytes: end.bodyLength,
      sha256,
      streamStart: m.head.bodyPosition,
      streamEnd: end.endPosition,
      framing: end.framing,
      holes: end.holes,
      partial: end.holes.length > 0 || !end.complete,
    };
    if (this.options.decode === true && row.contentEncoding !== null && !row.partial) row.decoded = this.decode(f, codings);
    const line = Buffer.from(`${JSON.stringify(row)}\n`, 'utf8');
    this.fs.writeSync(this.list, line, 0, line.length, null);
    this.objects++;
  }

  close(): void {
    this.fs.fsyncSync(this.list);
    this.fs.closeSync(this.list);
  }

  /** The decoded copy of a body in its content codings (`decodeBody`), bounded; or why not. */
  private decode(f: BodyFile, codings: readonly string[]): ObjectRow['decoded'] {
    const name = `${f.name}.decoded`;
    try {
      // Read back with node:fs: the ExportFs seam writes only.
      const d = decodeBody(readFileSync(f.path), codings, MAX_DECODED_BYTES);
      if ('error' in d) return d;
      const out = d.bytes;
      const fd = this.fs.openSync(join(this.dir, name), OPEN_NEW, 0o644);
      try {
        for (let done = 0; done < out.length; ) done += this.fs.writeSync(fd, out, done, out.length - done, done);
      } finally {
        this.fs.closeSync(fd);
      }
      return { file: name, bytes: out.length, sha256: createHash('sha256').update(out).digest('hex'), note: d.note };
    } catch (err) {
      return { error: `not decoded: ${(err as Error).message}` };
    }
  }

  /** `cCONN-EXCHANGE-req|resp-LASTSEGMENT`: safe characters only, never `..`, bounded, unique. */
  private nameFor(e: HttpExchange, which: 'request' | 'response'): string {
    const uri = e.request?.head.uri ?? '';
    const path = uri.split(/[?#]/, 1)[0]!;
    const last = decodeURIComponentSafe(path.slice(path.lastIndexOf('/') + 1));
    const clean = last.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(0, 80);
    // Unique in a run by connection, exchange and side; a name taken by an earlier run (--force) gets .2, .3...
    return `c${e.connectionId}-${e.index}-${which === 'request' ? 'req' : 'resp'}${clean === '' ? '' : `-${clean}`}`;
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
