/**
 * The plain rows reports are rendered from. The pipeline fills them from the engine's statistics; nothing
 * here depends on the engine. Field names are the stable camelCase names of the JSON output.
 */

/** Statistics of one direction of a connection. */
export interface DirectionStats {
  /** TCP segments seen (with or without payload). */
  packets: number;
  /** Payload bytes delivered in order (the reassembled stream). */
  bytes: number;
  /** Bytes that arrived out of order and were buffered until the hole before them was filled or skipped. */
  queuedBytes: number;
  queuedPackets: number;
  /** Bytes that overlapped data already seen (retransmissions and partial overlaps). */
  overlapBytes: number;
  overlapPackets: number;
  /** Overlaps whose bytes differed from the copy already seen. */
  conflicts: number;
  /** Sequence space never seen (holes skipped). */
  missingBytes: number;
  /** RSTs ignored as outside the receiver's window (the pipeline's rows always carry it). */
  rstIgnored?: number;
  /** Segments dropped as outside any plausible window (the pipeline's rows always carry it). */
  outOfWindowPackets?: number;
}

/** One connection of the analyze report. */
export interface ConnectionRow {
  /** Wireshark `tcp.stream` order (0-based, by first packet). */
  id: number;
  ipVersion: 4 | 6;
  /** Address text (see lib/net formatAddress). */
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  /** Innermost VLAN id, null when untagged. */
  vlan: number | null;
  /** `complete`, `reset`, `timed out`, `open at end`, `mid-stream`, ... */
  state: string;
  /** Capture time of the first and last packets. */
  firstTsSec: number;
  firstTsNsec: number;
  lastTsSec: number;
  lastTsNsec: number;
  /** Most out-of-order pages the connection held at once. */
  peakPages: number;
  /** No SYN was seen before the first packet (picked up mid-stream); the table shows it next to the state. */
  midStream?: boolean;
  /** Client and server were guessed from the ports (no SYN / SYN-ACK seen). */
  serverGuessed?: boolean;
  /** Outer VLAN id of double-tagged traffic, null otherwise. */
  outerVlan?: number | null;
  /** 0 for the first connection on a 4-tuple, 1 for the next after port reuse, ... */
  reuseIndex?: number;
  /** Conflict records not kept because of the per-connection bound. */
  conflictsDropped?: number;
  /**
   * RSTs ignored because they lay outside any window the receiver could have had (a blind or forged reset):
   * the connection went on after them. The table shows them next to the state.
   */
  suspiciousRsts?: number;
  c2s: DirectionStats;
  s2c: DirectionStats;
}

/** Totals of a whole run. */
export interface ReportSummary {
  /** Capture file name as given (`-` for stdin). */
  input: string;
  /** Bytes read from the capture (decompressed bytes for gzip). */
  inputBytes: number;
  packetsRead: number;
  tcpSegments: number;
  connections: number;
  bytesReassembled: number;
  bytesMissing: number;
  overlapBytes: number;
  overlapPackets: number;
  conflicts: number;
  /** RSTs ignored as outside the receiver's window (the connection went on; see `--rst-policy`). */
  rstIgnored: number;
  /** Segments dropped as outside any plausible window (sequence numbers far from the stream), and their bytes. */
  outOfWindowPackets: number;
  outOfWindowBytes: number;
  /** Packets the decoder could not use, by kind (`truncated-ip`, `bad-tcp-header`, ...). */
  malformed: Record<string, number>;
  /** Reader diagnostics by code (`truncated-record`, `bad-block-length`, ...). */
  diagnostics: Record<string, number>;
  /** Wall-clock time of the run. */
  elapsedNs: number;
}

/**
 * What an event of the overlaps report was. `suspicious rst`: an RST the engine ignored because its sequence
 * number lay outside any window the receiver could have had (a blind or forged reset); the connection went on.
 */
export type OverlapKind = 'retransmission' | 'partial overlap' | 'out of order' | 'conflict' | 'suspicious rst';

/** One event of the overlaps report. */
export interface OverlapEvent {
  /** Capture time of the segment that caused the event. */
  tsSec: number;
  tsNsec: number;
  connectionId: number;
  direction: 'c2s' | 's2c';
  /** Sequence range [seqStart, seqEnd) of the bytes concerned, unsigned 32-bit (seqEnd may wrap). */
  seqStart: number;
  seqEnd: number;
  bytes: number;
  kind: OverlapKind;
  /** Free text for conflicts: which copy was kept, hashes of both versions. Empty when none. */
  detail?: string;
  /**
   * `suspicious rst` only: the next sequence number expected in that direction when the RST came, and the
   * receive window (bytes) the check allowed beyond the data and acknowledgements seen. The RST's own sequence
   * number is `seqStart` (= `seqEnd`: an RST carries no bytes).
   */
  expected?: number;
  window?: number;
}
