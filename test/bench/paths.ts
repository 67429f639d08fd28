import type { CaptureRecord } from '../../lib/capture/record.js';
import { Decoder } from '../../lib/decode/decoder.js';
import { TcpPacket } from '../../lib/decode/packet.js';
import { optionalImport, type Reader } from './engine.js';

/**
 * The analyze and export paths as the bench runs them.
 *
 * LEAD: when lib/pipeline (or the CLI's analyze/export functions) lands, replace the bodies of `analyzePath` and
 * `exportPath` with a call to it: they must run exactly what `tcpreasm analyze` / `tcpreasm export` run (no
 * printing), fill `out`, and throw {@link PhaseUnavailable} while something they need is missing. Until then
 * they wire the engine modules directly when those exist.
 */

/** What a phase run counted; the runner derives rates from it and checks it against the workload's metadata. */
export class PhaseCounts {
  records = 0;
  /** TCP segments decoded. */
  segments = 0;
  payloadBytes = 0;
  /** Connections the engine reported (0 when the phase does not know connections). */
  connections = 0;
  /** Stream bytes delivered by reassembly, or written by export. */
  streamBytes = 0;
  /** Bytes written to disk (export). */
  outputBytes = 0;
}

/** Thrown by a phase whose library pieces have not landed yet. */
export class PhaseUnavailable extends Error {}

/** The parts of lib/reassembly the interim analyze path uses (typed here: the module may not be built yet). */
interface SgLike {
  lengths(): { available: number; saved: number };
}
interface StreamLike {
  accept(...args: unknown[]): boolean;
  reassembled(sg: SgLike, ctx: unknown): void;
  complete(ctx: unknown): boolean;
}
interface AssemblerLike {
  assemble(pkt: TcpPacket): void;
  flushWithOptions(o: { t: number; tc?: number }): unknown;
  flushAll(): number;
}
type AssemblerCtor = new (pool: unknown, options?: object) => AssemblerLike;
type PoolCtor = new (factory: { 'new'(...args: unknown[]): StreamLike }, options?: object) => unknown;

/** Counts connections and delivered bytes; nothing else, so the figure is the engine's. */
class CountingStream implements StreamLike {
  constructor(private readonly out: PhaseCounts) {}
  accept(): boolean {
    return true;
  }
  reassembled(sg: SgLike): void {
    const l = sg.lengths();
    this.out.streamBytes += l.available - l.saved;
  }
  complete(): boolean {
    this.out.connections++;
    return true;
  }
}

async function loadAssembler(): Promise<{ Assembler: AssemblerCtor; StreamPool: PoolCtor }> {
  const index = await optionalImport('../../lib/reassembly/index.js');
  const mod = index ?? { ...(await optionalImport('../../lib/reassembly/assembler.js')), ...(await optionalImport('../../lib/reassembly/pool.js')) };
  if (typeof mod.Assembler !== 'function' || typeof mod.StreamPool !== 'function') {
    throw new PhaseUnavailable('lib/reassembly has no Assembler/StreamPool yet');
  }
  return { Assembler: mod.Assembler as AssemblerCtor, StreamPool: mod.StreamPool as PoolCtor };
}

/** Packets between time-driven flushes (gopacket's examples flush about once a minute of capture). */
const FLUSH_EVERY = 1 << 16;

/**
 * Read + decode + reassemble, no output files: the engine with default (bounded) options, fed every decoded
 * segment, flushed by capture time (pages older than 2 minutes, connections idle 5 minutes) every 65536 packets,
 * then flushAll. Interim until the lead's pipeline replaces it (see the note at the top).
 */
export async function analyzePath(reader: Reader, file: string, out: PhaseCounts): Promise<void> {
  const { Assembler, StreamPool } = await loadAssembler();
  const factory = { new: (): StreamLike => new CountingStream(out) };
  const assembler = new Assembler(new StreamPool(factory));
  const decoder = new Decoder();
  const pkt = new TcpPacket();
  let untilFlush = FLUSH_EVERY;
  const onRecord = (rec: CaptureRecord): void => {
    out.records++;
    if (!decoder.decode(rec, pkt)) return;
    out.segments++;
    out.payloadBytes += pkt.payloadLength;
    assembler.assemble(pkt);
    if (--untilFlush === 0) {
      untilFlush = FLUSH_EVERY;
      const now = pkt.tsSec + pkt.tsNsec * 1e-9;
      assembler.flushWithOptions({ t: now - 120, tc: now - 300 });
    }
  };
  await reader.read(file, onRecord);
  assembler.flushAll();
}

/** The parts of lib/export and of the engine's ScatterGather/Connection the interim export path uses. */
interface SinkLike {
  write(buf: Buffer, offset: number, length: number): void;
  gap(seq: number, length: number, tsSec: number, tsNsec: number): void;
  finish(): void;
}
interface ConnectionExportLike {
  c2s: SinkLike;
  s2c: SinkLike;
  finish(end: { state: string; lastTsSec: number; lastTsNsec: number }): unknown;
}
interface ExporterLike {
  openConnection(info: object): ConnectionExportLike;
  close(): { bytes: number; connections: number };
}
interface FullSg extends SgLike {
  info(): { direction: number; end: boolean; skip: number; seq: number };
  chunkCount(): number;
  chunkBuffer(i: number): Buffer;
  chunkOffset(i: number): number;
  chunkLength(i: number): number;
}
interface EndpointLike {
  addr: Uint32Array;
  port: number;
}
interface ConnLike {
  id: number;
  ipVersion: 4 | 6;
  vlan: number;
  outerVlan: number;
  client: EndpointLike;
  server: EndpointLike;
  firstTsSec: number;
  firstTsNsec: number;
  lastTsSec: number;
  lastTsNsec: number;
  endReason: string | null;
}
interface TimeLike {
  tsSec: number;
  tsNsec: number;
}

/** Hands one connection's reassembled data to its two export sinks, chunk by chunk, without copying. */
class ExportingStream implements StreamLike {
  private readonly exp: ConnectionExportLike;
  constructor(exporter: ExporterLike, private readonly conn: ConnLike, private readonly out: PhaseCounts) {
    this.exp = exporter.openConnection({
      id: conn.id, ipVersion: conn.ipVersion, client: conn.client.addr, clientPort: conn.client.port,
      server: conn.server.addr, serverPort: conn.server.port, vlan: conn.vlan, outerVlan: conn.outerVlan,
      firstTsSec: conn.firstTsSec, firstTsNsec: conn.firstTsNsec,
    });
  }
  accept(): boolean {
    return true;
  }
  reassembled(sg: FullSg, ctx: TimeLike): void {
    const info = sg.info();
    const sink = info.direction === 0 ? this.exp.c2s : this.exp.s2c;
    if (info.skip !== 0) sink.gap(info.skip > 0 ? (info.seq - info.skip) >>> 0 : info.seq, info.skip, ctx.tsSec, ctx.tsNsec);
    const l = sg.lengths();
    this.out.streamBytes += l.available - l.saved;
    const n = sg.chunkCount();
    for (let i = 0; i < n; i++) sink.write(sg.chunkBuffer(i), sg.chunkOffset(i), sg.chunkLength(i));
    if (info.end) sink.finish();
  }
  complete(): boolean {
    const c = this.conn;
    this.out.connections++;
    this.exp.finish({ state: c.endReason ?? 'complete', lastTsSec: c.lastTsSec, lastTsNsec: c.lastTsNsec });
    return true;
  }
}

/**
 * Read + decode + reassemble + write every stream and the manifest into `outDir` (lib/export's StreamExporter
 * with its defaults), flushed like {@link analyzePath}. Interim until the lead's pipeline replaces it.
 */
export async function exportPath(reader: Reader, file: string, outDir: string, out: PhaseCounts): Promise<void> {
  const { Assembler, StreamPool } = await loadAssembler();
  const exportMod = await optionalImport('../../lib/export/index.js');
  const create = (exportMod?.StreamExporter as { create?: (o: object) => ExporterLike } | undefined)?.create;
  if (typeof create !== 'function') throw new PhaseUnavailable('lib/export has no StreamExporter yet');
  const exporter = create({ dir: outDir, force: true });
  const factory = { new: (_p: unknown, _c: unknown, conn: unknown): StreamLike => new ExportingStream(exporter, conn as ConnLike, out) };
  const assembler = new Assembler(new StreamPool(factory));
  const decoder = new Decoder();
  const pkt = new TcpPacket();
  let untilFlush = FLUSH_EVERY;
  const onRecord = (rec: CaptureRecord): void => {
    out.records++;
    if (!decoder.decode(rec, pkt)) return;
    out.segments++;
    out.payloadBytes += pkt.payloadLength;
    assembler.assemble(pkt);
    if (--untilFlush === 0) {
      untilFlush = FLUSH_EVERY;
      const now = pkt.tsSec + pkt.tsNsec * 1e-9;
      assembler.flushWithOptions({ t: now - 120, tc: now - 300 });
    }
  };
  await reader.read(file, onRecord);
  assembler.flushAll();
  out.outputBytes = exporter.close().bytes;
}

/** Read only: a consumer that counts records and bytes. */
export async function readPath(reader: Reader, file: string, out: PhaseCounts): Promise<void> {
  const onRecord = (rec: CaptureRecord): void => {
    out.records++;
    out.payloadBytes += rec.capturedLength;
  };
  await reader.read(file, onRecord);
}

/** Read + decode: one reused TcpPacket, a consumer that counts segments and payload bytes. */
export async function decodePath(reader: Reader, file: string, out: PhaseCounts): Promise<void> {
  const decoder = new Decoder();
  const pkt = new TcpPacket();
  const onRecord = (rec: CaptureRecord): void => {
    out.records++;
    if (decoder.decode(rec, pkt)) {
      out.segments++;
      out.payloadBytes += pkt.payloadLength;
    }
  };
  await reader.read(file, onRecord);
}
