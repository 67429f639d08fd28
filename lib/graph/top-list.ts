/**
 * The N connections with the largest value of one measure, kept as the capture goes: a min-heap of (value,
 * id), so a capture of a million connections costs a comparison per connection. Ties keep the earlier one.
 */
export class TopList {
  private readonly values: number[] = [];
  private readonly ids: number[] = [];

  constructor(readonly size: number) {}

  /**
   * Offers a connection. Returns the id it pushed out, `id` itself when it did not get in, or -1 when it got
   * in and nothing went out. A value of 0 never gets in: a top list of "most conflicts" lists no clean one.
   */
  offer(id: number, value: number): number {
    if (!(value > 0) || this.size === 0) return id;
    if (this.values.length < this.size) {
      this.values.push(value);
      this.ids.push(id);
      this.up(this.values.length - 1);
      return -1;
    }
    if (!(value > this.values[0]!)) return id;
    const out = this.ids[0]!;
    this.values[0] = value;
    this.ids[0] = id;
    this.down(0);
    return out;
  }

  /** Ids largest first (ties: lower id first). */
  ranked(): number[] {
    const order = this.ids.map((id, i) => ({ id, v: this.values[i]! }));
    order.sort((a, b) => b.v - a.v || a.id - b.id);
    return order.map((e) => e.id);
  }

  /** a below b: the smaller value, or on a tie the later id (the first to go). */
  private below(a: number, b: number): boolean {
    const va = this.values[a]!;
    const vb = this.values[b]!;
    return va < vb || (va === vb && this.ids[a]! > this.ids[b]!);
  }

  private swap(a: number, b: number): void {
    const v = this.values[a]!;
    this.values[a] = this.values[b]!;
    this.values[b] = v;
    const i = this.ids[a]!;
    this.ids[a] = this.ids[b]!;
    this.ids[b] = i;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.below(i, p)) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.values.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.below(l, m)) m = l;
      if (r < n && this.below(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
