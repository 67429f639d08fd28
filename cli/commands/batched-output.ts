import type { Output } from './common.js';

/**
 * Report text collected into writes of about 64 KiB: a report of a million rows is a few thousand writes
 * to stdout instead of a million, and never one string of its whole size.
 */
export class BatchedOutput {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly io: Output,
    private readonly limit = 64 * 1024,
    /** Called once when stdout's reader has gone away (`| head`), so the run can stop reading. */
    private readonly onClosed: () => void = () => {},
  ) {}

  private closedSeen = false;

  /** Adds text; writes the batch once it is large enough. */
  readonly write = (text: string): void => {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= this.limit) this.flush();
  };

  /** Writes whatever is collected. */
  flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    this.io.out(text);
    if (!this.closedSeen && this.io.closed?.() === true) {
      this.closedSeen = true;
      this.onClosed();
    }
  }
}
