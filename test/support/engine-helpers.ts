/** Shared setup for the engine's unit tests (not part of the public API). */
import { Assembler } from '../../lib/reassembly/assembler.js';
import type { AssemblerOptions, StreamPoolOptions } from '../../lib/reassembly/options.js';
import { StreamPool } from '../../lib/reassembly/pool.js';
import { makePacket, type PacketSpec, RecordingFactory, TcpFlag } from './engine-streams.js';

export const CLIENT = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80 } as const;
export const SERVER = { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000 } as const;
export const { SYN, ACK, FIN, RST, PSH } = TcpFlag;

export function setup(opts?: Partial<AssemblerOptions>, poolOpts?: Partial<StreamPoolOptions>) {
  const factory = new RecordingFactory();
  const pool = new StreamPool(factory, poolOpts);
  const asm = new Assembler(pool, opts);
  return { factory, pool, asm };
}

type Spec = Omit<PacketSpec, 'seq'>;

/** Client-to-server packet. */
export function c2s(seq: number, payload: string | Uint8Array = '', extra: Spec = {}) {
  return makePacket({ ...CLIENT, seq, payload, ...extra });
}

/** Server-to-client packet. */
export function s2c(seq: number, payload: string | Uint8Array = '', extra: Spec = {}) {
  return makePacket({ ...SERVER, seq, payload, ...extra });
}

/** Feeds a three-way handshake with ISNs `ci` (client) and `si` (server), the client on port `port`. */
export function handshake(asm: Assembler, ci: number, si: number, tsSec = 1_700_000_000, port: number = CLIENT.sport): void {
  asm.assemble(c2s(ci, '', { flags: SYN, tsSec, sport: port }));
  asm.assemble(s2c(si, '', { flags: SYN | ACK, ack: (ci + 1) >>> 0, tsSec, dport: port }));
  asm.assemble(c2s((ci + 1) >>> 0, '', { flags: ACK, ack: (si + 1) >>> 0, tsSec, sport: port }));
}
