import type { CaptureReadBack } from '../capture/read-back.js';
import type { CaptureRecord } from '../capture/record.js';

/** TCP header flag bits, as in the header's flags byte. */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

const EMPTY = Buffer.alloc(0);

/**
 * A decoded TCP segment with its network flow and capture information.
 *
 * The decoder fills one reusable instance per call (no allocation per packet); the payload is a window into
 * the capture reader's buffer (or the fragment reassembler's), valid until the next record. Addresses are
 * four 32-bit words each (network order words, IPv4 in word 3 with words 0..2 zero), so flows hash and
 * compare without building strings.
 */
export class TcpPacket {
  // --- capture information (copied from the record) ---
  recordNumber = 0;
  fileOffset = 0;
  tsSec = 0;
  tsNsec = 0;
  interfaceId = 0;

  // --- link and network layer ---
  /** 802.1Q VLAN id of the innermost tag; -1 when untagged. */
  vlan = -1;
  /** 802.1ad outer VLAN id when double-tagged; -1 otherwise. */
  outerVlan = -1;
  /**
   * The encapsulation the segment came out of, an id of lib/decode/encapsulation.ts (its text from
   * `encapsulationText`); 0 when none. Part of the connection's identity. With a tunnel, `vlan`/`outerVlan` are the
   * outermost Ethernet's tags, and inner tags are in the encapsulation.
   */
  encap = 0;
  ipVersion: 4 | 6 = 4;
  src = new Uint32Array(4);
  dst = new Uint32Array(4);
  /** True when this segment came out of IP fragment reassembly. */
  reassembled = false;

  // --- TCP header ---
  srcPort = 0;
  dstPort = 0;
  /** Sequence number, unsigned 32-bit. */
  seq = 0;
  /** Acknowledgement number, unsigned 32-bit. */
  ack = 0;
  /** Flag bits (see TcpFlag). */
  flags = 0;
  window = 0;
  urgent = 0;
  /** TCP header length in bytes. */
  headerLength = 0;
  /** Checksum verdict: 1 good, 0 bad, -1 not checked (disabled, or payload not fully captured). */
  checksumOk = -1;

  // --- TCP options (-1 / false / 0 when absent) ---
  mss = -1;
  windowScale = -1;
  sackPermitted = false;
  /** Number of SACK blocks present (at most 4); edges in `sackBlocks` as [left0, right0, left1, right1, ...]. */
  sackCount = 0;
  sackBlocks = new Uint32Array(8);
  hasTimestamps = false;
  tsVal = 0;
  tsEcr = 0;

  // --- payload ---
  /** Buffer holding the captured payload at [payloadOffset, payloadOffset + payloadLength). */
  payloadBuf: Buffer = EMPTY;
  payloadOffset = 0;
  /** Payload bytes present in the capture. */
  payloadLength = 0;
  /**
   * Payload bytes the segment carried on the wire, from the IP length. Larger than payloadLength when the
   * record was cut by snaplen: the difference is sequence space whose bytes were never captured.
   */
  wireLength = 0;
  /**
   * Where the payload can be read again: the capture file and the payload's position in it (-1 with a null
   * readBack: a pipe, gzip, a reassembled datagram or a hand-made packet).
   */
  readBack: CaptureReadBack | null = null;
  payloadFileOffset = -1;

  /** Copies the capture information fields from a record. */
  setCapture(rec: CaptureRecord): void {
    this.recordNumber = rec.recordNumber;
    this.fileOffset = rec.fileOffset;
    this.tsSec = rec.tsSec;
    this.tsNsec = rec.tsNsec;
    this.interfaceId = rec.interfaceId;
  }

  /**
   * Notes where the decoded payload can be read again: payload straight from the record's bytes is at a known
   * position of a file with a read-back; a reassembled datagram's is in no file.
   */
  locatePayload(rec: CaptureRecord): void {
    if (rec.readBack !== null && this.payloadBuf === rec.buf) {
      this.readBack = rec.readBack;
      this.payloadFileOffset = rec.dataFileOffset + (this.payloadOffset - rec.offset);
    } else {
      this.readBack = null;
      this.payloadFileOffset = -1;
    }
  }

  /** The captured payload as a view (allocates a view object; not for the hot path). */
  payload(): Buffer {
    return this.payloadBuf.subarray(this.payloadOffset, this.payloadOffset + this.payloadLength);
  }

  /** Deep copy, for tests and for code that keeps a packet past its callback. */
  clone(): TcpPacket {
    const p = new TcpPacket();
    Object.assign(p, this);
    p.src = this.src.slice();
    p.dst = this.dst.slice();
    p.sackBlocks = this.sackBlocks.slice();
    p.payloadBuf = Buffer.from(this.payload());
    p.payloadOffset = 0;
    p.readBack = null;
    p.payloadFileOffset = -1;
    return p;
  }
}
