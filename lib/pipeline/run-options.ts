import type { ExportOptions } from '../export/index.js';
import { assemblerOptions, poolOptions } from '../reassembly/options.js';
import { formatCaptureTime, formatEpoch } from '../report/time.js';
import type { InputSummary } from '../capture/index.js';
import { DEFAULT_CLOSE_AFTER_SEC, DEFAULT_FLUSH_AFTER_SEC, PIPELINE_POOL_DEFAULTS, type PassOptions } from './options.js';

/**
 * Every option an export ran with, defaults filled in, as its run record keeps them: what a second analyst
 * needs to get the same files from the same capture. `extra` (the command line's filter and time window as
 * typed) is added as given.
 */
export function effectiveOptions(pass: PassOptions, output: ExportOptions, extra: object = {}): object {
  return {
    ...extra,
    export: {
      force: output.force ?? false,
      fillGaps: output.fillGaps ?? false,
      keepConflicts: output.keepConflicts ?? false,
      fill: output.fill ?? {},
      maxOpenFiles: output.maxOpenFiles ?? null,
      bufferSize: output.bufferSize ?? null,
      maxBufferedBytes: output.maxBufferedBytes ?? null,
      maxGapsPerStream: output.maxGapsPerStream ?? null,
    },
    flushAfterSec: pass.flushAfterSec ?? DEFAULT_FLUSH_AFTER_SEC,
    closeAfterSec: pass.closeAfterSec ?? DEFAULT_CLOSE_AFTER_SEC,
    allowMissingInit: pass.allowMissingInit ?? false,
    checkState: pass.checkState ?? false,
    checkOptions: pass.checkOptions ?? false,
    verifyChecksums: pass.verifyChecksums ?? false,
    resync: pass.resync ?? false,
    selected: pass.select !== undefined,
    since: pass.since ?? null,
    until: pass.until ?? null,
    engine: assemblerOptions(pass.assembler),
    connectionTable: poolOptions({ ...PIPELINE_POOL_DEFAULTS, ...pass.pool }),
  };
}

/** An input as the run record lists it: name, size, SHA-256, records, first and last capture time. */
export function inputRecord(i: InputSummary): object {
  return {
    name: i.name,
    size: i.size,
    sha256: i.sha256,
    format: i.format,
    compressed: i.compressed,
    records: i.records,
    firstTime: i.firstTime === null ? null : formatCaptureTime(i.firstTime.sec, i.firstTime.nsec),
    lastTime: i.lastTime === null ? null : formatCaptureTime(i.lastTime.sec, i.lastTime.nsec),
    firstEpoch: i.firstTime === null ? null : formatEpoch(i.firstTime.sec, i.firstTime.nsec),
    lastEpoch: i.lastTime === null ? null : formatEpoch(i.lastTime.sec, i.lastTime.nsec),
    cleanEnd: i.cleanEnd,
  };
}
