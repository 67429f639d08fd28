/**
 * Text forms of IP addresses and endpoints, from the four-word form TcpPacket uses: each word holds four
 * address bytes in network order as an unsigned 32-bit number (bytes 0..3 of the address in word 0, the first
 * byte in the word's high bits), and an IPv4 address sits in word 3 with words 0..2 zero.
 *
 * These run once per connection (naming, reports), never per packet, so building strings here is fine.
 */

/** An address as four network-order 32-bit words (a Uint32Array(4) from TcpPacket, or any array of 4). */
export type AddressWords = ArrayLike<number>;

/** Dotted-quad text of an IPv4 address held as one unsigned 32-bit number (`0x0a000001` -> `10.0.0.1`). */
export function formatIPv4(word: number): string {
  return `${(word >>> 24) & 255}.${(word >>> 16) & 255}.${(word >>> 8) & 255}.${word & 255}`;
}

/**
 * RFC 5952 text of an IPv6 address: lower-case hex, no leading zeros, the longest run of two or more zero
 * groups (the first, on a tie) written `::`. IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-compatible
 * (`::a.b.c.d`) addresses end in dotted form, exactly as glibc's inet_ntop writes them, because tcpflow
 * names its files with inet_ntop and analysts' scripts match those names.
 */
export function formatIPv6(words: AddressWords): string {
  const g = groupsOf(words);
  // Longest run of zero groups; a lone zero group is never shortened (RFC 5952 section 4.2.2).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;

  // glibc's rule for the dotted tail: the first six groups zero, or the first five zero and the sixth ffff.
  const dottedTail = bestStart === 0 && (bestLen === 6 || (bestLen === 5 && g[5] === 0xffff));

  let out = '';
  const end = dottedTail ? 6 : 8;
  for (let i = 0; i < end; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += g[i].toString(16);
  }
  if (dottedTail) {
    if (!out.endsWith(':')) out += ':';
    out += formatIPv4(words[3] >>> 0);
  }
  return out;
}

function groupsOf(words: AddressWords): number[] {
  const g = new Array<number>(8);
  for (let i = 0; i < 4; i++) {
    const w = words[i] >>> 0;
    g[2 * i] = w >>> 16;
    g[2 * i + 1] = w & 0xffff;
  }
  return g;
}

/** Text of an address: dotted IPv4 from word 3 when `ipVersion` is 4, RFC 5952 IPv6 otherwise. */
export function formatAddress(words: AddressWords, ipVersion: 4 | 6): string {
  return ipVersion === 4 ? formatIPv4(words[3] >>> 0) : formatIPv6(words);
}

/** Endpoint text for reports: `10.0.0.1:80`, `[fd00::1]:80` (brackets keep IPv6 colons apart from the port). */
export function formatEndpoint(words: AddressWords, ipVersion: 4 | 6, port: number): string {
  const a = formatAddress(words, ipVersion);
  return ipVersion === 4 ? `${a}:${port}` : `[${a}]:${port}`;
}

/** A parsed address: its version and its four words. */
export interface ParsedAddress {
  ipVersion: 4 | 6;
  words: Uint32Array;
}

/**
 * Parses user text (a `--host` filter, say) into the four-word form: dotted IPv4, or IPv6 in any valid
 * spelling (`::`, leading zeros, upper case, a dotted tail, surrounding brackets). Returns null when the
 * text is not an address, so a filter can say so instead of silently matching nothing.
 */
export function parseAddress(text: string): ParsedAddress | null {
  let t = text.trim();
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  const v4 = parseIPv4(t);
  if (v4 !== null) return { ipVersion: 4, words: Uint32Array.of(0, 0, 0, v4) };
  const g = parseIPv6Groups(t);
  if (g === null) return null;
  const words = new Uint32Array(4);
  for (let i = 0; i < 4; i++) words[i] = ((g[2 * i] << 16) | g[2 * i + 1]) >>> 0;
  return { ipVersion: 6, words };
}

function parseIPv4(t: string): number | null {
  const parts = t.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v >>> 0;
}

function parseIPv6Groups(t: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(t)) return null;
  const halves = t.split('::');
  if (halves.length > 2) return null;
  const parseSide = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (v4 === null) return null;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = parseSide(halves[0]);
  if (head === null) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const tail = parseSide(halves[1]);
  if (tail === null || head.length + tail.length > 7) return null;
  // A dotted part may only end the address.
  if (halves[0].includes('.')) return null;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}
