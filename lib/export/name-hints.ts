import type { FlowNameParts } from './naming.js';

/** Words of one key: ipVersion, source address (4), destination address (4), both ports, VLAN. */
const KEY_WORDS = 11;

/**
 * The next connection count (`cN`) to try for a flow name, remembered for recently created names so a busy
 * 4-tuple reused many times does not probe its way up from the base name every time. Only a hint: a miss
 * costs probing (exclusive creation finds the first free name), a hit skips names that exist already (files
 * are never removed during an export, so a name taken once stays taken).
 *
 * A fixed direct-mapped table keyed by the name's parts, not by the name: no string is kept per file (a Map
 * of name strings kept thousands of them alive long enough to be promoted, one per file created), and its
 * size is fixed (about 200 KiB for 4096 slots) whatever the number of files. Keys are compared whole, so a hit
 * is always the same name.
 */
export class NameHints {
  private readonly keys: Uint32Array;
  private readonly counts: Uint32Array;
  private readonly mask: number;

  /** `slots` is rounded up to a power of two. */
  constructor(slots = 4096) {
    let n = 1;
    while (n < slots) n <<= 1;
    this.mask = n - 1;
    this.keys = new Uint32Array(n * KEY_WORDS);
    this.counts = new Uint32Array(n);
  }

  /** The count to start at for this name: 0 (the base name) when nothing is remembered. */
  get(p: FlowNameParts): number {
    const slot = this.slotOf(p);
    return this.matches(slot * KEY_WORDS, p) ? this.counts[slot] : 0;
  }

  /** Remembers that names up to `next - 1` are taken (replacing whatever shared the slot). */
  set(p: FlowNameParts, next: number): void {
    const slot = this.slotOf(p);
    const k = this.keys;
    const at = slot * KEY_WORDS;
    k[at] = p.ipVersion;
    for (let i = 0; i < 4; i++) {
      k[at + 1 + i] = p.src[i];
      k[at + 5 + i] = p.dst[i];
    }
    k[at + 9] = p.srcPort * 65536 + p.dstPort;
    k[at + 10] = p.vlan + 1;
    this.counts[slot] = next;
  }

  private matches(at: number, p: FlowNameParts): boolean {
    const k = this.keys;
    if (k[at] !== p.ipVersion || k[at + 9] !== p.srcPort * 65536 + p.dstPort || k[at + 10] !== p.vlan + 1) return false;
    for (let i = 0; i < 4; i++) {
      if (k[at + 1 + i] !== p.src[i] >>> 0 || k[at + 5 + i] !== p.dst[i] >>> 0) return false;
    }
    return true;
  }

  private slotOf(p: FlowNameParts): number {
    let h = Math.imul(p.ipVersion ^ (p.vlan + 1), 0x9e3779b1);
    h = Math.imul(h ^ (p.srcPort * 65536 + p.dstPort), 0x85ebca6b);
    for (let i = 0; i < 4; i++) {
      h = Math.imul(h ^ p.src[i], 0xc2b2ae35);
      h = Math.imul(h ^ p.dst[i], 0x27d4eb2f);
    }
    h ^= h >>> 15;
    return h & this.mask;
  }
}
