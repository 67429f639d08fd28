/**
 * How a record of a capture set is named by one number: the input's index in the set and the record's number
 * in that input, packed so the engine, which keeps record numbers as plain numbers, carries both unchanged.
 * The first input's records keep their own numbers, so a single capture's output never changes.
 */

/** Records one input can number (pcap and pcapng record numbers stay far below it). */
const PER_INPUT = 2 ** 32;

/** The number standing for record `recordNumber` of input `input` (0-based index in the set). */
export function recordRef(input: number, recordNumber: number): number {
  return input * PER_INPUT + recordNumber;
}

/** The input index a record reference names. */
export function inputOfRef(ref: number): number {
  return Math.floor(ref / PER_INPUT);
}

/** The record number within its input. */
export function recordOfRef(ref: number): number {
  return ref % PER_INPUT;
}
