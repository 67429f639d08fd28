import { u16be, u32be } from '../capture/bytes.js';
import type { TcpPacket } from './packet.js';
import { MalformedKind, type DecodeStats } from './stats.js';
import { checksumValid, pseudoHeaderSum, sumBytes } from './checksum.js';

const OPT_EOL = 0;
const OPT_NOP = 1;
const OPT_MSS = 2;
const OPT_WSCALE = 3;
const OPT_SACK_PERMITTED = 4;
const OPT_SACK = 5;
const OPT_TIMESTAMPS = 8;

/**
 * Decodes the TCP header at `buf[start]` into `out` (addresses, IP version and capture fields are already
 * there). `capEnd` is where the captured bytes of the segment stop, `wireEnd` where the IP length says the
 * segment stops on the wire (capEnd <= wireEnd; they differ only when snaplen cut the record).
 *
 * Returns true when `out` holds a segment. Malformed headers are counted and give false, as does a wrong
 * checksum when `verifyChecksum` is on (a checksum is verified only when the whole segment was captured).
 * A malformed option list is counted but the segment is still delivered with the options read before it.
 */
export function decodeTcp(
  buf: Buffer,
  start: number,
  capEnd: number,
  wireEnd: number,
  out: TcpPacket,
  stats: DecodeStats,
  verifyChecksum: boolean,
): boolean {
  const wireLen = wireEnd - start;
  const capLen = capEnd - start;
  if (wireLen < 20) return stats.countMalformed(MalformedKind.TCP_HEADER_EXCEEDS_IP_LENGTH);
  if (capLen < 20) return stats.countMalformed(MalformedKind.TRUNCATED_TCP_HEADER);
  const dataOffset = buf[start + 12]! >>> 4;
  if (dataOffset < 5) return stats.countMalformed(MalformedKind.BAD_TCP_DATA_OFFSET);
  const hl = dataOffset * 4;
  if (hl > wireLen) return stats.countMalformed(MalformedKind.TCP_HEADER_EXCEEDS_IP_LENGTH);
  if (hl > capLen) return stats.countMalformed(MalformedKind.TRUNCATED_TCP_HEADER);

  out.srcPort = u16be(buf, start);
  out.dstPort = u16be(buf, start + 2);
  out.seq = u32be(buf, start + 4);
  out.ack = u32be(buf, start + 8);
  out.flags = buf[start + 13]!;
  out.window = u16be(buf, start + 14);
  out.urgent = u16be(buf, start + 18);
  out.headerLength = hl;

  out.mss = -1;
  out.windowScale = -1;
  out.sackPermitted = false;
  out.sackCount = 0;
  out.hasTimestamps = false;
  out.tsVal = 0;
  out.tsEcr = 0;
  if (hl > 20 && !parseOptions(buf, start + 20, start + hl, out)) stats.badTcpOptions++;

  const payloadStart = start + hl;
  out.payloadBuf = buf;
  out.payloadOffset = payloadStart;
  out.payloadLength = capEnd - payloadStart;
  out.wireLength = wireEnd - payloadStart;
  if (capEnd < wireEnd) stats.snaplenCut++;

  out.checksumOk = -1;
  if (verifyChecksum && capEnd === wireEnd) {
    const sum = sumBytes(buf, start, capEnd, pseudoHeaderSum(out.ipVersion, out.src, out.dst, wireLen));
    if (checksumValid(sum)) {
      out.checksumOk = 1;
    } else {
      out.checksumOk = 0;
      stats.badTcpChecksums++;
      stats.checksumFailed++;
      return false;
    }
  }
  return true;
}

/**
 * Reads the option list in `buf[i, end)` into `out`. Returns false when the list is malformed: an option whose
 * length byte is missing, below 2 or runs past the header, or a known option with the wrong length. Parsing
 * stops at a length it cannot trust; an option of a wrong but self-consistent length is skipped.
 */
function parseOptions(buf: Buffer, i: number, end: number, out: TcpPacket): boolean {
  let ok = true;
  while (i < end) {
    const kind = buf[i]!;
    if (kind === OPT_EOL) break;
    if (kind === OPT_NOP) {
      i++;
      continue;
    }
    if (i + 1 >= end) return false;
    const len = buf[i + 1]!;
    if (len < 2 || i + len > end) return false;
    switch (kind) {
      case OPT_MSS:
        if (len === 4) out.mss = u16be(buf, i + 2);
        else ok = false;
        break;
      case OPT_WSCALE:
        if (len === 3) out.windowScale = buf[i + 2]!;
        else ok = false;
        break;
      case OPT_SACK_PERMITTED:
        if (len === 2) out.sackPermitted = true;
        else ok = false;
        break;
      case OPT_SACK: {
        const n = (len - 2) >>> 3;
        if ((len - 2) % 8 !== 0 || n < 1 || n > 4) {
          ok = false;
          break;
        }
        const blocks = out.sackBlocks;
        for (let b = 0; b < n; b++) {
          blocks[2 * b] = u32be(buf, i + 2 + 8 * b);
          blocks[2 * b + 1] = u32be(buf, i + 6 + 8 * b);
        }
        out.sackCount = n;
        break;
      }
      case OPT_TIMESTAMPS:
        if (len === 10) {
          out.hasTimestamps = true;
          out.tsVal = u32be(buf, i + 2);
          out.tsEcr = u32be(buf, i + 6);
        } else {
          ok = false;
        }
        break;
      default:
        // Unknown options (MD5 signature, TCP-AO, MPTCP, fast open, ...) are skipped by their length.
        break;
    }
    i += len;
  }
  return ok;
}
