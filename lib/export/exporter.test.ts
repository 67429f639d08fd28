import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseAddress } from '../net/address.js';
import { ExportError } from './errors.js';
import { realFs, type ExportFs } from './fs.js';
import { RESERVE_FILE } from './reserve.js';
import { parseManifest, type ManifestRow } from './manifest.js';
import type { ExportConnection } from './sink.js';
import { StreamExporter } from './exporter.js';

const root = nodeFs.mkdtempSync(join(tmpdir(), 'tcpreasm-export-'));
afterAll(() => nodeFs.rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `out${dirs++}`);

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const words = (a: string) => parseAddress(a)!.words;

function conn(id: number, over: Partial<ExportConnection> = {}): ExportConnection {
  return {
    id,
    ipVersion: 4,
    client: words(`10.1.${(id >> 8) & 255}.${id & 255}`),
    clientPort: 40000 + (id % 20000),
    server: words('10.99.2.2'),
    serverPort: 9000,
    vlan: -1,
    encapsulation: '',
    outerVlan: -1,
    firstTsSec: 1_700_000_000 + id,
    firstTsNsec: 123,
    ...over,
  };
}

function readManifest(dir: string): ManifestRow[] {
  return parseManifest(nodeFs.readFileSync(join(dir, 'manifest.jsonl'), 'utf8')).rows;
}

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
function bytes(seed: number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 255;
  }
  return b;
}

/** The space reserve and the run record's temporary file: files of the export that are not stream files. */
const notStream = (p: string): boolean => p.endsWith(RESERVE_FILE) || /\/\.run(-\d+)?\.json\.tmp$/.test(p);

/** Real fs that counts open descriptors and can fail chosen calls. */
function countingFs(fail?: (call: string, path: string | number) => string | null) {
  const paths = new Map<number, string>();
  const state = { open: 0, peak: 0, opens: 0, writes: 0 };
  const check = (call: string, p: string | number) => {
    const code = fail?.(call, p) ?? null;
    if (code !== null) throw Object.assign(new Error(code), { code });
  };
  const fs: ExportFs = {
    ...realFs,
    openSync(p, f, m) {
      check('open', p);
      const fd = realFs.openSync(p, f, m);
      // The manifest's space reserve and the run record are not stream files: their calls are not counted.
      if (notStream(p)) return fd;
      paths.set(fd, p);
      state.opens++;
      state.open++;
      state.peak = Math.max(state.peak, state.open);
      return fd;
    },
    closeSync(fd) {
      if (!paths.has(fd)) return realFs.closeSync(fd);
      paths.delete(fd);
      state.open--;
      realFs.closeSync(fd);
    },
    writeSync(fd, b, o, l, pos) {
      if (!paths.has(fd)) return realFs.writeSync(fd, b, o, l, pos);
      check('write', paths.get(fd) ?? fd);
      state.writes++;
      return realFs.writeSync(fd, b, o, l, pos);
    },
    writevSync(fd, bs, pos) {
      if (!paths.has(fd)) return realFs.writevSync(fd, bs, pos);
      check('write', paths.get(fd) ?? fd);
      state.writes++;
      return realFs.writevSync(fd, bs, pos);
    },
  };
  return { fs, state };
}

describe('many streams through a small open-file bound', () => {
  it('1000 streams, at most 16 files open: every file whole and its sha256 right', () => {
    const dir = freshDir();
    const { fs, state } = countingFs();
    // Small buffers so both bounds are exercised hard: 8 KiB buffers, 256 KiB in all (32 buffers for 1000 files).
    const ex = StreamExporter.create({ dir, fs, maxOpenFiles: 16, bufferSize: 8192, maxBufferedBytes: 256 * 1024 });
    const n = 500; // connections, two directions each
    const conns = Array.from({ length: n }, (_, i) => ex.openConnection(conn(i)));
    const want = conns.map((_, i) => [bytes(2 * i + 1, 3000 + ((i * 7919) % 40000)), bytes(2 * i + 2, 100 + ((i * 104729) % 30000))]);
    const pos = want.map(() => [0, 0]);
    // Interleave: every round each direction gets its next chunk of varying size (1..20000 bytes).
    let left = true;
    for (let round = 0; left; round++) {
      left = false;
      for (let i = 0; i < n; i++) {
        for (const d of [0, 1]) {
          const data = want[i][d];
          const at = pos[i][d];
          if (at >= data.length) continue;
          const len = Math.min(data.length - at, 1 + ((round * 131 + i * 17 + d * 5) % 20000));
          (d === 0 ? conns[i].c2s : conns[i].s2c).write(data, at, len);
          pos[i][d] = at + len;
          left = true;
        }
      }
    }
    for (let i = 0; i < n; i++) conns[i].finish({ state: 'complete', lastTsSec: 1_700_000_100, lastTsNsec: 5 });
    const summary = ex.close();

    expect(state.peak).toBeLessThanOrEqual(16);
    expect(state.open).toBe(0);
    expect(summary.fileEvictions).toBeGreaterThan(0);
    expect(summary.forcedFlushes).toBeGreaterThan(0);
    expect(summary.bufferBytesAllocated).toBeLessThanOrEqual(256 * 1024);
    expect(summary).toMatchObject({ connections: n, files: 2 * n, failedFiles: 0, unfinished: 0 });
    const rows = readManifest(dir);
    expect(rows.length).toBe(n);
    for (const row of rows) {
      for (const [d, r] of [[0, row.c2s], [1, row.s2c]] as const) {
        const data = want[row.id][d];
        const file = nodeFs.readFileSync(join(dir, r.file!));
        expect(file.length).toBe(data.length);
        expect(sha(file)).toBe(sha(data));
        expect(r.sha256).toBe(sha(data));
        expect(r.bytes).toBe(data.length);
        expect(r.complete).toBe(true);
      }
    }
    expect(nodeFs.readdirSync(dir).length).toBe(2 * n + 2); // and manifest.jsonl, run.json
  });

  it('writes large chunks with one call each and small ones batched', () => {
    const dir = freshDir();
    const { fs, state } = countingFs();
    const ex = StreamExporter.create({ dir, fs, bufferSize: 64 * 1024 });
    const c = ex.openConnection(conn(1));
    const small = bytes(9, 1000);
    for (let i = 0; i < 640; i++) c.c2s.write(small, 0, 1000); // 640 000 bytes in 1000-byte pieces
    const big = bytes(10, 1 << 20);
    c.s2c.write(big, 0, big.length);
    c.finish({ state: 'complete', lastTsSec: 1, lastTsNsec: 0 });
    ex.close();
    // c2s: 640 000 / 65 536 -> 10 writes (9 full buffers and the rest); s2c: 1; manifest: the row and the end record, 1.
    expect(state.writes).toBe(12);
  });
});

describe('gaps', () => {
  function run(fillGaps: boolean, maxFillBytes?: number) {
    const dir = freshDir();
    const ex = StreamExporter.create({ dir, fillGaps, bufferSize: 4096, fill: { maxFillBytes } });
    const c = ex.openConnection(conn(7));
    const a = bytes(1, 1000);
    const b = bytes(2, 500);
    const z = bytes(3, 300);
    c.c2s.write(a, 0, 1000); // seq 1001..2000 (ISN 1000)
    c.c2s.gap(2001, 100, 1_700_000_010, 42); // small hole: through the buffer
    c.c2s.write(b, 0, 500);
    c.c2s.gap(2601, 10_000, 1_700_000_011, 999_999_999); // larger than a buffer: sparse when filled
    c.c2s.write(z, 0, 300);
    c.c2s.gap(12_901, 5000, 1_700_000_012, 0); // a hole at the very end
    c.s2c.gap(77, -1, 1_700_000_009, 1); // start never seen
    c.s2c.write(b, 0, 10);
    c.c2s.finish({ stats: { packets: 3 }, conflicts: [{ seq: 5 }] });
    const row = c.finish({ state: 'timed out', lastTsSec: 1_700_000_020, lastTsNsec: 7 })!;
    ex.close();
    return { dir, row, a, b, z };
  }

  it('without --fill-gaps: file holds only the data, the gap map says where the holes are', () => {
    const { dir, row, a, b, z } = run(false);
    const want = Buffer.concat([a, b, z]);
    const file = nodeFs.readFileSync(join(dir, row.c2s.file!));
    expect(file.equals(want)).toBe(true);
    expect(row.c2s.sha256).toBe(sha(want));
    expect(row.c2s.gaps).toEqual([
      { offset: 1000, seq: 2001, length: 100, time: '2023-11-14T22:13:30.000000042Z', epoch: '1700000010.000000042', filled: false, unfilledBy: null },
      { offset: 1500, seq: 2601, length: 10_000, time: '2023-11-14T22:13:31.999999999Z', epoch: '1700000011.999999999', filled: false, unfilledBy: null },
      { offset: 1800, seq: 12_901, length: 5000, time: '2023-11-14T22:13:32.000000000Z', epoch: '1700000012.000000000', filled: false, unfilledBy: null },
    ]);
    expect(row.c2s.missingBytes).toBe(15_100);
    expect(row.s2c.gaps).toEqual([{ offset: 0, seq: 77, length: null, time: '2023-11-14T22:13:29.000000001Z', epoch: '1700000009.000000001', filled: false, unfilledBy: null }]);
    expect(row.s2c.missingBytes).toBe(0);
    expect(row.c2s.stats).toEqual({ packets: 3 });
    expect(row.c2s.conflicts).toEqual([{ seq: 5 }]);
    expect(row.state).toBe('timed out');
  });

  it('with --fill-gaps: zeros where the holes are, file offset = sequence number - ISN - 1, zeros hashed', () => {
    const { dir, row, a, b, z } = run(true);
    const want = Buffer.concat([a, Buffer.alloc(100), b, Buffer.alloc(10_000), z, Buffer.alloc(5000)]);
    const file = nodeFs.readFileSync(join(dir, row.c2s.file!));
    expect(file.length).toBe(want.length);
    expect(file.equals(want)).toBe(true);
    expect(row.c2s.sha256).toBe(sha(want));
    expect(row.c2s.bytes).toBe(want.length);
    expect(row.c2s.dataBytes).toBe(1800);
    for (const g of row.c2s.gaps) {
      expect(g.filled).toBe(true);
      expect(g.offset).toBe(g.seq - 1001); // offsets follow sequence numbers
    }
    expect(row.s2c.gaps[0].filled).toBe(false); // unknown length: nothing to fill
  });

  it('holes above the fill limit stay unfilled and say so', () => {
    const { dir, row, a, b, z } = run(true, 4999);
    const want = Buffer.concat([a, Buffer.alloc(100), b, z]);
    expect(nodeFs.readFileSync(join(dir, row.c2s.file!)).equals(want)).toBe(true);
    expect(row.c2s.gaps.map((g) => g.filled)).toEqual([true, false, false]);
    expect(row.c2s.gaps.map((g) => g.unfilledBy)).toEqual([null, 'hole', 'hole']);
    expect(row.c2s.sha256).toBe(sha(want));
  });

  it('the zeros of a stream and of the whole export are bounded: holes past a bound stay holes, counted once', () => {
    const dir = freshDir();
    // Tiny data, huge claimed holes: the crafted capture of the hostile-input issue (6.69 GB from 56.8 kB).
    const ex = StreamExporter.create({ dir, fillGaps: true, fill: { maxFillBytes: 1000, maxFillPerStream: 3500, maxFillTotal: 4000 } });
    const rows = [1, 2].map((id) => {
      const c = ex.openConnection(conn(id));
      for (let i = 0; i < 4; i++) {
        c.c2s.write(bytes(id * 10 + i, 10), 0, 10);
        c.c2s.gap(0, 1000, 1, 0);
      }
      return c.finish({ state: 'complete', lastTsSec: 1, lastTsNsec: 0 })!;
    });
    const summary = ex.close();
    // Stream 1: three holes (3000 zeros), the fourth would pass its 3500; stream 2: one more reaches the run's 4000.
    expect(rows[0].c2s.gaps.map((g) => g.unfilledBy)).toEqual([null, null, null, 'stream']);
    expect(rows[1].c2s.gaps.map((g) => g.unfilledBy)).toEqual([null, 'run', 'run', 'run']);
    expect(rows.map((r) => nodeFs.statSync(join(dir, r.c2s.file!)).size)).toEqual([40 + 3000, 40 + 1000]);
    expect(summary).toMatchObject({ filledBytes: 4000, unfilledHoles: 4, unfilledBytes: 4000, firstFillRefusal: 'stream' });
  });

  it('by default the export zeros stay within 64 MiB plus the data written', () => {
    const dir = freshDir();
    const ex = StreamExporter.create({ dir, fillGaps: true });
    const c = ex.openConnection(conn(1));
    let filled = 0;
    for (let i = 0; i < 8; i++) {
      c.c2s.write(bytes(i, 100), 0, 100);
      c.c2s.gap(0, 15 * 1024 * 1024, 1, 0); // each under the 16 MiB hole bound
    }
    const row = c.finish({ state: 'complete', lastTsSec: 1, lastTsNsec: 0 })!;
    const summary = ex.close();
    for (const g of row.c2s.gaps) if (g.filled) filled += g.length!;
    // Four holes fit the 64 MiB of a stream; the fifth would pass it.
    expect(filled).toBe(4 * 15 * 1024 * 1024);
    expect(row.c2s.gaps.map((g) => g.unfilledBy)).toEqual([null, null, null, null, 'stream', 'stream', 'stream', 'stream']);
    expect(nodeFs.statSync(join(dir, row.c2s.file!)).size).toBe(800 + filled);
    expect(summary.unfilledHoles).toBe(4);
  });

  it('keeps at most maxGapsPerStream entries and counts the rest', () => {
    const dir = freshDir();
    const ex = StreamExporter.create({ dir, maxGapsPerStream: 3 });
    const c = ex.openConnection(conn(1));
    for (let i = 0; i < 10; i++) c.c2s.gap(i * 100, 10, 1, 0);
    const row = c.finish({ state: 'complete', lastTsSec: 1, lastTsNsec: 0 })!;
    ex.close();
    expect(row.c2s.gaps.length).toBe(3);
    expect(row.c2s.gapsOmitted).toBe(7);
    expect(row.c2s.missingBytes).toBe(100);
    expect(row.c2s.file).toBeNull(); // no data, no file
  });
});

describe('manifest rows', () => {
  it('one row a connection with endpoints, times, state, names, counts, hashes', () => {
    const dir = freshDir();
    const ex = StreamExporter.create({ dir });
    const v6 = ex.openConnection(conn(3, { ipVersion: 6, client: words('fd99:1::1'), server: words('fd99:2::2'), clientPort: 40000, vlan: 12 }));
    v6.c2s.write(Buffer.from('GET / HTTP/1.0\r\n\r\n'), 0, 18);
    const row = v6.finish({ state: 'complete', lastTsSec: 1_700_000_004, lastTsNsec: 500 })!;
    ex.close();
    expect(row).toEqual({
      id: 3,
      ipVersion: 6,
      client: 'fd99:1::1',
      clientPort: 40000,
      server: 'fd99:2::2',
      serverPort: 9000,
      vlan: 12,
      outerVlan: null,
      encapsulation: null,
      firstTime: '2023-11-14T22:13:23.000000123Z',
      lastTime: '2023-11-14T22:13:24.000000500Z',
      firstEpoch: '1700000003.000000123',
      lastEpoch: '1700000004.000000500',
      state: 'complete',
      c2s: {
        file: 'fd99:1::1.40000-fd99:2::2.09000--12',
        bytes: 18,
        dataBytes: 18,
        sha256: sha(Buffer.from('GET / HTTP/1.0\r\n\r\n')),
        complete: true,
        truncated: false,
        error: null,
        droppedBytes: 0,
        gaps: [],
        gapsOmitted: 0,
        missingBytes: 0,
        conflicts: [],
        stats: null,
      },
      s2c: {
        file: null,
        bytes: 0,
        dataBytes: 0,
        sha256: sha(Buffer.alloc(0)),
        complete: true,
        truncated: false,
        error: null,
        droppedBytes: 0,
        gaps: [],
        gapsOmitted: 0,
        missingBytes: 0,
        conflicts: [],
        stats: null,
      },
    });
    expect(readManifest(dir)).toEqual([row]);
  });

  it('port reuse gets c1, c2; an existing file (with --force) is never overwritten', () => {
    const dir = freshDir();
    nodeFs.mkdirSync(dir);
    nodeFs.writeFileSync(join(dir, '010.000.000.001.41000-010.000.000.002.00080'), 'evidence');
    const ex = StreamExporter.create({ dir, force: true });
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = ex.openConnection(conn(i, { client: words('10.0.0.1'), clientPort: 41000, server: words('10.0.0.2'), serverPort: 80 }));
      c.c2s.write(Buffer.from(`conn ${i}`), 0, 6);
      c.s2c.write(Buffer.from(`resp ${i}`), 0, 6);
      const row = c.finish({ state: 'complete', lastTsSec: 0, lastTsNsec: 0 })!;
      names.push(row.c2s.file!, row.s2c.file!);
    }
    ex.close();
    expect(names).toEqual([
      '010.000.000.001.41000-010.000.000.002.00080c1',
      '010.000.000.002.00080-010.000.000.001.41000',
      '010.000.000.001.41000-010.000.000.002.00080c2',
      '010.000.000.002.00080-010.000.000.001.41000c1',
      '010.000.000.001.41000-010.000.000.002.00080c3',
      '010.000.000.002.00080-010.000.000.001.41000c2',
    ]);
    expect(nodeFs.readFileSync(join(dir, '010.000.000.001.41000-010.000.000.002.00080'), 'utf8')).toBe('evidence');
    expect(nodeFs.readFileSync(join(dir, '010.000.000.001.41000-010.000.000.002.00080c2'), 'utf8')).toBe('conn 1');
  });

  it('a 4-tuple used 100 times among 3000 others takes c1..c99 without probing its way up each time', () => {
    const dir = freshDir();
    let opens = 0; // attempts, the failed (EEXIST) ones too
    const fs: ExportFs = { ...realFs, openSync: (p, f, m) => (p.endsWith(RESERVE_FILE) || opens++, realFs.openSync(p, f, m)) };
    const ex = StreamExporter.create({ dir, fs });
    const names: string[] = [];
    for (let i = 0; i < 3100; i++) {
      const busy = i % 31 === 0;
      const c = ex.openConnection(busy ? conn(i, { client: words('10.0.0.1'), clientPort: 41000, server: words('10.0.0.2'), serverPort: 80 }) : conn(i));
      c.c2s.write(Buffer.from('x'), 0, 1);
      const row = c.finish({ state: 'complete', lastTsSec: 0, lastTsNsec: 0 })!;
      if (busy) names.push(row.c2s.file!);
    }
    ex.close();
    expect(names).toEqual(Array.from({ length: 100 }, (_, k) => `010.000.000.001.41000-010.000.000.002.00080${k === 0 ? '' : `c${k}`}`));
    // One open a file, the manifest, the run record's temporary file twice (start and end), and the one probe
    // of the base name by the second use (~5000 without hints).
    expect(opens).toBe(3100 + 1 + 2 + 1);
  });

  it('closing with connections still open: their data is flushed and their rows say unfinished and partial', () => {
    const dir = freshDir();
    const ex = StreamExporter.create({ dir });
    const done = ex.openConnection(conn(1));
    const open = ex.openConnection(conn(2));
    open.c2s.write(Buffer.from('half a request'), 0, 14);
    done.finish({ state: 'reset', lastTsSec: 1_700_000_002, lastTsNsec: 0 });
    const summary = ex.close();
    expect(summary).toMatchObject({ connections: 2, unfinished: 1 });
    const rows = readManifest(dir);
    expect(rows.map((r) => [r.id, r.state, r.c2s.complete])).toEqual([
      [1, 'reset', true],
      [2, 'unfinished', false],
    ]);
    expect(rows[1].lastTime).toBeNull();
    expect(nodeFs.readFileSync(join(dir, rows[1].c2s.file!), 'utf8')).toBe('half a request');
    expect(open.c2s.row().complete).toBe(false);
  });
});

describe('the output folder', () => {
  it('is created when missing, with its parents', () => {
    const dir = join(freshDir(), 'a', 'b');
    StreamExporter.create({ dir }).close();
    expect(nodeFs.readdirSync(dir).sort()).toEqual(['manifest.jsonl', 'run.json']);
  });

  it('is refused when not empty, unless forced', () => {
    const dir = freshDir();
    nodeFs.mkdirSync(dir);
    nodeFs.writeFileSync(join(dir, 'old'), 'x');
    expect(() => StreamExporter.create({ dir })).toThrow(ExportError);
    expect(() => StreamExporter.create({ dir })).toThrow(/not empty.*--force/);
    expect(nodeFs.readdirSync(dir)).toEqual(['old']);
    StreamExporter.create({ dir, force: true }).close();
    expect(nodeFs.readdirSync(dir).sort()).toEqual(['manifest.jsonl', 'old', 'run.json']);
  });

  it('is refused when the path is a file', () => {
    const file = join(root, 'a-file');
    nodeFs.writeFileSync(file, 'x');
    expect(() => StreamExporter.create({ dir: file })).toThrow(/not a folder \(ENOTDIR\)/);
    expect(() => StreamExporter.create({ dir: join(file, 'sub') })).toThrow(/ENOTDIR/);
  });

  it('an unwritable folder is a clear error naming it', () => {
    const dir = freshDir();
    const { fs } = countingFs((call, p) => (call === 'open' && String(p).endsWith('manifest.jsonl') ? 'EACCES' : null));
    let err: unknown;
    try {
      StreamExporter.create({ dir, fs });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExportError);
    expect((err as ExportError).code).toBe('EACCES');
    expect((err as ExportError).message).toBe(`cannot create ${join(dir, 'manifest.jsonl')}: permission denied (EACCES)`);
  });
});

describe('write errors', () => {
  it('a manifest write refused by a full disk is cut back off the file: only whole lines, the lost rows counted', () => {
    const dir = freshDir();
    let manifestWrites = 0;
    // The reserve is given up on the first refusal; the retry fails too (someone else took the space).
    const { fs } = countingFs((call, p) => (call === 'write' && String(p).endsWith('manifest.jsonl') && ++manifestWrites <= 2 ? 'ENOSPC' : null));
    const ex = StreamExporter.create({ dir, fs });
    // A row larger than the batch buffer goes out on its own: that write is the one refused.
    const c = ex.openConnection(conn(1));
    for (let i = 0; i < 600; i++) c.c2s.gap(i * 10, 5, i, 0);
    c.c2s.write(bytes(1, 100), 0, 100);
    c.finish({ state: 'complete', lastTsSec: 1, lastTsNsec: 0 });
    const d = ex.openConnection(conn(2));
    d.c2s.write(bytes(2, 50), 0, 50);
    d.finish({ state: 'complete', lastTsSec: 2, lastTsNsec: 0 });
    const summary = ex.close();
    expect(ex.fatalError?.code).toBe('ENOSPC');
    expect(summary.rowsLost).toBe(1);
    const text = nodeFs.readFileSync(join(dir, 'manifest.jsonl'), 'utf8');
    const { rows, end } = parseManifest(text);
    expect(rows.map((r) => r.id)).toEqual([2]);
    expect(end).toMatchObject({ status: 'stopped', rows: 1, rowsLost: 1 });
    expect(nodeFs.existsSync(join(dir, RESERVE_FILE))).toBe(false);
  });

  it('EACCES on one file: that direction is partial with the error naming it; the others are fine', () => {
    const dir = freshDir();
    const { fs } = countingFs((call, p) => (call === 'open' && String(p).includes('.00002-') ? 'EACCES' : null));
    const ex = StreamExporter.create({ dir, fs });
    const a = ex.openConnection(conn(1, { clientPort: 1 }));
    const b = ex.openConnection(conn(2, { clientPort: 2 }));
    for (const c of [a, b]) {
      c.c2s.write(Buffer.from('abcdef'), 0, 6);
      c.s2c.write(Buffer.from('xyz'), 0, 3);
    }
    b.c2s.write(Buffer.from('more'), 0, 4);
    const ra = a.finish({ state: 'complete', lastTsSec: 0, lastTsNsec: 0 })!;
    const rb = b.finish({ state: 'complete', lastTsSec: 0, lastTsNsec: 0 })!;
    const summary = ex.close();
    expect(ra.c2s.complete).toBe(true);
    expect(rb.s2c.complete).toBe(true);
    const path = join(dir, '010.001.000.002.00002-010.099.002.002.09000');
    expect(rb.c2s).toMatchObject({ complete: false, sha256: null, error: `cannot create ${path}: permission denied (EACCES)`, droppedBytes: 10 });
    expect(ex.errors.map((e) => e.path)).toEqual([path]);
    expect(ex.fatalError).toBeNull();
    expect(summary.failedFiles).toBe(1);
  });

  it('ENOSPC: the error names the file and is fatal, so the pass can stop', () => {
    const dir = freshDir();
    let writes = 0;
    const { fs } = countingFs((call, p) => (call === 'write' && !String(p).endsWith('manifest.jsonl') && ++writes > 2 ? 'ENOSPC' : null));
    const ex = StreamExporter.create({ dir, fs, bufferSize: 1024 });
    const c = ex.openConnection(conn(1));
    const data = bytes(5, 5000);
    for (let i = 0; i < 5; i++) c.c2s.write(data, i * 1000, 1000);
    const row = c.finish({ state: 'complete', lastTsSec: 0, lastTsNsec: 0 })!;
    ex.close();
    expect(ex.fatalError?.code).toBe('ENOSPC');
    expect(ex.fatalError?.message).toBe(`cannot write ${join(dir, row.c2s.file!)}: no space left on the device (ENOSPC)`);
    // The file keeps what was written before the disk filled, and its row says exactly what that is.
    const written = data.subarray(0, 2048);
    expect(row.c2s).toMatchObject({ complete: false, truncated: true, bytes: 2048, sha256: sha(written) });
    expect(row.c2s.droppedBytes).toBe(5000 - 2048);
    expect(nodeFs.readFileSync(join(dir, row.c2s.file!)).equals(written)).toBe(true);
  });

  it('EMFILE below the bound: the pool shrinks to what the system allows and every file completes', () => {
    const dir = freshDir();
    const { fs, state } = countingFs((call) => (call === 'open' && state.open >= 5 ? 'EMFILE' : null));
    const ex = StreamExporter.create({ dir, fs, maxOpenFiles: 64, bufferSize: 1024, maxBufferedBytes: 1024 * 1024 });
    const conns = Array.from({ length: 20 }, (_, i) => ex.openConnection(conn(i)));
    const data = bytes(3, 3000);
    for (let r = 0; r < 3; r++) for (const c of conns) c.c2s.write(data, r * 1000, 1000);
    for (const c of conns) c.finish({ state: 'complete', lastTsSec: 0, lastTsNsec: 0 });
    const summary = ex.close();
    expect(summary.openFileLimit).toBeLessThan(5);
    expect(ex.errorCount).toBe(0);
    for (const row of readManifest(dir)) {
      expect(row.c2s.sha256).toBe(sha(data));
      expect(nodeFs.readFileSync(join(dir, row.c2s.file!)).equals(data)).toBe(true);
    }
  });
});

describe('any sequence of writes and holes', () => {
  it('file = the model (data, zeros for filled holes), hash = sha256(file), with tiny pools and short writes', () => {
    // Short writes too, so small first chunks (1 KiB) fill, take a regular one after them, and get flushed.
    const writeLen = fc.oneof(fc.integer({ min: 1, max: 2500 }), fc.integer({ min: 1, max: 30_000 }));
    const op = fc.oneof(
      fc.record({ kind: fc.constant('write' as const), stream: fc.nat(3), len: writeLen }),
      fc.record({ kind: fc.constant('gap' as const), stream: fc.nat(3), len: fc.integer({ min: -1, max: 40_000 }) }),
    );
    let runs = 0;
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.boolean(), fc.boolean(), fc.constantFrom(8, 24), (ops, fillGaps, shortWrites, poolKiB) => {
        const dir = join(root, `prop${runs++}`);
        // Short writes: every write and writev call writes at most 5000 bytes, as a signal-interrupted call may.
        const fs: ExportFs = shortWrites
          ? {
              ...realFs,
              writeSync: (fd, b, o, l, p) => realFs.writeSync(fd, b, o, Math.min(l, 5000), p),
              writevSync: (fd, bs, p) => realFs.writeSync(fd, bs[0], 0, Math.min(bs[0].length, 5000), p),
            }
          : realFs;
        // 24 KiB buffers but a tiny pool: 8 KiB is one regular chunk (no small ones), every new chunk flushes
        // someone, often itself; 24 KiB is one slab of eight 1 KiB chunks and two regular chunks.
        const ex = StreamExporter.create({ dir, fs, fillGaps, bufferSize: 24 * 1024, maxBufferedBytes: poolKiB * 1024, maxOpenFiles: 3, fill: { maxFillBytes: 30_000  }});
        const c = [ex.openConnection(conn(1)), ex.openConnection(conn(2))];
        const sinks = [c[0].c2s, c[0].s2c, c[1].c2s, c[1].s2c];
        const model: Buffer[][] = [[], [], [], []];
        let seed = 1;
        for (const o of ops) {
          if (o.kind === 'write') {
            const data = bytes(seed++, o.len);
            sinks[o.stream].write(data, 0, o.len);
            model[o.stream].push(data);
          } else {
            sinks[o.stream].gap(0, o.len, 0, 0);
            if (fillGaps && o.len > 0 && o.len <= 30_000) model[o.stream].push(Buffer.alloc(o.len));
          }
        }
        const rows = c.map((x) => x.finish({ state: 'complete', lastTsSec: 0, lastTsNsec: 0 })!);
        ex.close();
        const dirs = [rows[0].c2s, rows[0].s2c, rows[1].c2s, rows[1].s2c];
        for (let i = 0; i < 4; i++) {
          const want = Buffer.concat(model[i]);
          const got = dirs[i].file === null ? Buffer.alloc(0) : nodeFs.readFileSync(join(dir, dirs[i].file!));
          expect(got.equals(want)).toBe(true);
          expect(dirs[i].sha256).toBe(sha(want));
          expect(dirs[i].bytes).toBe(want.length);
        }
        nodeFs.rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 60 },
    );
  });
});

describe('write buffers', () => {
  it('a short stream takes a 1 KiB chunk: 1000 of them fit in 125 slabs, with no early flush', () => {
    const dir = freshDir();
    const { fs, state } = countingFs();
    const ex = StreamExporter.create({ dir, fs });
    const conns = Array.from({ length: 500 }, (_, i) => ex.openConnection(conn(i)));
    const want = conns.map((_, i) => [bytes(3 * i + 1, 1 + ((i * 37) % 1024)), bytes(3 * i + 2, 1 + ((i * 101) % 1024))]);
    // Written in two halves, all streams interleaved, so every file holds its chunk until its connection ends.
    for (const half of [0, 1]) {
      conns.forEach((c, i) => {
        for (const d of [0, 1]) {
          const data = want[i][d];
          const mid = data.length >> 1;
          (d === 0 ? c.c2s : c.s2c).write(data, half === 0 ? 0 : mid, half === 0 ? mid : data.length - mid);
        }
      });
    }
    expect(state.opens).toBe(1); // the manifest only: every stream still buffered
    const rows = conns.map((c) => c.finish({ state: 'complete', lastTsSec: 0, lastTsNsec: 0 })!);
    const summary = ex.close();
    expect(summary.bufferBytesAllocated).toBe(125 * 8192); // 1000 x 1 KiB; regular chunks only: 1000 x 8 KiB
    expect(summary.forcedFlushes).toBe(0);
    expect(state.opens).toBe(1001); // each file opened once
    rows.forEach((row, i) => {
      for (const [d, r] of [[0, row.c2s], [1, row.s2c]] as const) {
        expect(nodeFs.readFileSync(join(dir, r.file!)).equals(want[i][d])).toBe(true);
        expect(r.sha256).toBe(sha(want[i][d]));
      }
    });
  });

  it('a buffer that starts with a small chunk still holds exactly bufferSize bytes before it is written', () => {
    const dir = freshDir();
    const sizes: number[] = [];
    const reserve = new Set<number>();
    const fs: ExportFs = {
      ...realFs,
      openSync: (p, f, m) => {
        const fd = realFs.openSync(p, f, m);
        if (notStream(p)) reserve.add(fd);
        else reserve.delete(fd);
        return fd;
      },
      writeSync: (fd, b, o, l, p) => (reserve.has(fd) || sizes.push(l), realFs.writeSync(fd, b, o, l, p)),
      writevSync: (fd, bs, p) => (reserve.has(fd) || sizes.push(bs.reduce((n, v) => n + v.length, 0)), realFs.writevSync(fd, bs, p)),
    };
    const ex = StreamExporter.create({ dir, fs, bufferSize: 64 * 1024 });
    const c = ex.openConnection(conn(1));
    const data = bytes(4, 200_000);
    for (let at = 0; at < data.length; at += 100) c.c2s.write(data, at, 100);
    const row = c.finish({ state: 'complete', lastTsSec: 0, lastTsNsec: 0 })!;
    ex.close();
    sizes.pop(); // the manifest
    expect(sizes).toEqual([65_536, 65_536, 65_536, 200_000 - 3 * 65_536]);
    expect(nodeFs.readFileSync(join(dir, row.c2s.file!)).equals(data)).toBe(true);
  });

  it('small chunks take at most half the bound: the other half stays for regular chunks', () => {
    const dir = freshDir();
    const { fs } = countingFs();
    // 64 KiB bound: 8 units, at most 4 of them slabs (32 small chunks).
    const ex = StreamExporter.create({ dir, fs, maxBufferedBytes: 64 * 1024 });
    const conns = Array.from({ length: 40 }, (_, i) => ex.openConnection(conn(i)));
    const data = bytes(1, 3000);
    // 40 first chunks: 32 small, 8 regular once the slabs are used up, and no room for more.
    for (const c of conns) c.c2s.write(data, 0, 100);
    let summary = ex.close();
    expect(summary.bufferBytesAllocated).toBe(8 * 8192);
    expect(summary.forcedFlushes).toBe(4); // the last 4 first chunks flushed the oldest holders
    const rows = readManifest(dir);
    expect(rows.every((r) => r.c2s.bytes === 100 && r.c2s.sha256 === sha(data.subarray(0, 100)))).toBe(true);

    // A stream that outgrows its small chunk continues in regular ones: one file, one write.
    const dir2 = freshDir();
    const counting = countingFs();
    const ex2 = StreamExporter.create({ dir: dir2, fs: counting.fs });
    const c = ex2.openConnection(conn(1));
    for (let at = 0; at < 3000; at += 100) c.c2s.write(data, at, 100);
    const row = c.finish({ state: 'complete', lastTsSec: 0, lastTsNsec: 0 })!;
    summary = ex2.close();
    expect(nodeFs.readFileSync(join(dir2, row.c2s.file!)).equals(data)).toBe(true);
    expect(counting.state.writes).toBe(2); // the file's writev and the manifest
    expect(summary.bufferBytesAllocated).toBe(2 * 8192); // a slab and a regular chunk
  });
});

describe('manifest writes', () => {
  it('rows of many small connections go out in a few large writes, every row on disk after close', () => {
    const dir = freshDir();
    const { fs, state } = countingFs();
    const ex = StreamExporter.create({ dir, fs });
    const n = 200;
    for (let i = 0; i < n; i++) {
      const c = ex.openConnection(conn(i));
      c.c2s.write(Buffer.from(`req ${i}`), 0, `req ${i}`.length);
      c.finish({ state: 'complete', lastTsSec: 1, lastTsNsec: 0 });
    }
    const fileWrites = n; // one write a file (each c2s holds a few bytes; s2c is empty and never created)
    ex.close();
    const rows = readManifest(dir);
    expect(rows.map((r) => r.id)).toEqual([...Array(n).keys()]);
    const manifestBytes = nodeFs.statSync(join(dir, 'manifest.jsonl')).size;
    // At most one write per 64 KiB of rows (plus the last, partial batch), instead of one per row.
    expect(state.writes - fileWrites).toBeLessThanOrEqual(Math.ceil(manifestBytes / 65536) + 1);
    expect(state.writes - fileWrites).toBeGreaterThanOrEqual(1);
  });
});

describe('manifest rows of any size', () => {
  it('a row larger than the batch buffer and rows with non-ASCII text keep their order and their bytes', () => {
    const dir = freshDir();
    const ex = StreamExporter.create({ dir, maxGapsPerStream: 5000 });
    const notes = ['plain', 'é€😀 ünïcödé', 'x'.repeat(70_000)];
    for (let i = 0; i < 30; i++) {
      const c = ex.openConnection(conn(i));
      c.c2s.write(Buffer.from('data'), 0, 4);
      if (i === 10) for (let g = 0; g < 3000; g++) c.s2c.gap(g * 10, 5, 1, 0); // a row of some 400 KB
      c.c2s.finish({ stats: { note: notes[i % 3] } });
      c.finish({ state: 'complete', lastTsSec: 1, lastTsNsec: 0 });
    }
    ex.close();
    const rows = readManifest(dir);
    expect(rows.map((r) => r.id)).toEqual([...Array(30).keys()]);
    expect(rows.map((r) => (r.c2s.stats as { note: string }).note)).toEqual(Array.from({ length: 30 }, (_, i) => notes[i % 3]));
    expect(rows[10].s2c.gaps.length).toBe(3000);
  });
});

describe('reused connection objects', () => {
  it('a released connection taken by the next one carries nothing over: names, data, gaps, conflicts, stats, errors', () => {
    const dir = freshDir();
    // The first connection's c2s fails to open (EACCES), has gaps, conflicts and stats; the next must not inherit any.
    const { fs } = countingFs((call, p) => (call === 'open' && String(p).includes('.00001-') ? 'EACCES' : null));
    const ex = StreamExporter.create({ dir, fs, maxGapsPerStream: 2 });
    const a = ex.openConnection(conn(1, { clientPort: 1 }));
    a.c2s.write(Buffer.from('lost'), 0, 4);
    for (let i = 0; i < 3; i++) a.s2c.gap(i * 10, 5, 1, 0);
    a.s2c.write(Buffer.from('reply'), 0, 5);
    a.s2c.finish({ stats: { packets: 9 }, conflicts: [{ seq: 1 }] });
    const ra = a.finish({ state: 'reset', lastTsSec: 2, lastTsNsec: 0 })!;
    ex.release(a);
    ex.release(a); // twice: still one spare
    expect(a.finish({ state: 'complete', lastTsSec: 9, lastTsNsec: 0 })).toBeNull(); // released: no second row
    const b = ex.openConnection(conn(2, { clientPort: 2 }));
    const c = ex.openConnection(conn(3, { clientPort: 3 }));
    expect(b).toBe(a); // reused
    expect(c).not.toBe(a);
    b.c2s.write(Buffer.from('fresh'), 0, 5);
    const rb = b.finish({ state: 'complete', lastTsSec: 3, lastTsNsec: 0 })!;
    c.finish({ state: 'complete', lastTsSec: 3, lastTsNsec: 0 });
    ex.close();

    expect(ra.c2s).toMatchObject({ complete: false, sha256: null, droppedBytes: 4 });
    expect(ra.s2c).toMatchObject({ gapsOmitted: 1, missingBytes: 15, conflicts: [{ seq: 1 }], stats: { packets: 9 } });
    expect(ra.s2c.gaps.length).toBe(2); // the earlier row keeps its own gap list
    expect(rb).toMatchObject({ id: 2, clientPort: 2, state: 'complete', lastTime: '1970-01-01T00:00:03.000000000Z' });
    expect(rb.c2s).toEqual({
      file: '010.001.000.002.00002-010.099.002.002.09000',
      bytes: 5,
      dataBytes: 5,
      sha256: sha(Buffer.from('fresh')),
      complete: true,
      truncated: false,
      error: null,
      droppedBytes: 0,
      gaps: [],
      gapsOmitted: 0,
      missingBytes: 0,
      conflicts: [],
      stats: null,
    });
    expect(rb.s2c).toMatchObject({ file: null, bytes: 0, gaps: [], gapsOmitted: 0, missingBytes: 0, conflicts: [], stats: null, complete: true });
    expect(nodeFs.readFileSync(join(dir, rb.c2s.file!), 'utf8')).toBe('fresh');
    expect(readManifest(dir).map((r) => [r.id, r.c2s.error === null])).toEqual([
      [1, false],
      [2, true],
      [3, true],
    ]);
  });

  it('an open connection is not taken back', () => {
    const ex = StreamExporter.create({ dir: freshDir() });
    const a = ex.openConnection(conn(1));
    ex.release(a);
    expect(ex.openConnection(conn(2))).not.toBe(a);
    ex.close();
  });

  it('addresses are copied at open: the caller may reuse its arrays (the engine does)', () => {
    const dir = freshDir();
    const ex = StreamExporter.create({ dir });
    const client = Uint32Array.from(words('10.0.0.1'));
    const server = Uint32Array.from(words('10.0.0.2'));
    const c = ex.openConnection(conn(1, { client, server, clientPort: 41000, serverPort: 80 }));
    c.c2s.write(Buffer.from('x'), 0, 1);
    client.set(words('192.168.7.7'));
    server.set(words('192.168.8.8'));
    c.s2c.write(Buffer.from('y'), 0, 1);
    ex.close(); // abandoned: the row is written after the arrays changed
    const [row] = readManifest(dir);
    expect([row.client, row.server]).toEqual(['10.0.0.1', '10.0.0.2']);
    expect([row.c2s.file, row.s2c.file]).toEqual(['010.000.000.001.41000-010.000.000.002.00080', '010.000.000.002.00080-010.000.000.001.41000']);
  });
});
