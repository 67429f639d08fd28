/** One capture interface as described by the file (classic pcap has exactly one, id 0). */
export interface InterfaceInfo {
  /** 0-based section the interface belongs to (pcapng ids restart in every section). */
  section: number;
  /** Interface id within its section, as CaptureRecord.interfaceId gives it. */
  id: number;
  /** LINKTYPE_* value. */
  linkType: number;
  /** Snapshot length; 0 means unlimited. */
  snaplen: number;
  /** `if_name` option, when present. */
  name?: string;
  /** Raw `if_tsresol` byte (6 when absent: microseconds); bit 7 set means a power of 2. Classic pcap: 6 or 9. */
  tsresol: number;
  /** Timestamp units per second (1e6 for microseconds, 1e9 for nanoseconds, 2^n for binary resolutions). */
  unitsPerSecond: number;
  /** `if_tsoffset` in seconds, added to every timestamp of the interface (0 when absent). */
  tsOffset: number;
}

/** What a read saw: the format, its interfaces, counts, and whether the input ended cleanly. */
export interface ReadSummary {
  format: 'pcap' | 'pcapng';
  /** True when the source was gzip-compressed. */
  compressed: boolean;
  /** Byte order of the (first) file/section header. */
  byteOrder: 'little' | 'big';
  /** Classic pcap: nanosecond magic. pcapng: some interface has a resolution finer than a microsecond. */
  nanosecond: boolean;
  /** Interfaces described, in order of appearance (at most 4096 are listed; `interfaceCount` has them all). */
  interfaces: InterfaceInfo[];
  /** Number of interfaces described in the whole file. */
  interfaceCount: number;
  /** pcapng Section Header Blocks seen (1 for classic pcap). */
  sections: number;
  /** Packet records handed to onRecord. */
  records: number;
  /** Packet records met, including those skipped because of damage (the record-number sequence). */
  recordsSeen: number;
  /** Records whose captured length is less than their original length (cut by snaplen). */
  truncatedRecords: number;
  /** Bytes of the (decompressed) capture stream consumed. */
  bytes: number;
  /** Bytes of the source read (compressed bytes for gzip); equals `bytes` for an uncompressed source. */
  sourceBytes: number;
  /**
   * SHA-256 (hex) of the source's bytes, compressed bytes for gzip, with `ReadOptions.hashSource`; null without
   * it or when reading stopped before the end of the source.
   */
  sourceSha256: string | null;
  /** Number of diagnostics, by code. */
  diagnostics: Record<string, number>;
  /** True when the input ended on a record/block boundary with no damage and no early stop. */
  cleanEnd: boolean;
  /** True when reading was stopped through the AbortSignal. */
  aborted: boolean;
  /** True when reading stopped at unrecoverable damage (classic pcap without resync). */
  stoppedOnDamage: boolean;
}
