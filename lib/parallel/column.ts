/** A growing run of numbers, handed over (transferred) whole with each batch. */
export class Column {
  buf: Float64Array;
  n = 0;
  constructor(private readonly initial: number) {
    this.buf = new Float64Array(initial);
  }
  /** Room for `k` more numbers at `n`. */
  reserve(k: number): void {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const b = new Float64Array(size);
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
  }
  push(v: number): void {
    this.reserve(1);
    this.buf[this.n++] = v;
  }
  /** The numbers so far (a copy sized to them, so the transfer moves no more), and a fresh start. */
  take(): Float64Array {
    const out = this.buf.slice(0, this.n);
    this.n = 0;
    return out;
  }
}
