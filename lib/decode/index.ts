export { Decoder, type DecoderOptions } from './decoder.js';
export { TcpPacket, TcpFlag } from './packet.js';
export {
  DecodeStats,
  MalformedKind,
  NonTcpKind,
  MALFORMED_KIND_NAMES,
  NON_TCP_KIND_NAMES,
} from './stats.js';
export { FragmentReassembler, FragmentResult, type FragmentOptions } from './fragments.js';
export { sumBytes, foldSum, checksumValid, checksumOf, pseudoHeaderSum } from './checksum.js';
