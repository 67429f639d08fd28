/** Why writing the export failed, with the file concerned; thrown only for problems with the output folder. */
export class ExportError extends Error {
  /** The errno code (`ENOSPC`, `EACCES`, `EMFILE`, ...) or an export code (`ENOTEMPTY` for a used folder). */
  readonly code: string;
  /** The file or folder concerned. */
  readonly path: string;

  constructor(code: string, path: string, message: string) {
    super(message);
    this.name = 'ExportError';
    this.code = code;
    this.path = path;
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files in this process',
  ENFILE: 'too many open files in the system',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder',
  EEXIST: 'already exists',
  ELOOP: 'it is a symbolic link, which is never followed inside the output folder',
  EIO: 'input/output error',
  EFBIG: 'file too large',
  ENAMETOOLONG: 'name too long',
};

/** Codes after which no further file can be written: the export must stop. */
export const FATAL_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);

/** The errno code of a Node fs error, or `EUNKNOWN`. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}

/** An ExportError for a failed fs call: `cannot write /out/NAME: no space left on the device (ENOSPC)`. */
export function fsError(err: unknown, action: string, path: string): ExportError {
  const code = errorCode(err);
  const reason = REASONS[code] ?? (err instanceof Error ? err.message : String(err));
  return new ExportError(code, path, `cannot ${action} ${path}: ${reason} (${code})`);
}
