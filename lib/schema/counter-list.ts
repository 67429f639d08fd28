/**
 * The per-direction counters of a connection: the one list. Everything else about them (the engine's fields,
 * the row snapshot, the totals, the JSON keys, the CSV and table columns) is derived from it in counters.ts and
 * lib/report; a new counter is one line here plus its README entry.
 */

/** What a counter counts. A `flag` is a yes/no stored as 0/1 (JSON prints true/false). */
export type CounterUnit = 'packets' | 'bytes' | 'events' | 'pages' | 'flag';

/** One counter of a direction. */
export interface CounterSpec {
  /** camelCase name: the engine's field, the JSON key, the CSV and `--sort` column suffix. */
  readonly name: string;
  readonly unit: CounterUnit;
  /** What it means, in one sentence (the README's field reference says the same). */
  readonly doc: string;
  /** Run totals add it up (a flag, a level or a peak is not summed). */
  readonly total: boolean;
  /** Part of a connection's row (JSON, CSV, manifest); false for the engine's live bookkeeping. */
  readonly row: boolean;
  /**
   * In the analyze table: one column per direction (`each`), or one column for both added (`sum`), with
   * its header. Absent: CSV and JSON only.
   */
  readonly table?: { readonly shape: 'each' | 'sum'; readonly header: string };
}

/**
 * Every counter, in report order. Row counters come first and the engine's own last (see {@link ROW_COUNTERS}):
 * a row's snapshot is then a plain copy of the first values.
 */
export const DIRECTION_COUNTERS = [
  { name: 'packets', unit: 'packets', total: true, row: true, table: { shape: 'each', header: 'pkts' }, doc: 'TCP segments seen in this direction (all of them, also refused ones or those after the close).' },
  { name: 'bytes', unit: 'bytes', total: true, row: true, table: { shape: 'each', header: 'bytes' }, doc: 'Payload bytes delivered in order: the reassembled stream, each byte once.' },
  { name: 'queuedBytes', unit: 'bytes', total: true, row: true, table: { shape: 'sum', header: 'ooo bytes' }, doc: 'Bytes that arrived out of order and were buffered until the hole before them was filled or skipped.' },
  { name: 'queuedPackets', unit: 'packets', total: true, row: true, table: { shape: 'sum', header: 'ooo pkts' }, doc: 'Packets that arrived out of order and were buffered.' },
  { name: 'overlapBytes', unit: 'bytes', total: true, row: true, table: { shape: 'sum', header: 'overlap bytes' }, doc: 'Bytes that overlapped data already delivered or buffered (the real overlapped length).' },
  { name: 'overlapPackets', unit: 'packets', total: true, row: true, table: { shape: 'sum', header: 'overlap pkts' }, doc: 'Packets that overlapped data already delivered or buffered.' },
  { name: 'conflicts', unit: 'events', total: true, row: true, table: { shape: 'sum', header: 'conflicts' }, doc: 'Overlaps whose bytes differed from the copy already seen.' },
  { name: 'missingBytes', unit: 'bytes', total: true, row: true, table: { shape: 'sum', header: 'missing' }, doc: 'Sequence space never seen: holes skipped (lost at the capture point, cut by snaplen, or forced by a limit).' },
  { name: 'wireBytes', unit: 'bytes', total: true, row: true, doc: 'Payload bytes on the wire (IP length based, so bytes cut by snaplen count).' },
  { name: 'gaps', unit: 'events', total: true, row: true, doc: 'Holes skipped (deliveries after missing bytes).' },
  { name: 'startMissing', unit: 'flag', total: false, row: true, doc: 'The start of this direction was never seen (no SYN): bytes before the first one seen are unknown.' },
  { name: 'retransmittedPackets', unit: 'packets', total: true, row: true, doc: 'Packets whose data had all been seen before (delivered or buffered).' },
  { name: 'retransmittedBytes', unit: 'bytes', total: true, row: true, doc: 'Payload bytes of those packets.' },
  { name: 'outOfWindowPackets', unit: 'packets', total: true, row: true, doc: "Segments (data or FIN) further than max(1 GiB, 64 x the receiver's largest window) from both the next expected sequence number and the receiver's acknowledgement: dropped, as the receiver drops them." },
  { name: 'outOfWindowBytes', unit: 'bytes', total: true, row: true, doc: 'Payload bytes of those segments.' },
  { name: 'keepAlives', unit: 'packets', total: true, row: true, doc: 'Keep-alive probes (0 or 1 byte at the next sequence number - 1).' },
  { name: 'windowProbes', unit: 'packets', total: true, row: true, doc: 'Zero-window probes (1 byte at the next sequence number while the peer advertised a zero window).' },
  { name: 'zeroWindows', unit: 'packets', total: true, row: true, doc: 'Packets advertising a zero receive window.' },
  { name: 'conflictBytes', unit: 'bytes', total: true, row: true, doc: 'Overlapped bytes inside conflicting ranges.' },
  { name: 'conflictChecksImpossible', unit: 'events', total: true, row: true, doc: 'Overlaps with delivered data that could not be compared: the delivered-data window had moved on.' },
  { name: 'conflictUncheckedBytes', unit: 'bytes', total: true, row: true, doc: 'Overlapped bytes that could not be compared.' },
  { name: 'pagesPeak', unit: 'pages', total: false, row: true, doc: 'Most pages this direction held at once: queued, kept, and the delivered-data window of copied bytes (a window read back from the capture file holds none).' },
  { name: 'syn', unit: 'packets', total: true, row: true, doc: 'SYN packets, retransmitted SYNs included.' },
  { name: 'synRetransmits', unit: 'packets', total: true, row: true, doc: 'SYNs repeating the ISN already seen.' },
  { name: 'fin', unit: 'packets', total: true, row: true, doc: 'FIN packets.' },
  { name: 'rst', unit: 'packets', total: true, row: true, doc: 'RST packets sent in this direction, the ignored ones included.' },
  { name: 'rstIgnored', unit: 'packets', total: true, row: true, doc: "RSTs ignored because their sequence number lay outside any window the receiver could have had (a blind or forged reset): the connection went on. Only with the in-window policy." },
  { name: 'rstNotTaken', unit: 'packets', total: true, row: true, doc: 'RSTs that did not end the connection although the receiver could accept them: it went on acknowledging data sent after them (an RST that never reached it, or one it refused).' },
  { name: 'rstPayloadBytes', unit: 'bytes', total: true, row: true, doc: 'Payload bytes carried on RST segments: not delivered (stacks discard them).' },
  { name: 'synDataBytes', unit: 'bytes', total: true, row: true, doc: "Payload bytes carried on SYNs (TCP Fast Open) that the receiver acknowledged: delivered at the start of the stream." },
  { name: 'synDataRefused', unit: 'bytes', total: true, row: true, doc: "Payload bytes carried on SYNs that the receiver's acknowledgement did not take: not delivered (the sender sends them again)." },
  { name: 'packetsAfterClose', unit: 'packets', total: true, row: true, doc: 'Packets arriving after this direction (or the connection) was closed.' },
  { name: 'rejected', unit: 'packets', total: true, row: true, doc: 'Packets refused by the optional checks (--check-state, --check-options).' },
  { name: 'truncatedPackets', unit: 'packets', total: true, row: true, doc: 'Packets cut by snaplen (captured payload shorter than on the wire).' },
  { name: 'truncatedBytes', unit: 'bytes', total: true, row: true, doc: 'Payload bytes lost to snaplen.' },
  { name: 'bytesSkippedByLimits', unit: 'bytes', total: true, row: true, doc: 'Missing bytes skipped because a page limit forced the engine on (a subset of missingBytes).' },
  { name: 'pagesInUse', unit: 'pages', total: false, row: false, doc: 'Pages held for this direction now (the engine\'s level; its peak is pagesPeak).' },
  { name: 'keptBytesDropped', unit: 'bytes', total: true, row: false, doc: 'Bytes a stream asked to keep (keepFrom) beyond the per-connection bound, dropped.' },
] as const satisfies readonly CounterSpec[];

