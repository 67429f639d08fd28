import { inputOfRef, recordOfRef } from '../capture/record-ref.js';

/**
 * How reports name a record: `record 12` for one capture, `b.pcap record 12` in a capture set, where the
 * engine's record numbers are recordRefs (input and record). Set from the pass's onInputs, before any record.
 */
export class RecordNames {
  private names: readonly string[] = [];

  /** True when records must name their input. */
  get several(): boolean {
    return this.names.length > 1;
  }

  /** `record N`, with the input's name in front in a set. */
  text(ref: number): string {
    return this.several ? `${this.names[inputOfRef(ref)] ?? '?'} record ${recordOfRef(ref)}` : `record ${ref}`;
  }

  /** The record's number within its input. */
  number(ref: number): number {
    return recordOfRef(ref);
  }

  /** The input's name in a set, undefined for one capture. */
  input(ref: number): string | undefined {
    return this.several ? this.names[inputOfRef(ref)] : undefined;
  }

  /** The inputs in timeline order (what recordRef indexes). */
  set(names: readonly string[]): void {
    this.names = names;
  }
}
