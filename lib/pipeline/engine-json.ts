import type { RecordNames } from '../report/record-names.js';
/** The engine's records as the JSON the manifest and the overlaps report print: a direction's counters, conflicts. */
import type { ConnectionInfo, ConflictRecord, Direction, HalfStats } from '../reassembly/index.js';
import { formatCaptureTime, formatEpoch } from '../report/time.js';
import { readDirection, ROW_COUNTERS, type DirectionReport } from '../schema/counters.js';
import type { ConflictJson } from '../report/rows.js';

export type { ConflictCopyJson, ConflictJson } from '../report/rows.js';

/** A direction's counters as reports and the manifest print them (the row counters of lib/schema/counters.ts). */
export function directionReport(s: HalfStats): DirectionReport {
  const a = new Float64Array(ROW_COUNTERS);
  s.writeRowCounters(a, 0);
  return readDirection(a, 0);
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
    sampleOffset: (r.sampleSeq - r.seq) >>> 0,
    old: {
      time: formatCaptureTime(r.oldTsSec, r.oldTsNsec),
      epoch: formatEpoch(r.oldTsSec, r.oldTsNsec),
      recordNumber: names === undefined ? r.oldRecordNumber : names.number(r.oldRecordNumber),
      ...(oldInput !== undefined ? { input: oldInput } : {}),
      segmentLength: r.oldSegmentLength,
      hash: hex32(r.oldHash),
      sample: r.oldSample.toString('hex'),
    },
    new: {
      time: formatCaptureTime(r.newTsSec, r.newTsNsec),
      epoch: formatEpoch(r.newTsSec, r.newTsNsec),
      recordNumber: names === undefined ? r.newRecordNumber : names.number(r.newRecordNumber),
      ...(newInput !== undefined ? { input: newInput } : {}),
      segmentLength: r.newSegmentLength,
      hash: hex32(r.newHash),
      sample: r.newSample.toString('hex'),
    },
  };
}

/** The conflict records of one direction of a connection, as JSON. */
export function directionConflicts(c: ConnectionInfo, dir: Direction, names?: RecordNames): ConflictJson[] {
  const out: ConflictJson[] = [];
  for (const r of c.conflicts) if (r.direction === dir) out.push(conflictJson(r, names));
  return out;
}
