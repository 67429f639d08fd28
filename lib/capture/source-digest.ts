import { createHash, type Hash } from 'node:crypto';

/**
 * The SHA-256 of a capture source's bytes as they are read (the compressed bytes for gzip): what an analyst
 * compares with the hash taken when the evidence was collected. Computed in the read path, so a pipe is
 * hashed too and no file is read twice.
 */
export class SourceDigest {
  private readonly hash: Hash = createHash('sha256');
  private ended = false;

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  /** The source was read to its very end: the digest is the file's. */
  end(): void {
    this.ended = true;
  }

  /** The hex digest, or null when reading stopped before the end (a signal, a read error, corrupt gzip). */
  hex(): string | null {
    return this.ended ? this.hash.digest('hex') : null;
  }

  /** The chunks, each hashed before it is passed on; the end is noted when the source runs out. */
  async *through(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const c of chunks) {
      this.update(c);
      yield c;
    }
    this.ended = true;
  }
}
