import type { EndReason } from '../reassembly/index.js';

/** Report words of each end reason: stable values of the `state` field in JSON, CSV and the manifest. */
const STATE_TEXT: Readonly<Record<EndReason, string>> = {
  complete: 'complete',
  reset: 'reset',
  'timed-out': 'timed out',
  'open-at-end': 'open at end',
  evicted: 'evicted',
  superseded: 'superseded',
};

/** State of a connection that was still open when the run was interrupted (Ctrl-C). */
export const INTERRUPTED_STATE = 'interrupted';

/** The report word for how a connection ended (`complete`, `reset`, `timed out`, `open at end`, ...). */
export function stateText(reason: EndReason | null, interrupted: boolean): string {
  if (reason === null) return 'open';
  if (interrupted && reason === 'open-at-end') return INTERRUPTED_STATE;
  return STATE_TEXT[reason];
}
