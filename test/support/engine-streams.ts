/**
 * Helpers for tests and benchmarks of the engine: build TcpPackets by hand, and a stream that records what it got.
 */
import { TcpFlag, TcpPacket } from '../../lib/decode/packet.js';
import type { ConnectionInfo, Direction } from '../../lib/reassembly/connection.js';
import type { ScatterGather } from '../../lib/reassembly/scatter-gather.js';
import type { AssemblerContext, StartFlag, Stream, StreamFactory } from '../../lib/reassembly/stream.js';

export { TcpFlag };

/** Fields for `makePacket`; addresses as dotted IPv4 strings. */
export interface PacketSpec {
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  seq: number;
  ack?: number;
  flags?: number;
  payload?: Uint8Array | string;
  /** Payload length on the wire (default: payload length). */
  wireLength?: number;
  window?: number;
  /** Window scale option (SYNs), -1 (absent) by default. */
  windowScale?: number;
  tsSec?: number;
  tsNsec?: number;
  recordNumber?: number;
  fileOffset?: number;
  vlan?: number;
}

function ipv4(s: string): number {
  const p = s.split('.').map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

/** Builds a packet (its own payload buffer, with a few bytes of slack before the payload). */
export function makePacket(spec: PacketSpec): TcpPacket {
  const p = new TcpPacket();
  p.src[3] = ipv4(spec.src ?? '10.0.0.1');
  p.dst[3] = ipv4(spec.dst ?? '10.0.0.2');
  p.srcPort = spec.sport ?? 40000;
  p.dstPort = spec.dport ?? 80;
  p.seq = spec.seq >>> 0;
  p.ack = (spec.ack ?? 0) >>> 0;
  p.flags = spec.flags ?? TcpFlag.ACK;
  p.window = spec.window ?? 65535;
  p.windowScale = spec.windowScale ?? -1;
  p.tsSec = spec.tsSec ?? 1_700_000_000;
  p.tsNsec = spec.tsNsec ?? 0;
  p.recordNumber = spec.recordNumber ?? 0;
  p.fileOffset = spec.fileOffset ?? 0;
  p.vlan = spec.vlan ?? -1;
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload, 'latin1') : Buffer.from(spec.payload ?? []);
  const buf = Buffer.alloc(payload.length + 7, 0xee);
  payload.copy(buf, 7);
  p.payloadBuf = buf;
  p.payloadOffset = 7;
  p.payloadLength = payload.length;
  p.wireLength = spec.wireLength ?? payload.length;
  return p;
}

/** One reassembled call as recorded. */
export interface RecordedChunk {
  dir: Direction;
  bytes: Buffer;
  saved: number;
  skip: number;
  seq: number;
  start: boolean;
  end: boolean;
  /** recordNumber of the packet of every byte (captureInfo per offset). */
  records: number[];
}

/** The fields of an AssemblerContext, copied (flush contexts are reused). */
export interface CtxCopy {
  tsSec: number;
  tsNsec: number;
  recordNumber: number;
  fileOffset: number;
}

function copyCtx(c: AssemblerContext): CtxCopy {
  return { tsSec: c.tsSec, tsNsec: c.tsNsec, recordNumber: c.recordNumber, fileOffset: c.fileOffset };
}

/** A stream that records all data and events. */
export class RecordingStream implements Stream {
  readonly conn: ConnectionInfo;
  readonly data: [Buffer[], Buffer[]] = [[], []];
  readonly calls: RecordedChunk[] = [];
  completed = 0;
  completeReturns = true;
  /** Force a start on the first packet of a direction without SYN. */
  forceStart = false;
  /** Keep from this offset on every call (testing keepFrom), or -1. */
  keepFromOffset = -1;
  recordCaptureInfo = false;
  accepted = 0;
  /** Copies of the context of every reassembled call, in order. */
  readonly contexts: CtxCopy[] = [];
  /** Copy of the context of the complete call. */
  completeContext: CtxCopy | null = null;

  constructor(conn: ConnectionInfo) {
    this.conn = conn;
  }

  accept(_pkt: TcpPacket, _dir: Direction, _nextSeq: number, start: StartFlag, _ctx: AssemblerContext): boolean {
    this.accepted++;
    if (this.forceStart) start.value = true;
    return true;
  }

  reassembled(sg: ScatterGather, ctx: AssemblerContext): void {
    const info = sg.info();
    const { available, saved } = sg.lengths();
    const all = sg.fetch(available);
    const bytes = Buffer.from(all);
    const records: number[] = [];
    if (this.recordCaptureInfo) for (let i = 0; i < available; i++) records.push(sg.captureInfo(i).recordNumber);
    this.calls.push({ dir: info.direction, bytes, saved, skip: info.skip, seq: info.seq, start: info.start, end: info.end, records });
    this.data[info.direction].push(bytes.subarray(saved));
    this.contexts.push(copyCtx(ctx));
    if (this.keepFromOffset >= 0) sg.keepFrom(this.keepFromOffset);
  }

  complete(ctx: AssemblerContext): boolean {
    this.completed++;
    this.completeContext = copyCtx(ctx);
    return this.completeReturns;
  }

  /** All new bytes delivered in a direction. */
  bytes(dir: Direction): Buffer {
    return Buffer.concat(this.data[dir]);
  }
}

/** Factory of RecordingStreams; keeps them in creation order. */
export class RecordingFactory implements StreamFactory {
  readonly streams: RecordingStream[] = [];
  configure: ((s: RecordingStream) => void) | null = null;

  new(_pkt: TcpPacket, _ctx: AssemblerContext, conn: ConnectionInfo): Stream {
    const s = new RecordingStream(conn);
    if (this.configure) this.configure(s);
    this.streams.push(s);
    return s;
  }
}
