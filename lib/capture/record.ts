import type { CaptureReadBack } from './read-back.js';

/**
 * One packet record of a capture file, as a reader hands it out.
 *
 * Readers reuse a single instance for every record (no allocation per packet): the fields and the bytes are
 * valid only until the callback that received the record returns. Copy what you keep.
 */
export class CaptureRecord {
  /** 1-based number of this packet record in the capture (packet records only, as Wireshark counts frames). */
  recordNumber = 0;
  /** Byte offset of the record's header in the (decompressed) capture stream. */
  fileOffset = 0;
  /** Capture time: whole seconds since the Unix epoch (may be negative for odd writers). */
  tsSec = 0;
  /** Capture time: nanoseconds within the second, 0..999 999 999. */
  tsNsec = 0;
  /** pcapng interface id; 0 for classic pcap. */
  interfaceId = 0;
  /** LINKTYPE_* value of the interface the record came from. */
  linkType = 0;
  /** Bytes present in the capture for this packet. */
  capturedLength = 0;
  /** Bytes the packet had on the wire (larger than capturedLength when cut by snaplen). */
  originalLength = 0;
  /** Buffer holding the packet bytes at [offset, offset + capturedLength). Reused by the reader. */
  buf: Buffer = EMPTY;
  /** Offset of the first packet byte in `buf`. */
  offset = 0;
  /** Offset of the first packet byte in the (decompressed) capture stream. */
  dataFileOffset = 0;
  /**
   * Reads the capture's bytes back by stream offset: set when the source is a plain file (the stream offsets are
   * file positions), null for pipes, streams and gzip. The same for every record of one read.
   */
  readBack: CaptureReadBack | null = null;

  /** True when the packet was cut by snaplen (fewer bytes captured than were on the wire). */
  get truncated(): boolean {
    return this.capturedLength < this.originalLength;
  }

  /** The packet bytes as a view into the reader's buffer (allocates a view object; not for the hot path). */
  bytes(): Buffer {
    return this.buf.subarray(this.offset, this.offset + this.capturedLength);
  }
}

const EMPTY = Buffer.alloc(0);

/** Well-known LINKTYPE_* values (https://www.tcpdump.org/linktypes.html). */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW_12: 12,
  RAW_14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;
