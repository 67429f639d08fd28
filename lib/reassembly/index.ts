/**
 * tcpreasm's TCP reassembly engine (gopacket's `reassembly` design, with its faults fixed).
 *
 * Usage: make a `StreamPool` with a `StreamFactory`, an `Assembler` on it, call `assemble(pkt)` for every decoded
 * TCP segment in capture order, `flushWithOptions({ t, tc })` now and then with capture times, `flushAll()` at
 * the end.
 */
export { Assembler, type FlushOptions, type FlushResult } from './assembler.js';
export {
  CLIENT_TO_SERVER,
  ConflictRecord,
  type ConflictWinner,
  Connection,
  type ConnectionInfo,
  type Direction,
  Endpoint,
  type EndReason,
  SERVER_TO_CLIENT,
  SuspiciousRst,
} from './connection.js';
export { CONTENT_HASH_NAME, fnv1a32, FNV1A_INIT, tupleHash } from './hash.js';
export { DEFAULT_PAGE_SIZE } from './memory.js';
export {
  type AssemblerOptions,
  DEFAULT_ASSEMBLER_OPTIONS,
  DEFAULT_POOL_OPTIONS,
  type StreamPoolOptions,
} from './options.js';
export { StreamPool, type TombstoneInfo } from './pool.js';
export type { ScatterGather, SgInfo, SgLengths, SgStats } from './scatter-gather.js';
export { Sequence, seqAdd, seqDiff } from './sequence.js';
export { AssemblerStats, HalfStats, PoolStats } from './stats.js';
export {
  type AssemblerContext,
  CaptureInfo,
  type OverlapEvent,
  type OverlapKind,
  type OverlapObserver,
  type StartFlag,
  type Stream,
  type StreamFactory,
} from './stream.js';
export {
  TcpFsmStats,
  TcpOptionCheck,
  type TcpOptionCheckOptions,
  TcpOptionCheckStats,
  TcpSimpleFsm,
  type TcpSimpleFsmOptions,
  TcpState,
} from './tcpcheck.js';
