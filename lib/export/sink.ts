import type { AddressWords } from '../net/address.js';

/**
 * Receives one direction of one connection, in stream order. This is the whole contract between the
 * reassembly engine's stream callbacks and the exporter; nothing here depends on engine internals.
 */
export interface StreamSink {
  /**
   * Reassembled bytes `buf[offset, offset + length)`, in order. The sink copies what it needs before
   * returning, so `buf` may be a reused buffer (the capture reader's or a page of the assembler).
   */
  write(buf: Buffer, offset: number, length: number): void;
  /**
   * A hole in the stream just before the next `write`: `length` bytes starting at sequence number `seq` were
   * never seen (lost at the capture point, or skipped when a memory bound forced the assembler on).
   * `length` is -1 when unknown (the start of the stream was never seen; `seq` is then the first byte that
   * was). `tsSec`/`tsNsec`: capture time at which the hole was passed.
   */
  gap(seq: number, length: number, tsSec: number, tsNsec: number): void;
  /** No more data in this direction. `end` carries the engine's statistics and conflicts for the manifest. */
  finish(end?: DirectionEnd): void;
}

/** What the engine says about a direction when it ends; passed through to the manifest unchanged. */
export interface DirectionEnd {
  /** The direction's statistics (a plain JSON-able object with camelCase names). */
  stats?: object;
  /** Conflicting overlaps found in this direction (plain JSON-able objects). */
  conflicts?: readonly unknown[];
  /**
   * The run stopped before the connection ended (interrupted): the file holds everything received so far but
   * is marked partial (`complete: false`).
   */
  cutShort?: boolean;
  /**
   * Capture time of the packet that brought the direction's last byte: the file's modification time, as
   * tcpflow sets it, so `ls -ltr` is a timeline. Absent: the file keeps the time it was written.
   */
  lastByteTsSec?: number;
  lastByteTsNsec?: number;
}

/** A connection as the exporter needs it: who talked to whom, when it started. Plain numbers and words. */
export interface ExportConnection {
  /** Connection id, Wireshark `tcp.stream` order (0-based, by first packet). */
  id: number;
  ipVersion: 4 | 6;
  client: AddressWords;
  clientPort: number;
  server: AddressWords;
  serverPort: number;
  /** Innermost VLAN id, -1 when untagged (TcpPacket.vlan). */
  vlan: number;
  /** Outer VLAN id of a double-tagged frame, -1 otherwise (TcpPacket.outerVlan). */
  outerVlan: number;
  /** The tunnel layers the connection travelled in, outermost first; '' when none. */
  encapsulation: string;
  /** Capture time of the connection's first packet. */
  firstTsSec: number;
  firstTsNsec: number;
}

/** How a connection ended, for its manifest row. */
export interface ConnectionEnd {
  /** `complete`, `reset`, `timed out`, `open at end`, `mid-stream`, ... as the engine reports it. */
  state: string;
  /** Capture time of the connection's last packet. */
  lastTsSec: number;
  lastTsNsec: number;
  /** The run stopped before the connection ended: the row counts as unfinished (see ExportSummary.unfinished). */
  cutShort?: boolean;
}
