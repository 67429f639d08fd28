/**
 * The main thread's half of a parallel run: gives each shard's connections their ids and hands the rows over
 * in id order, as one run over the whole input numbers them (Wireshark's `tcp.stream` order: the order the
 * connections were created in, which is the order of the records that created them).
 *
 * Each shard says which record created each of its connections, in its own creation order, and how far it has
 * read. The next id goes to the lowest creating record any shard has named, once every other shard has named a
 * higher one or read past it. Rows wait in held slots until their id is known and every lower id has gone out
 * (IdReorder, bounded as in a single run); ids given and not yet claimed by a row are a map per shard, as large
 * as the shard's open connections.
 */
import { HeldRows } from '../pipeline/held-rows.js';
import { DEFAULT_MAX_HELD_ROWS, IdReorder } from '../pipeline/reorder.js';
import { ConnectionRowView } from '../pipeline/row-view.js';
import { FIELD_OFFSET, ROW_FIELDS } from '../schema/row.js';

/** A row (held slot) or an unselected connection's place waiting for its id. */
const NO_ROW = -1;

class ShardIds<T> {
  /** Creating records named and not yet given an id: `keys[head, keys.length)`, in blocks. */
  private blocks: Float64Array[] = [];
  private at = 0;
  /** Every later creation of this shard is by a record after this one. */
  through = 0;
  /** Ids given so far: the shard's own ids below this have a global id. */
  given = 0;
  /** Global ids given and not yet claimed, by the shard's own id. */
  readonly ids = new Map<number, number>();
  /** Rows whose id is not yet given, by the shard's own id. */
  readonly waiting = new Map<number, T>();

  add(keys: Float64Array): void {
    if (keys.length > 0) this.blocks.push(keys);
  }

  /** The next creating record of this shard without an id, or Infinity. */
  head(): number {
    while (this.blocks.length > 0) {
      if (this.at < this.blocks[0]!.length) return this.blocks[0]![this.at]!;
      this.blocks.shift();
      this.at = 0;
    }
    return Infinity;
  }

  pop(): void {
    this.at++;
  }
}

/**
 * Global ids for the connections of `count` shards: each row claimed with its shard's own id goes to `onId`
 * with its global id as soon as that is known (at once, or when the other shards have read far enough).
 */
export class ShardIdGiver<T> {
  private readonly shards: ShardIds<T>[];
  private nextId = 0;

  constructor(
    count: number,
    private readonly onId: (id: number, row: T) => void,
  ) {
    this.shards = Array.from({ length: count }, () => new ShardIds<T>());
  }

  /** Ids given so far (the progress display's count of connections). */
  get given(): number {
    return this.nextId;
  }

  /** Shard `w` created connections by the records `created` (in its own id order), and has read through record `through` (Infinity at its end). */
  named(w: number, created: Float64Array, through: number): void {
    const s = this.shards[w]!;
    s.add(created);
    s.through = through;
    this.give();
  }

  /** The row of shard `w`'s connection `own` (its own id). */
  claim(w: number, own: number, row: T): void {
    const s = this.shards[w]!;
    if (own >= s.given) {
      s.waiting.set(own, row);
      return;
    }
    const id = s.ids.get(own)!;
    s.ids.delete(own);
    this.onId(id, row);
  }

  /** Gives ids while the lowest creating record named is known to be the lowest there will be. */
  private give(): void {
    const shards = this.shards;
    for (;;) {
      let best = -1;
      let key = Infinity;
      for (let w = 0; w < shards.length; w++) {
        const k = shards[w]!.head();
        if (k < key) {
          key = k;
          best = w;
        }
      }
      if (best < 0) return;
      for (let w = 0; w < shards.length; w++) if (w !== best && shards[w]!.head() === Infinity && shards[w]!.through < key) return;
      const s = shards[best]!;
      s.pop();
      const own = s.given++;
      const id = this.nextId++;
      if (!s.waiting.has(own)) s.ids.set(own, id);
      else {
        const row = s.waiting.get(own)!;
        s.waiting.delete(own);
        this.onId(id, row);
      }
    }
  }
}

/** Ids for the rows of `shards` shards, and the rows handed to `onRow` in id order. */
export class ShardIdMerge {
  private readonly ids: ShardIdGiver<number>;
  private readonly held = new HeldRows();
  private readonly view = new ConnectionRowView();
  readonly reorder: IdReorder<number>;
  rows = 0;

  constructor(
    count: number,
    private readonly onRow: (row: ConnectionRowView) => void,
    maxHeldRows: number = DEFAULT_MAX_HELD_ROWS,
  ) {
    this.ids = new ShardIdGiver<number>(count, (id, row) => this.add(id, row));
    this.reorder = new IdReorder<number>((slot) => this.emit(slot), maxHeldRows);
  }

  /** Connections ids given (the progress display's count). */
  get connections(): number {
    return this.ids.given;
  }

  /**
   * Shard `w`'s batch: the records that created its new connections, how far it has read (`through`; Infinity
   * at its end), the rows that ended (`nRows` in `rows`, the id field the shard's own) and the shard's ids of
   * connections that ended without a row.
   */
  take(w: number, created: Float64Array, through: number, rows: Float64Array, nRows: number, unselected: Float64Array): void {
    this.ids.named(w, created, through);
    for (let r = 0; r < nRows; r++) {
      const slot = this.held.alloc();
      const at = this.held.offset(slot);
      const values = this.held.values(slot);
      values.set(rows.subarray(r * ROW_FIELDS, (r + 1) * ROW_FIELDS), at);
      this.ids.claim(w, values[at + FIELD_OFFSET.id]!, slot);
    }
    for (let i = 0; i < unselected.length; i++) this.ids.claim(w, unselected[i]!, NO_ROW);
  }

  /** The end: rows held for lower ids go out (every shard has ended, so every id is given). */
  finish(): void {
    this.reorder.flush();
  }

  private add(id: number, row: number): void {
    if (row !== NO_ROW) this.held.values(row)[this.held.offset(row) + FIELD_OFFSET.id] = id;
    this.reorder.add(id, row);
  }

  private emit(slot: number): void {
    if (slot === NO_ROW) return;
    this.view.point(this.held.values(slot), this.held.offset(slot));
    this.rows++;
    this.onRow(this.view);
    this.held.release(slot);
  }
}
