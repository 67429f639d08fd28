import { formatAddress, parseAddress } from '../net/address.js';
import { NumberColumn } from './number-column.js';
import {
  DIRECTION_FIELDS,
  DIRECTION_KEYS,
  F_C2S,
  F_CLIENT,
  F_CLIENT_PORT,
  F_CONFLICTS_DROPPED,
  F_FIRST_NSEC,
  F_FIRST_SEC,
  F_FLAGS,
  F_ID,
  F_IP_VERSION,
  F_LAST_NSEC,
  F_LAST_SEC,
  F_OUTER_VLAN,
  F_REUSE_INDEX,
  F_S2C,
  F_SERVER,
  F_SERVER_PORT,
  F_STATE,
  F_SUSPICIOUS_RSTS,
  F_VLAN,
  readRow,
  ROW_FIELDS,
  STATE_WORDS,
} from './row-layout.js';
import type { ConnectionRowView } from './row-view.js';
import type { ConnectionReport } from './rows.js';

const PAGES_PEAK = DIRECTION_KEYS.indexOf('pagesPeak');

/**
 * Every connection row of a report kept in columns instead of objects, for the outputs that need all rows
 * before the first can be printed (the table, whose column widths depend on every row, and `--sort`).
 * One {@link NumberColumn} per field of the row layout (1 to 8 bytes a value, by magnitude): addresses as
 * their four words, VLANs offset by one, the state as an index into the state words; text is built again only
 * when a row is read.
 *
 * Memory: 87 values a row; on typical traffic (small counters, IPv4) 100 to 200 bytes a connection, at most
 * about 700 bytes when every counter needs a float (see {@link bytes}). A row of objects costs about 1.5 kB.
 */
export class ConnectionRowStore {
  private n = 0;
  private readonly cols = Array.from({ length: ROW_FIELDS }, () => new NumberColumn());
  /** Not in the row layout (the pipeline's rows derive it from the direction peaks): kept as a report gives it. */
  private readonly peakPages = new NumberColumn();
  /** One row read back or assembled, in the row layout. */
  private readonly scratch = new Float64Array(ROW_FIELDS);
  private readonly states: string[] = [...STATE_WORDS];
  private readonly stateIndex = new Map<string, number>(STATE_WORDS.map((w, i) => [w, i]));
  /** Address text that does not survive parse + format unchanged (never from the engine): kept as given. */
  private readonly oddAddresses = new Map<number, string>();

  /** Rows stored. */
  get length(): number {
    return this.n;
  }

  /** Appends the row a view shows (copied number by number: no text, no object). */
  pushRow(row: ConnectionRowView): void {
    const i = this.n++;
    const a = row.values;
    const at = row.at;
    const cols = this.cols;
    // VLANs are stored + 1 so that "none" (-1) is 0 and the column stays unsigned.
    for (let k = 0; k < ROW_FIELDS; k++) cols[k]!.set(i, k === F_VLAN || k === F_OUTER_VLAN ? a[at + k]! + 1 : a[at + k]!);
    this.peakPages.set(i, a[at + F_C2S + PAGES_PEAK]! + a[at + F_S2C + PAGES_PEAK]!);
  }

  /** Appends a row (copied: the object may be dropped afterwards). */
  push(r: ConnectionReport): void {
    this.set(this.n, r);
  }

  /**
   * Writes a row at slot `i`: an existing one (overwritten) or the next (`length`). Rows the pipeline hands
   * out go in faster with {@link pushRow}; this takes any report object, text included.
   */
  set(i: number, r: ConnectionReport): void {
    if (i > this.n) throw new RangeError(`row slot ${i} past the end (${this.n})`);
    if (i === this.n) this.n++;
    const a = this.scratch;
    a[F_ID] = r.id;
    a[F_IP_VERSION] = r.ipVersion;
    this.address(i, 0, r.client, r.ipVersion);
    this.address(i, 1, r.server, r.ipVersion);
    a[F_CLIENT_PORT] = r.clientPort;
    a[F_SERVER_PORT] = r.serverPort;
    a[F_VLAN] = r.vlan === null ? 0 : r.vlan + 1;
    a[F_OUTER_VLAN] = r.outerVlan === null ? 0 : r.outerVlan + 1;
    let s = this.stateIndex.get(r.state);
    if (s === undefined) {
      s = this.states.length;
      this.states.push(r.state);
      this.stateIndex.set(r.state, s);
    }
    a[F_STATE] = s;
    a[F_FLAGS] = (r.midStream ? 1 : 0) | (r.serverGuessed ? 2 : 0);
    a[F_REUSE_INDEX] = r.reuseIndex;
    a[F_FIRST_SEC] = r.firstTsSec;
    a[F_FIRST_NSEC] = r.firstTsNsec;
    a[F_LAST_SEC] = r.lastTsSec;
    a[F_LAST_NSEC] = r.lastTsNsec;
    a[F_CONFLICTS_DROPPED] = r.conflictsDropped;
    a[F_SUSPICIOUS_RSTS] = r.suspiciousRsts;
    for (let k = 0; k < DIRECTION_FIELDS; k++) {
      a[F_C2S + k] = Number(r.c2s[DIRECTION_KEYS[k]!]);
      a[F_S2C + k] = Number(r.s2c[DIRECTION_KEYS[k]!]);
    }
    for (let k = 0; k < ROW_FIELDS; k++) this.cols[k]!.set(i, a[k]!);
    this.peakPages.set(i, r.peakPages);
  }

  /** Row `i` as a fresh object, equal to the one pushed (key order included). */
  get(i: number): ConnectionReport {
    const a = this.scratch;
    for (let k = 0; k < ROW_FIELDS; k++) a[k] = this.cols[k]!.get(i);
    a[F_VLAN] = a[F_VLAN]! - 1;
    a[F_OUTER_VLAN] = a[F_OUTER_VLAN]! - 1;
    const r = readRow(a, 0, this.states);
    if (this.oddAddresses.size > 0) {
      r.client = this.oddAddresses.get(i * 2) ?? r.client;
      r.server = this.oddAddresses.get(i * 2 + 1) ?? r.server;
    }
    r.peakPages = this.peakPages.get(i);
    return r;
  }

  /** Bytes of column storage (what the rows cost, without the few state words and odd addresses). */
  get bytes(): number {
    return this.cols.reduce((s, c) => s + c.bytes, this.peakPages.bytes);
  }

  /** Writes the words of address `which` (0 client, 1 server) of row `i` into the scratch row. */
  private address(i: number, which: 0 | 1, text: string, v: 4 | 6): void {
    const at = which === 0 ? F_CLIENT : F_SERVER;
    const p = parseAddress(text);
    const ok = p !== null && p.ipVersion === v && formatAddress(p.words, v) === text;
    for (let w = 0; w < 4; w++) this.scratch[at + w] = ok ? p.words[w]! : 0;
    const key = i * 2 + which;
    if (!ok) this.oddAddresses.set(key, text);
    else if (this.oddAddresses.size > 0) this.oddAddresses.delete(key);
  }
}
