import type { Diagnostic } from '../capture/index.js';
import type { RecordNames } from '../report/record-names.js';
import type { PassOptions } from './options.js';
import { MAX_LISTED_WARNINGS } from './summary.js';

/** Options with the diagnostic sink wrapped so the first diagnostics are also kept for the summary. */
export function keepingWarnings(options: PassOptions): { options: PassOptions; warnings: Diagnostic[] } {
  const warnings: Diagnostic[] = [];
  const forward = options.onDiagnostic;
  return {
    warnings,
    options: {
      ...options,
      onDiagnostic: (d) => {
        if (warnings.length < MAX_LISTED_WARNINGS) warnings.push(d);
        if (forward !== undefined) forward(d);
      },
    },
  };
}

/** Options with onInputs wrapped so `names` learns the inputs (the caller's own onInputs still called). */
export function fillingNames(options: PassOptions, names: RecordNames): PassOptions {
  const forward = options.onInputs;
  return {
    ...options,
    onInputs: (list) => {
      names.set(list);
      forward?.(list);
    },
  };
}
