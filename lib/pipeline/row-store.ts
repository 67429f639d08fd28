import { formatAddress, parseAddress } from '../net/address.js';
import { HalfStats } from '../reassembly/index.js';
import { NumberColumn } from './number-column.js';
import { directionReport, type ConnectionReport, type DirectionReport } from './rows.js';

/** Direction fields in the order directionReport writes them (the JSON key order), and which are booleans. */
const DIRECTION_TEMPLATE = directionReport(new HalfStats());
const DIRECTION_KEYS = Object.keys(DIRECTION_TEMPLATE) as Array<keyof DirectionReport>;
const DIRECTION_BOOL = DIRECTION_KEYS.map((k) => typeof DIRECTION_TEMPLATE[k] === 'boolean');

/** Top-level numeric fields stored as they are. */
const PLAIN_KEYS = [
  'id', 'clientPort', 'serverPort', 'reuseIndex', 'firstTsSec', 'firstTsNsec', 'lastTsSec', 'lastTsNsec',
  'peakPages', 'conflictsDropped',
] as const;

/**
 * Every connection row of a report kept in columns instead of objects, for the outputs that need all rows
 * before the first can be printed (the table, whose column widths depend on every row, and `--sort`).
 * Numbers sit in {@link NumberColumn}s (1 to 8 bytes a value, by magnitude), addresses as their four words,
 * the state as an index into the few state words; text is built again only when a row is read.
 *
 * Memory: about 75 values a row; on typical traffic (small counters, IPv4) 100 to 200 bytes a connection,
 * at most about 600 bytes when every counter needs a float (see {@link bytes}). A row of objects costs
 * about 1.5 kB.
 */
export class ConnectionRowStore {
  private n = 0;
  private readonly plain = PLAIN_KEYS.map(() => new NumberColumn());
  /** ipVersion, vlan + 1, outerVlan + 1 (0: none), state index, flags (midStream 1, serverGuessed 2). */
  private readonly ipVersion = new NumberColumn();
  private readonly vlan = new NumberColumn();
  private readonly outerVlan = new NumberColumn();
  private readonly state = new NumberColumn();
  private readonly flags = new NumberColumn();
  /** Client words 0-3, server words 0-3. */
  private readonly words = Array.from({ length: 8 }, () => new NumberColumn());
  private readonly c2s = DIRECTION_KEYS.map(() => new NumberColumn());
  private readonly s2c = DIRECTION_KEYS.map(() => new NumberColumn());
  private readonly states: string[] = [];
  private readonly stateIndex = new Map<string, number>();
  /** Address text that does not survive parse + format unchanged (never from the engine): kept as given. */
  private readonly oddAddresses = new Map<number, string>();

  /** Rows stored. */
  get length(): number {
    return this.n;
  }

  /** Appends a row (copied: the object may be dropped afterwards). */
  push(r: ConnectionReport): void {
    this.set(this.n++, r);
  }

  /**
   * Writes a row at slot `i`: an existing one (overwritten) or the next (`length`). With {@link push} the store
   * is a list; with set() on freed slots it is a pool of row slots (rows waiting in the reorder buffer).
   */
  set(i: number, r: ConnectionReport): void {
    if (i > this.n) throw new RangeError(`row slot ${i} past the end (${this.n})`);
    if (i === this.n) this.n++;
    for (let k = 0; k < PLAIN_KEYS.length; k++) this.plain[k]!.set(i, r[PLAIN_KEYS[k]!]);
    this.ipVersion.set(i, r.ipVersion);
    this.vlan.set(i, r.vlan === null ? 0 : r.vlan + 1);
    this.outerVlan.set(i, r.outerVlan === null ? 0 : r.outerVlan + 1);
    let s = this.stateIndex.get(r.state);
    if (s === undefined) {
      s = this.states.length;
      this.states.push(r.state);
      this.stateIndex.set(r.state, s);
    }
    this.state.set(i, s);
    this.flags.set(i, (r.midStream ? 1 : 0) | (r.serverGuessed ? 2 : 0));
    this.address(i, 0, r.client, r.ipVersion);
    this.address(i, 4, r.server, r.ipVersion);
    for (let k = 0; k < DIRECTION_KEYS.length; k++) {
      const key = DIRECTION_KEYS[k]!;
      this.c2s[k]!.set(i, Number(r.c2s[key]));
      this.s2c[k]!.set(i, Number(r.s2c[key]));
    }
  }

  /** Row `i` as a fresh object, equal to the one pushed. */
  get(i: number): ConnectionReport {
    const v = this.ipVersion.get(i) as 4 | 6;
    const vlan = this.vlan.get(i);
    const outer = this.outerVlan.get(i);
    const flags = this.flags.get(i);
    const p = this.plain;
    return {
      id: p[0]!.get(i),
      ipVersion: v,
      client: this.addressText(i, 0, v),
      clientPort: p[1]!.get(i),
      server: this.addressText(i, 4, v),
      serverPort: p[2]!.get(i),
      vlan: vlan === 0 ? null : vlan - 1,
      outerVlan: outer === 0 ? null : outer - 1,
      state: this.states[this.state.get(i)]!,
      midStream: (flags & 1) !== 0,
      serverGuessed: (flags & 2) !== 0,
      reuseIndex: p[3]!.get(i),
      firstTsSec: p[4]!.get(i),
      firstTsNsec: p[5]!.get(i),
      lastTsSec: p[6]!.get(i),
      lastTsNsec: p[7]!.get(i),
      peakPages: p[8]!.get(i),
      conflictsDropped: p[9]!.get(i),
      c2s: direction(this.c2s, i),
      s2c: direction(this.s2c, i),
    };
  }

  /** Bytes of column storage (what the rows cost, without the few state words and odd addresses). */
  get bytes(): number {
    const cols = [...this.plain, this.ipVersion, this.vlan, this.outerVlan, this.state, this.flags, ...this.words, ...this.c2s, ...this.s2c];
    return cols.reduce((s, c) => s + c.bytes, 0);
  }

  private address(i: number, at: number, text: string, v: 4 | 6): void {
    const a = parseAddress(text);
    const ok = a !== null && a.ipVersion === v && formatAddress(a.words, v) === text;
    for (let w = 0; w < 4; w++) this.words[at + w]!.set(i, ok ? a.words[w]! : 0);
    const key = i * 2 + (at === 0 ? 0 : 1);
    if (!ok) this.oddAddresses.set(key, text);
    else if (this.oddAddresses.size > 0) this.oddAddresses.delete(key);
  }

  private addressText(i: number, at: number, v: 4 | 6): string {
    if (this.oddAddresses.size > 0) {
      const odd = this.oddAddresses.get(i * 2 + (at === 0 ? 0 : 1));
      if (odd !== undefined) return odd;
    }
    const w = this.words;
    return formatAddress([w[at]!.get(i), w[at + 1]!.get(i), w[at + 2]!.get(i), w[at + 3]!.get(i)], v);
  }
}

function direction(cols: NumberColumn[], i: number): DirectionReport {
  const d: Record<string, number | boolean> = {};
  for (let k = 0; k < DIRECTION_KEYS.length; k++) {
    const v = cols[k]!.get(i);
    d[DIRECTION_KEYS[k]!] = DIRECTION_BOOL[k] ? v !== 0 : v;
  }
  return d as unknown as DirectionReport;
}
