import type { FlowNameParts } from './naming.js';

/** Words of one key: ipVersion, source address (4), destination address (4), both ports, VLAN. */
const KEY_WORDS = 11;

/**
 * The next connection count (`cN`) for each flow name that has been used more than once, so a 4-tuple reused
 * many times takes its next name at once instead of probing its way up from the base name. Exact: an open-
 * addressing table keyed by the name's parts (not by the name: no string is kept per file) that grows, so two
 * reused 4-tuples never push each other out. (A direct-mapped table of hints did: 6,000 connections
 * alternating between two ports that shared a slot probed from `c1` up every time, 203 s instead of 0.9 s.)
 *
 * Memory: 48 bytes a slot, at most twice as many slots as names reused (a name used once is never entered),
 * so at most about 48 B per connection even when every 4-tuple is reused; the files' names themselves are
 * never kept. The folder stays the final word: creation is exclusive, a count that finds its name taken
 * (a file already there under --force) probes on from it.
 */
export class NameHints {
  private keys: Uint32Array;
  /** Next count of the slot's name; 0 marks an empty slot (a remembered count is at least 1). */
  private counts: Uint32Array;
  private mask: number;
  private used = 0;

  /** `slots`: the initial table size, rounded up to a power of two (it grows at half full). */
  constructor(slots = 1024) {
    let n = 2;
    while (n < slots) n <<= 1;
    this.mask = n - 1;
    this.keys = new Uint32Array(n * KEY_WORDS);
    this.counts = new Uint32Array(n);
  }

  /** Names remembered. */
  get size(): number {
    return this.used;
  }

  /** The count to start at for this name: 0 (the base name) when nothing is remembered. */
  get(p: FlowNameParts): number {
    const slot = this.find(p);
    return slot < 0 ? 0 : this.counts[slot];
  }

  /** Remembers that names up to `next - 1` are taken. `next` must be at least 1. */
  set(p: FlowNameParts, next: number): void {
    if (next < 1) return;
    const found = this.find(p);
    if (found >= 0) {
      this.counts[found] = next;
      return;
    }
    if ((this.used + 1) * 2 > this.counts.length) this.grow();
    const slot = this.emptySlot(p);
    this.store(slot, p);
    this.counts[slot] = next;
    this.used++;
  }

  /** The slot holding this name, or -1. */
  private find(p: FlowNameParts): number {
    for (let slot = this.slotOf(p); ; slot = (slot + 1) & this.mask) {
      if (this.counts[slot] === 0) return -1;
      if (this.matches(slot * KEY_WORDS, p)) return slot;
    }
  }

  private emptySlot(p: FlowNameParts): number {
    let slot = this.slotOf(p);
    while (this.counts[slot] !== 0) slot = (slot + 1) & this.mask;
    return slot;
  }

  private store(slot: number, p: FlowNameParts): void {
    const k = this.keys;
    const at = slot * KEY_WORDS;
    k[at] = p.ipVersion;
    for (let i = 0; i < 4; i++) {
      k[at + 1 + i] = p.src[i];
      k[at + 5 + i] = p.dst[i];
    }
    k[at + 9] = p.srcPort * 65536 + p.dstPort;
    k[at + 10] = p.vlan + 1;
  }

  /** Doubles the table and re-enters every name (rare: the table only holds reused names). */
  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const n = oldCounts.length * 2;
    this.keys = new Uint32Array(n * KEY_WORDS);
    this.counts = new Uint32Array(n);
    this.mask = n - 1;
    for (let s = 0; s < oldCounts.length; s++) {
      if (oldCounts[s] === 0) continue;
      const at = s * KEY_WORDS;
      let slot = this.slotOfWords(oldKeys, at);
      while (this.counts[slot] !== 0) slot = (slot + 1) & this.mask;
      this.keys.set(oldKeys.subarray(at, at + KEY_WORDS), slot * KEY_WORDS);
      this.counts[slot] = oldCounts[s];
    }
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

  /** slotOf for a stored key (the same hash from the same words). */
  private slotOfWords(k: Uint32Array, at: number): number {
    let h = Math.imul(k[at] ^ k[at + 10], 0x9e3779b1);
    h = Math.imul(h ^ k[at + 9], 0x85ebca6b);
    for (let i = 0; i < 4; i++) {
      h = Math.imul(h ^ k[at + 1 + i], 0xc2b2ae35);
      h = Math.imul(h ^ k[at + 5 + i], 0x27d4eb2f);
    }
    h ^= h >>> 15;
    return h & this.mask;
  }
}
