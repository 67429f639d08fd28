/**
 * What the decoder met and did not open (a link type, a GRE protocol, nesting past the bound, an odd IPv4
 * option): counted by kind and value, first sighting kept, one warning each at the end. Never silent.
 */
import type { Diagnostic } from '../capture/diagnostic.js';

/** Undecoded kinds, for the warning the decoder gives once per kind and value. */
export const Undecoded = {
  LINK_TYPE: 1,
  GRE_VERSION: 2,
  GRE_ROUTING: 3,
  GRE_PROTOCOL: 4,
  GENEVE_PROTOCOL: 5,
  GTPU_PAYLOAD: 6,
  TOO_DEEP: 7,
  IPV4_OPTION_ODDITY: 8,
} as const;

/** The text of an undecoded kind and its value (for warnings). */
export function undecodedText(kind: number, value: number): string {
  const hex = `0x${value.toString(16).padStart(4, '0')}`;
  switch (kind) {
    case Undecoded.LINK_TYPE:
      return `link type ${value}`;
    case Undecoded.GRE_VERSION:
      return `GRE version ${value}`;
    case Undecoded.GRE_ROUTING:
      return 'GRE with source routing (RFC 1701)';
    case Undecoded.GRE_PROTOCOL:
      return `GRE carrying protocol ${hex}`;
    case Undecoded.GENEVE_PROTOCOL:
      return `Geneve carrying protocol ${hex}`;
    case Undecoded.GTPU_PAYLOAD:
      return `GTP-U payload with IP version ${value}`;
    case Undecoded.TOO_DEEP:
      return 'encapsulations nested deeper than the bound';
    default:
      return `IPv4 option ${value} with a length its RFC does not allow (Linux and BSD accept it; delivered)`;
  }
}

/** First sighting and count of one kind and value. */
interface Seen {
  count: number;
  recordNumber: number;
  fileOffset: number;
}

/** The decoder's log of what it did not open. */
export class UndecodedLog {
  /** By kind * 2^32 + value: a number key, no string per packet. */
  private readonly seen = new Map<number, Seen>();

  /** Counts one packet of `kind` and `value`, seen at record `recordNumber`, file offset `fileOffset`. */
  note(kind: number, value: number, recordNumber: number, fileOffset: number): void {
    const key = kind * 0x100000000 + (value >>> 0);
    const s = this.seen.get(key);
    if (s !== undefined) s.count++;
    else this.seen.set(key, { count: 1, recordNumber, fileOffset });
  }

  /** One warning per kind and value, with its packet count, located at its first sighting. */
  warnings(): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const [key, s] of this.seen) {
      const kind = Math.floor(key / 0x100000000);
      const what = undecodedText(kind, key % 0x100000000);
      const n = s.count === 1 ? '1 packet' : `${s.count} packets`;
      const odd = kind === Undecoded.IPV4_OPTION_ODDITY;
      out.push({
        severity: 'warning',
        code: odd ? 'odd-ip-option' : 'not-decoded',
        message: odd ? `${n} with an ${what} (the first here)` : `${n} not decoded: ${what}; TCP in them is not reassembled (the first here)`,
        fileOffset: s.fileOffset,
        recordNumber: s.recordNumber,
      });
    }
    return out;
  }
}
