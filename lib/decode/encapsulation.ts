/**
 * Encapsulations, interned: the layers a TCP segment travelled in (tunnel endpoints, VXLAN/Geneve
 * VNI, PPPoE session, the VLAN tags around and inside the tunnel) as a list of words, turned into one small
 * number. A connection's identity includes that number, like its VLAN tags, so two tunnels carrying the same
 * inner 4-tuple stay apart; the text of an encapsulation is made once, when a report asks for it.
 *
 * What goes in the words is what is the same in both directions of a connection: the tunnel's two endpoints as
 * an unordered pair, VNIs, ERSPAN sessions, PPPoE sessions, VLAN tags. GTP-U TEIDs and MPLS labels are chosen
 * by each receiver, so the two directions carry different ones, and GRE keys differ by direction in real
 * captures too (Zeek's erspan.pcap: key 0 one way, 0x02000000 the other; PPTP's key holds the peer's call
 * id): in the identity they would split every connection in two. They are left out (the layer stays in).
 *
 * One table for the process: report rows are numbers (lib/schema/row.ts), and this is their dictionary, as
 * STATE_WORDS is for states. Interning an encapsulation already seen allocates nothing.
 */
import { formatAddress } from '../net/address.js';

/** Layer kinds, the first word of each layer. */
export const Layer = {
  /** Outer IP endpoints of a tunnel: version, then the lower and the higher address (4 words each). */
  IP: 1,
  /** GRE: protocol type. */
  GRE: 2,
  /** ERSPAN: version (1 for type I, 2 for II, 3 for III), session id. */
  ERSPAN: 3,
  /** VXLAN: VNI. */
  VXLAN: 4,
  /** Geneve: VNI. */
  GENEVE: 5,
  /** GTP-U (TEID per direction: not kept). */
  GTPU: 6,
  /** An MPLS label stack: its depth (labels per direction: not kept). */
  MPLS: 7,
  /** PPPoE session: session id. */
  PPPOE: 8,
  /** An 802.1Q/802.1ad tag: VLAN id. */
  VLAN: 9,
  /** PPP inside GRE (PPTP): nothing more. */
  PPP: 10,
  /** 802.1ah provider backbone bridging: I-SID. */
  PBB: 11,
} as const;

/** Words each layer kind takes after its kind word. */
const ARITY: readonly number[] = [0, 9, 1, 2, 1, 1, 0, 1, 1, 1, 0, 1];

/** Distinct encapsulations kept; beyond it they share {@link ENCAP_OVERFLOW} (and the decoder counts it). */
export const MAX_ENCAPSULATIONS = 1 << 16;
/** The id of every encapsulation beyond the table's bound: a tunnel whose layers are not told apart. */
export const ENCAP_OVERFLOW = 1;

/** Interns encapsulation word lists into small ids (0 is none, 1 the overflow). */
export class EncapsulationTable {
  private words = new Uint32Array(4096);
  private used = 0;
  /** Start and length of each id's words. */
  private starts = new Int32Array(256);
  private lengths = new Int32Array(256);
  private hashes = new Int32Array(256);
  private count = 2;
  /** Open addressing: id per bucket, 0 empty. */
  private buckets = new Int32Array(1024);
  private readonly texts: (string | undefined)[] = [];

  /** Ids in use (none and overflow included). */
  get size(): number {
    return this.count;
  }

  /**
   * A hash of the id's words (FNV-1a 32 over the 32-bit words, folded), the same in every process: ids are given in
   * order of appearance, so they differ between runs, but this does not. 0 for no encapsulation.
   */
  wordsHash(id: number): number {
    return id <= 1 ? 0 : this.hashes[id]! >>> 0;
  }

  /** The id of `w[0, n)`; {@link ENCAP_OVERFLOW} when the table is full and the list is new. */
  intern(w: Uint32Array, n: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ w[i]!, 0x01000193);
    h = (h ^ (h >>> 15)) | 0;
    const mask = this.buckets.length - 1;
    for (let b = h & mask; ; b = (b + 1) & mask) {
      const id = this.buckets[b]!;
      if (id === 0) break;
      if (this.hashes[id] === h && this.same(id, w, n)) return id;
    }
    if (this.count >= MAX_ENCAPSULATIONS) return ENCAP_OVERFLOW;
    return this.add(w, n, h);
  }

  private same(id: number, w: Uint32Array, n: number): boolean {
    if (this.lengths[id] !== n) return false;
    const s = this.starts[id]!;
    for (let i = 0; i < n; i++) if (this.words[s + i] !== w[i]) return false;
    return true;
  }

  private add(w: Uint32Array, n: number, h: number): number {
    const id = this.count++;
    if (id >= this.starts.length) {
      this.starts = grow(this.starts);
      this.lengths = grow(this.lengths);
      this.hashes = grow(this.hashes);
    }
    while (this.used + n > this.words.length) {
      const bigger = new Uint32Array(this.words.length * 2);
      bigger.set(this.words);
      this.words = bigger;
    }
    this.words.set(w.subarray(0, n), this.used);
    this.starts[id] = this.used;
    this.lengths[id] = n;
    this.hashes[id] = h;
    this.used += n;
    if (this.count * 2 > this.buckets.length) this.rehash();
    else this.place(id, h);
    return id;
  }

  private place(id: number, h: number): void {
    const mask = this.buckets.length - 1;
    let b = h & mask;
    while (this.buckets[b] !== 0) b = (b + 1) & mask;
    this.buckets[b] = id;
  }

  private rehash(): void {
    this.buckets = new Int32Array(this.buckets.length * 2);
    for (let id = 2; id < this.count; id++) this.place(id, this.hashes[id]!);
  }

  /** The words of an id (a copy): what interning them in another table gives the same encapsulation for. */
  wordsOf(id: number): Uint32Array {
    return this.words.slice(this.starts[id]!, this.starts[id]! + this.lengths[id]!);
  }

  /** The layers of an id as text, outermost first: `gre 10.0.0.1-10.0.0.2 key 7 / vlan 20`; '' for none. */
  describe(id: number): string {
    if (id === 0) return '';
    if (id === ENCAP_OVERFLOW) return 'tunnel (too many distinct encapsulations to tell apart)';
    const cached = this.texts[id];
    if (cached !== undefined) return cached;
    const text = describeWords(this.words.subarray(this.starts[id]!, this.starts[id]! + this.lengths[id]!));
    this.texts[id] = text;
    return text;
  }
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Text of a word list (see {@link Layer}). The leading two words are the outer Ethernet's VLAN tags + 1. */
export function describeWords(w: Uint32Array): string {
  const parts: string[] = [];
  if (w[1]! > 0) parts.push(`vlan ${w[1]! - 1}`);
  if (w[0]! > 0) parts.push(`vlan ${w[0]! - 1}`);
  let ipPair = '';
  for (let i = 2; i < w.length; ) {
    const kind = w[i]!;
    const a = w[i + 1]!;
    const b = w[i + 2]!;
    switch (kind) {
      case Layer.IP: {
        const v = a as 4 | 6;
        ipPair = ` ${formatAddress([w[i + 2]!, w[i + 3]!, w[i + 4]!, w[i + 5]!], v)}-${formatAddress([w[i + 6]!, w[i + 7]!, w[i + 8]!, w[i + 9]!], v)}`;
        // An IP layer followed by IP directly is IP-in-IP; otherwise it names the next layer's endpoints.
        const next = w[i + 10];
        if (next === undefined || next === Layer.IP) parts.push(`ip${v === 6 ? 'v6' : ''}-in-ip${ipPair}`);
        break;
      }
      case Layer.GRE:
        parts.push(`gre${ipPair}`);
        ipPair = '';
        break;
      case Layer.ERSPAN:
        parts.push(`erspan${a === 1 ? '' : a === 2 ? ' ii' : ' iii'} session ${b}`);
        break;
      case Layer.VXLAN:
        parts.push(`vxlan${ipPair} vni ${a}`);
        ipPair = '';
        break;
      case Layer.GENEVE:
        parts.push(`geneve${ipPair} vni ${a}`);
        ipPair = '';
        break;
      case Layer.GTPU:
        parts.push(`gtp-u${ipPair}`);
        ipPair = '';
        break;
      case Layer.MPLS:
        parts.push(`mpls (${a} label${a === 1 ? '' : 's'})`);
        break;
      case Layer.PPPOE:
        parts.push(`pppoe session ${a}`);
        break;
      case Layer.VLAN:
        parts.push(`vlan ${a}`);
        break;
      case Layer.PPP:
        parts.push('ppp');
        break;
      case Layer.PBB:
        parts.push(`pbb i-sid ${a}`);
        break;
    }
    i += 1 + (ARITY[kind] ?? 0);
  }
  return parts.join(' / ');
}

/** The process's table: report rows hold its ids. */
export const ENCAPSULATIONS = new EncapsulationTable();

/** Text of an encapsulation id of the process's table ('' for none). */
export function encapsulationText(id: number): string {
  return ENCAPSULATIONS.describe(id);
}

/** Words one packet's path can take: the VLAN pair plus {@link MAX_ENCAPSULATION_DEPTH} layers of the widest kind, and tags. */
const PATH_WORDS = 2 + 8 * 10 + 64;

/**
 * The layers of the packet being decoded, built as the decoder goes down (one reused buffer), then interned.
 * Words 0 and 1 are the outermost Ethernet's VLAN tags + 1, filled at the end.
 */
export class EncapsulationPath {
  readonly words = new Uint32Array(PATH_WORDS);
  length = 2;
  /** Encapsulation layers entered (tunnels, MPLS stacks, PPPoE), against the depth bound. */
  depth = 0;

  reset(): void {
    this.length = 2;
    this.depth = 0;
  }

  /** Whether the packet is inside anything beyond its outermost Ethernet's tags. */
  get encapsulated(): boolean {
    return this.length > 2;
  }

  /** Appends a layer of `kind` with up to two words; false when the path has no room (too deep). */
  push(kind: number, a = 0, b = 0): boolean {
    const n = 1 + (ARITY[kind] ?? 0);
    if (this.length + n > PATH_WORDS) return false;
    const w = this.words;
    w[this.length] = kind;
    if (n > 1) w[this.length + 1] = a;
    if (n > 2) w[this.length + 2] = b;
    this.length += n;
    return true;
  }

  /** Appends a tunnel's outer IP endpoints, lower address first, so both directions give the same words. */
  pushIp(version: 4 | 6, src: Uint32Array, dst: Uint32Array): boolean {
    if (this.length + 10 > PATH_WORDS) return false;
    let srcFirst = true;
    for (let i = 0; i < 4; i++) {
      if (src[i] !== dst[i]) {
        srcFirst = src[i]! < dst[i]!;
        break;
      }
    }
    const lo = srcFirst ? src : dst;
    const hi = srcFirst ? dst : src;
    const w = this.words;
    const at = this.length;
    w[at] = Layer.IP;
    w[at + 1] = version;
    for (let i = 0; i < 4; i++) {
      w[at + 2 + i] = lo[i]!;
      w[at + 6 + i] = hi[i]!;
    }
    this.length += 10;
    return true;
  }

  /** The id of this path in `table`, with the outermost tags in front. */
  intern(table: EncapsulationTable, vlan: number, outerVlan: number): number {
    this.words[0] = vlan + 1;
    this.words[1] = outerVlan + 1;
    return table.intern(this.words, this.length);
  }
}
