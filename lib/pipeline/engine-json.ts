import type { RecordNames } from '../report/record-names.js';
/** The engine's records as the JSON the manifest and the overlaps report print: a direction's counters, conflicts. */
import type { ConnectionInfo, ConflictRecord, Direction, HalfStats } from '../reassembly/index.js';
import { formatCaptureTime, formatEpoch } from '../report/time.js';
import { readDirection, ROW_COUNTERS, type DirectionReport } from '../schema/counters.js';

/** A direction's counters as reports and the manifest print them (the row counters of lib/schema/counters.ts). */
export function directionReport(s: HalfStats): DirectionReport {
  const a = new Float64Array(ROW_COUNTERS);
  s.writeRowCounters(a, 0);
  return readDirection(a, 0);
}

/** One conflicting overlap as JSON: where, both copies (time, record, segment length, hash), which was kept. */
export interface ConflictJson {
  direction: 'c2s' | 's2c';
  /** Sequence range [seq, seq + length) compared, and the first byte that differs. */
  seq: number;
  length: number;
  firstDifferenceSeq: number;
  /** The copy compared against was still buffered (out of order) or already delivered. */
  against: 'buffered' | 'delivered';
  /** Which copy the exported stream holds: `old` (first seen) or `new` (the later one). */
  kept: 'old' | 'new';
  hashName: string;
  old: ConflictCopyJson;
  new: ConflictCopyJson;
}

/** One copy of conflicting bytes. */
export interface ConflictCopyJson {
  time: string;
  epoch: string;
  /** Capture record (frame number) that brought this copy, in its input. */
  recordNumber: number;
  /** The input of that record, in a capture set (absent for one capture). */
  input?: string;
  /** Payload length of that segment on the wire; 0 when unknown. */
  segmentLength: number;
  /** Content hash (hashName, hex) of this copy's bytes in the range. */
  hash: string;
}

const hex32 = (h: number) => (h >>> 0).toString(16).padStart(8, '0');

/** A conflict record as plain JSON. */
export function conflictJson(r: ConflictRecord, names?: RecordNames): ConflictJson {
  const oldInput = names?.input(r.oldRecordNumber);
  const newInput = names?.input(r.newRecordNumber);
  return {
    direction: r.direction === 0 ? 'c2s' : 's2c',
    seq: r.seq,
    length: r.length,
    firstDifferenceSeq: r.firstDifferenceSeq,
    against: r.against,
    kept: r.winner,
    hashName: r.hashName,
    old: {
      time: formatCaptureTime(r.oldTsSec, r.oldTsNsec),
      epoch: formatEpoch(r.oldTsSec, r.oldTsNsec),
      recordNumber: names === undefined ? r.oldRecordNumber : names.number(r.oldRecordNumber),
      ...(oldInput !== undefined ? { input: oldInput } : {}),
      segmentLength: r.oldSegmentLength,
      hash: hex32(r.oldHash),
    },
    new: {
      time: formatCaptureTime(r.newTsSec, r.newTsNsec),
      epoch: formatEpoch(r.newTsSec, r.newTsNsec),
      recordNumber: names === undefined ? r.newRecordNumber : names.number(r.newRecordNumber),
      ...(newInput !== undefined ? { input: newInput } : {}),
      segmentLength: r.newSegmentLength,
      hash: hex32(r.newHash),
    },
  };
}

/** The conflict records of one direction of a connection, as JSON. */
export function directionConflicts(c: ConnectionInfo, dir: Direction, names?: RecordNames): ConflictJson[] {
  const out: ConflictJson[] = [];
  for (const r of c.conflicts) if (r.direction === dir) out.push(conflictJson(r, names));
  return out;
}
