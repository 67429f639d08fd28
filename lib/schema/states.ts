/**
 * How a connection ended, declared once: the engine's end reason, the word every report prints (table, JSON,
 * CSV, manifest), the summary's count key, what it means and how it is reached. Words do not collide with any
 * other field's words: `closed` is a connection state, `complete` only ever says that a manifest file holds
 * every byte the capture gave.
 */

/** One connection state. */
export interface StateSpec {
  /** The engine's end reason (`Connection.endReason`); `open` for a connection not ended yet. */
  readonly reason: string;
  /** The report word: stable value of the `state` field in JSON, CSV and the manifest. */
  readonly word: string;
  /** camelCase key of its count in the run summary (`engine.ended`). */
  readonly key: string;
  readonly meaning: string;
  /** What brings a connection to it. */
  readonly reached: string;
}

/** Every state, in code order (the code of a state is its index here). */
export const CONNECTION_STATES = [
  { reason: 'open', word: 'open', key: 'open', meaning: 'still open', reached: 'not ended yet (seen only in live views of a connection)' },
  { reason: 'closed', word: 'closed', key: 'closed', meaning: 'closed normally', reached: 'FIN seen both ways and all data before each delivered (or skipped, see missingBytes)' },
  { reason: 'reset', word: 'reset', key: 'reset', meaning: 'ended by an RST', reached: 'an RST the receiver could accept, from either side, in order or not (see --rst-policy)' },
  { reason: 'timed-out', word: 'timed out', key: 'timedOut', meaning: 'idle too long', reached: 'no packet for longer than --close-after (capture time)' },
  { reason: 'open-at-end', word: 'open at end', key: 'openAtEnd', meaning: 'still open when the capture ended', reached: 'the end of the capture was reached with the connection open' },
  { reason: 'evicted', word: 'evicted', key: 'evicted', meaning: 'closed to respect --max-connections', reached: 'more connections open at once than the bound: the idlest goes first' },
  { reason: 'superseded', word: 'superseded', key: 'superseded', meaning: 'replaced by a new connection on the same 4-tuple', reached: 'a SYN with a new ISN while this connection was open (port reuse)' },
  { reason: 'interrupted', word: 'interrupted', key: 'interrupted', meaning: 'cut short by the run stopping', reached: 'Ctrl-C, or an output failure, stopped reading while the connection was open' },
] as const satisfies readonly StateSpec[];

type State = (typeof CONNECTION_STATES)[number];

/** Why a connection ended (every state but `open`). */
export type EndReason = Exclude<State['reason'], 'open'>;

/** Summary key of an end reason's count. */
export type EndKey = Extract<State, { reason: EndReason }>['key'];

/** Connections ended, by reason (the run summary's `engine.ended`). */
export type EndedCounts = Record<EndKey, number>;

/** The code of the state `open` (a connection not ended). */
export const OPEN_STATE = 0;

const CODE_OF: Readonly<Record<string, number>> = Object.fromEntries(CONNECTION_STATES.map((s, i) => [s.reason, i]));

/** The state code of an end reason (null: open), an index into {@link CONNECTION_STATES}. */
export function stateCode(reason: EndReason | null): number {
  return reason === null ? OPEN_STATE : CODE_OF[reason]!;
}

/** The report words, indexed by state code. */
export const STATE_WORDS: readonly string[] = CONNECTION_STATES.map((s) => s.word);

/** The report word of an end reason (null: `open`). */
export function stateWord(reason: EndReason | null): string {
  return STATE_WORDS[stateCode(reason)]!;
}

/** A zero count for every end reason, keys in state order. */
export function newEndedCounts(): EndedCounts {
  const o: Record<string, number> = {};
  for (const s of CONNECTION_STATES) if (s.reason !== 'open') o[s.key] = 0;
  return o as EndedCounts;
}

/** Summary key of an end reason. */
export function endKey(reason: EndReason): EndKey {
  return CONNECTION_STATES[CODE_OF[reason]!]!.key as EndKey;
}
