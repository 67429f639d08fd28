/**
 * ShardIdMerge: rows from shards, in any order connections end and cut into batches anywhere, come out with the
 * ids one run gives them (creation order across shards) and in id order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD_OFFSET, ROW_FIELDS } from '../schema/row.js';
import { ShardIdMerge } from './id-merge.js';

/** One connection of a made-up run: the record that created it, its shard, when it ends, whether it has a row. */
interface Conn {
  created: number;
  shard: number;
  endsAt: number;
  selected: boolean;
}

/** What the shards post when `conns` (sorted by `created`) are cut into batches at `cuts` (records). */
function run(conns: Conn[], shards: number, cuts: number[][], maxHeld = 1 << 15): { ids: number[]; marks: number[]; late: number } {
  const merge = new ShardIdMerge(shards, (v) => {
    ids.push(v.id);
    // The mark: which connection's row this is (its creating record, kept in a field the merge does not touch).
    marks.push(v.values[v.at + FIELD_OFFSET.clientPort]!);
  }, maxHeld);
  const ids: number[] = [];
  const marks: number[] = [];
  const last = Math.max(0, ...conns.map((c) => c.endsAt)) + 1;
  // Each shard's own ids: its connections in creation order.
  const own = new Map<Conn, number>();
  for (let w = 0; w < shards; w++) conns.filter((c) => c.shard === w).forEach((c, i) => own.set(c, i));
  const cursor = new Array<number>(shards).fill(0);
  // Batches are posted in record order, shard by shard at each cut, as the threads might interleave them.
  const events: Array<{ w: number; through: number }> = [];
  for (let w = 0; w < shards; w++) for (const t of [...cuts[w]!, last].sort((a, b) => a - b)) events.push({ w, through: t });
  events.sort((a, b) => a.through - b.through || a.w - b.w);
  for (const { w, through } of events) {
    const from = cursor[w]!;
    cursor[w] = through;
    const mine = conns.filter((c) => c.shard === w);
    const created = Float64Array.from(mine.filter((c) => c.created > from && c.created <= through).map((c) => c.created));
    const ended = mine.filter((c) => c.endsAt > from && c.endsAt <= through).sort((a, b) => a.endsAt - b.endsAt);
    const withRow = ended.filter((c) => c.selected);
    const rows = new Float64Array(withRow.length * ROW_FIELDS);
    withRow.forEach((c, i) => {
      rows[i * ROW_FIELDS + FIELD_OFFSET.id] = own.get(c)!;
      rows[i * ROW_FIELDS + FIELD_OFFSET.clientPort] = c.created;
    });
    const unselected = Float64Array.from(ended.filter((c) => !c.selected).map((c) => own.get(c)!));
    merge.take(w, created, through === last ? Infinity : through, rows, withRow.length, unselected);
  }
  merge.finish();
  return { ids, marks, late: merge.reorder.lateRows };
}

/** Connections created at distinct records, each ending at or after its creation. */
const connections = (shards: number): fc.Arbitrary<Conn[]> =>
  fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { maxLength: 60 }).chain((records) =>
    fc.tuple(...records.sort((a, b) => a - b).map((r) => fc.record({ created: fc.constant(r), shard: fc.integer({ min: 0, max: shards - 1 }), endsAt: fc.integer({ min: r, max: r + 150 }), selected: fc.integer({ min: 0, max: 4 }).map((x) => x !== 0) }))),
  );

describe('ShardIdMerge', () => {
  it('gives ids in creation order across shards and hands rows over in id order, for any batching and ending order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }).chain((shards) => fc.tuple(fc.constant(shards), connections(shards), fc.array(fc.array(fc.integer({ min: 1, max: 600 }), { maxLength: 12 }), { minLength: shards, maxLength: shards }))),
        ([shards, conns, cuts]) => {
          const { ids, marks, late } = run(conns, shards, cuts);
          // One run's ids: creation order over all shards.
          const expected = conns.map((c, id) => ({ id, c })).filter(({ c }) => c.selected);
          expect(late).toBe(0);
          expect(ids).toEqual(expected.map((e) => e.id));
          expect(marks).toEqual(expected.map((e) => e.c.created));
        },
      ),
    );
  });

  it('names an id only once every shard has read past the record that created it', () => {
    // Shard 1 created connection A at record 10; shard 0 has read only to record 5 and may yet create one before it.
    const seen: number[] = [];
    const merge = new ShardIdMerge(2, (v) => seen.push(v.id));
    const row = (own: number): Float64Array => {
      const r = new Float64Array(ROW_FIELDS);
      r[FIELD_OFFSET.id] = own;
      return r;
    };
    merge.take(1, Float64Array.of(10), 12, row(0), 1, new Float64Array(0));
    merge.take(0, new Float64Array(0), 5, new Float64Array(0), 0, new Float64Array(0));
    expect(seen).toEqual([]);
    // Shard 0 then created B at record 7 (before A): B is id 0, A id 1; A's row waits for B's.
    merge.take(0, Float64Array.of(7), 20, new Float64Array(0), 0, new Float64Array(0));
    expect(seen).toEqual([]);
    expect(merge.connections).toBe(2);
    merge.take(0, new Float64Array(0), Infinity, row(0), 1, new Float64Array(0));
    expect(seen).toEqual([0, 1]);
  });

  it('keeps to its hold bound: past it rows go out anyway, the late ones counted', () => {
    // Connection 0 stays open while 10 later ones end; at most 4 rows may wait.
    const conns: Conn[] = [{ created: 1, shard: 0, endsAt: 100, selected: true }];
    for (let i = 0; i < 10; i++) conns.push({ created: 2 + i, shard: 1, endsAt: 20 + i, selected: true });
    const { ids, late } = run(conns, 2, [[50], [50]], 4);
    expect(late).toBe(1);
    expect([...ids].sort((a, b) => a - b)).toEqual([...Array(11).keys()]);
    expect(ids[ids.length - 1]).toBe(0);
  });
});
