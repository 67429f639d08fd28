/**
 * `split`: the map step of a scale-out run. Reads the captures once and writes every TCP segment's record to the
 * shard its connection hashes to (`connectionHash`, both directions alike), in capture order, with its own time,
 * bytes and link type. A shard is a folder of capture files (`shard-<i>/part-<K>-lt<LINKTYPE>.pcap`: one per
 * link type, since a pcap holds one), which every command reads as a capture set.
 *
 * IP fragments go where their datagram's segment goes: a fragment held by the decoder is kept (copied, bounded)
 * until the fragment that completes the datagram names the connection, then written before it. Records that are
 * not TCP (and fragments whose datagram never completed) are counted, and written to `non-tcp/` when asked.
 */
import { join } from 'node:path';
import { CaptureRecord, expandInputs, readCaptureSet, type CaptureSetSummary, type Diagnostic } from '../capture/index.js';
import { Decoder, TcpPacket } from '../decode/index.js';
import { ExportError, fsError } from '../export/errors.js';
import { prepareOutputFolder } from '../export/folder.js';
import { realFs, type ExportFs } from '../export/fs.js';
import { PcapFileWriter } from './pcap-writer.js';
import { connectionHash } from './shard-hash.js';

/** Options of {@link splitCaptures}. */
export interface SplitOptions {
  /** Number of shards, at least 1. */
  shards: number;
  /** Output folder: created; must be empty unless `force`. */
  dir: string;
  /** This process's part number (each input split by its own process): names the files so they never clash. */
  part?: number;
  /** Records that are not TCP: counted only (default), or also written to `DIR/non-tcp/`. */
  nonTcp?: 'drop' | 'keep';
  force?: boolean;
  /** Bytes of held fragments kept at most (default 64 MiB): beyond, the oldest are given up as not TCP. */
  maxHeldBytes?: number;
  onDiagnostic?: (d: Diagnostic) => void;
  fs?: ExportFs;
}

/** What a split wrote. */
export interface SplitResult {
  shards: number;
  part: number;
  /** Per shard: records and bytes written. */
  perShard: Array<{ shard: number; records: number; bytes: number }>;
  /** Every file written, relative to the output folder. */
  files: string[];
  /** Records that were not TCP, or not decodable as such: counted, and written to non-tcp/ with `keep`. */
  nonTcp: number;
  /** Fragments whose datagram never completed (part of `nonTcp`). */
  fragmentsUnresolved: number;
  read: CaptureSetSummary;
}

/** A file operation's failure as an ExportError that names the file (ENOSPC, EROFS, EEXIST...). */
function writeError(err: unknown, path: string): unknown {
  return err instanceof ExportError ? err : fsError(err, 'write', path);
}

/** A held fragment: a copy of its record. */
interface Held {
  tsSec: number;
  tsNsec: number;
  linkType: number;
  originalLength: number;
  bytes: Buffer;
}

/** Splits `sources` into `options.shards` shards under `options.dir`. */
export async function splitCaptures(sources: readonly string[], options: SplitOptions): Promise<SplitResult> {
  const fs = options.fs ?? realFs;
  const shards = options.shards;
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a whole number of at least 1, not ${shards}`);
  const part = options.part ?? 0;
  // Parts split by separate processes share the folder: their file names never clash (and are made exclusively).
  const shared = options.force === true || options.part !== undefined;
  prepareOutputFolder(fs, options.dir, shared);
  const writers = new Map<number, PcapFileWriter>();
  const folders = new Set<string>();
  /** The file being made or written: what a failure names (set, not built, per record). */
  let writing = options.dir;
  const files: string[] = [];
  const perShard = Array.from({ length: shards }, (_, shard) => ({ shard, records: 0, bytes: 0 }));
  /** Writer key: shard (or -1 for non-tcp) and link type in one number. */
  const writerFor = (shard: number, linkType: number): PcapFileWriter => {
    const k = (shard + 1) * 65536 + (linkType & 0xffff);
    let w = writers.get(k);
    if (w === undefined) {
      const folder = shard < 0 ? 'non-tcp' : `shard-${shard}`;
      const dir = join(options.dir, folder);
      if (!folders.has(dir)) {
        prepareOutputFolder(fs, dir, shared);
        folders.add(dir);
      }
      const name = `part-${part}-lt${linkType}.pcap`;
      writing = join(dir, name);
      w = new PcapFileWriter(fs, writing, linkType);
      writers.set(k, w);
      files.push(`${folder}/${name}`);
    }
    return w;
  };

  const decoder = new Decoder();
  const pkt = new TcpPacket();
  const held = new Map<number, Held[]>();
  let heldBytes = 0;
  const maxHeld = options.maxHeldBytes ?? 64 * 1024 * 1024;
  let nonTcp = 0;
  let unresolved = 0;
  const keep = options.nonTcp === 'keep';
  const other = (rec: CaptureRecord): void => {
    nonTcp++;
    if (keep) {
      const w = writerFor(-1, rec.linkType);
      writing = w.path;
      w.write(rec);
    }
  };
  // A held fragment written out later goes through a record of our own, not the reader's.
  const replay = new CaptureRecord();
  const giveUp = (list: Held[], shard: number): void => {
    for (const h of list) {
      replay.tsSec = h.tsSec;
      replay.tsNsec = h.tsNsec;
      replay.linkType = h.linkType;
      replay.originalLength = h.originalLength;
      replay.capturedLength = h.bytes.length;
      replay.buf = h.bytes;
      replay.offset = 0;
      heldBytes -= h.bytes.length;
      if (shard < 0) {
        unresolved++;
        other(replay);
      } else {
        writeTo(shard, replay);
      }
    }
  };
  const writeTo = (shard: number, rec: CaptureRecord): void => {
    const w = writerFor(shard, rec.linkType);
    const before = w.bytes;
    writing = w.path;
    w.write(rec);
    perShard[shard]!.records++;
    perShard[shard]!.bytes += w.bytes - before;
  };

  const inputs = expandInputs(sources);
  const closeAll = (): void => {
    for (const w of writers.values()) {
      try {
        w.close();
      } catch {
        // Already failing: the first error is the one reported.
      }
    }
  };
  const route = (rec: CaptureRecord): void => {
    const heldBefore = decoder.stats.fragmentsHeld;
    if (decoder.decode(rec, pkt)) {
      const shard = connectionHash(pkt.ipVersion, pkt.src, pkt.srcPort, pkt.dst, pkt.dstPort) % shards;
      if (pkt.reassembled) {
        const list = held.get(decoder.fragments.lastKey);
        if (list !== undefined) {
          held.delete(decoder.fragments.lastKey);
          giveUp(list, shard);
        }
      }
      writeTo(shard, rec);
      return;
    }
    if (decoder.stats.fragmentsHeld > heldBefore) {
      const k = decoder.fragments.lastKey;
      const copy: Held = { tsSec: rec.tsSec, tsNsec: rec.tsNsec, linkType: rec.linkType, originalLength: rec.originalLength, bytes: Buffer.from(rec.bytes()) };
      const list = held.get(k);
      if (list === undefined) held.set(k, [copy]);
      else list.push(copy);
      heldBytes += copy.bytes.length;
      // Bounded: the oldest datagrams are given up first (a Map iterates in insertion order).
      for (const [key, l] of held) {
        if (heldBytes <= maxHeld) break;
        held.delete(key);
        giveUp(l, -1);
      }
      return;
    }
    other(rec);
  };
  const read = await readCaptureSet(
    inputs.files,
    (rec) => {
      try {
        route(rec);
      } catch (err) {
        throw writeError(err, writing);
      }
    },
    { onDiagnostic: options.onDiagnostic, fromFolder: inputs.fromFolder },
  ).catch((err: unknown) => {
    closeAll();
    throw err;
  });
  try {
    // Fragments whose datagram never completed: not TCP as far as anyone can tell.
    for (const l of held.values()) giveUp(l, -1);
    held.clear();
    for (const w of writers.values()) {
      writing = w.path;
      w.close();
    }
  } catch (err) {
    closeAll();
    throw writeError(err, writing);
  }
  return { shards, part, perShard, files: files.sort(), nonTcp, fragmentsUnresolved: unresolved, read };
}
