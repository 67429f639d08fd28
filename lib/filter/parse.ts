/**
 * The pcap-filter language (tcpdump, tcpflow, gopacket's examples), the part that names TCP connections:
 * `host`, `net` (CIDR, `mask`, or a short dotted prefix), `port`, `portrange`, `src`/`dst` qualifiers, `ip`,
 * `ip6`, `tcp`, `udp`, `vlan [N]`, `and`/`or`/`not` (also `&&`, `||`, `!`) and parentheses. As in pcap-filter,
 * `not` binds tightest and `and`/`or` have equal precedence, left to right; an id without a keyword keeps the
 * qualifiers of the primitive before it (`port 80 or 443`, `host a or b`). Parsed into a tree, no libpcap.
 */
import { parseAddress } from '../net/address.js';

/** A filter that cannot be parsed: `column` (1-based) points at the token that is wrong. */
export class FilterSyntaxError extends Error {
  constructor(
    readonly column: number,
    readonly detail: string,
    readonly text: string,
  ) {
    super(`filter: column ${column}: ${detail}\n  ${text}\n  ${' '.repeat(Math.max(0, column - 1))}^`);
    this.name = 'FilterSyntaxError';
  }
}

/** Which end of a packet a primitive looks at. */
export type FilterDir = 'src' | 'dst' | 'src or dst' | 'src and dst';

/** An IP prefix: the version, its four network-order words and the mask of each word. */
export interface Prefix {
  readonly ipVersion: 4 | 6;
  readonly words: Uint32Array;
  readonly mask: Uint32Array;
}

/** The parsed expression. */
export type FilterNode =
  | { readonly op: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly op: 'not'; readonly arg: FilterNode }
  | { readonly op: 'net'; readonly dir: FilterDir; readonly prefix: Prefix }
  | { readonly op: 'port'; readonly dir: FilterDir; readonly low: number; readonly high: number }
  | { readonly op: 'proto'; readonly proto: 'ip' | 'ip6' | 'tcp' | 'udp' }
  | { readonly op: 'vlan'; readonly id: number | null };

interface Token {
  readonly text: string;
  /** 1-based column of the token's first character. */
  readonly column: number;
}

/** Splits the text into words, operators and parentheses. */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || (c === '!' && text[i + 1] !== '=')) {
      out.push({ text: c, column: i + 1 });
      i++;
      continue;
    }
    if ((c === '&' || c === '|') && text[i + 1] === c) {
      out.push({ text: c + c, column: i + 1 });
      i += 2;
      continue;
    }
    const start = i;
    while (i < text.length && !' \t\n()!'.includes(text[i]!) && !(text[i] === '&' && text[i + 1] === '&') && !(text[i] === '|' && text[i + 1] === '|')) i++;
    if (i === start) throw new FilterSyntaxError(start + 1, `unexpected "${c}"`, text);
    out.push({ text: text.slice(start, i), column: start + 1 });
  }
  return out;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'src', 'dst', 'host', 'net', 'port', 'portrange', 'mask', 'ip', 'ip6', 'tcp', 'udp', 'vlan']);

/** The qualifiers a bare id after a primitive inherits (pcap-filter's abbreviation rule). */
interface Qualifiers {
  dir: FilterDir;
  kind: 'host' | 'net' | 'port' | 'portrange';
  proto: 'ip' | 'ip6' | 'tcp' | null;
}

class Parser {
  private pos = 0;
  private last: Qualifiers | null = null;

  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
  ) {}

  parse(): FilterNode {
    if (this.tokens.length === 0) throw new FilterSyntaxError(1, 'empty filter', this.text);
    const node = this.binary();
    const t = this.peek();
    if (t !== undefined) throw this.error(t, t.text === ')' ? 'unmatched ")"' : `expected "and" or "or" before "${t.text}"`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(what: string): Token {
    const t = this.tokens[this.pos++];
    if (t === undefined) throw new FilterSyntaxError(this.text.length + 1, `${what} expected at the end`, this.text);
    return t;
  }

  private error(t: Token, detail: string): FilterSyntaxError {
    return new FilterSyntaxError(t.column, detail, this.text);
  }

  // and / or: equal precedence, left to right (pcap-filter).
  private binary(): FilterNode {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t === undefined) return left;
      const op = t.text === 'and' || t.text === '&&' ? 'and' : t.text === 'or' || t.text === '||' ? 'or' : null;
      if (op === null) {
        // Juxtaposition is not allowed: `host a port 80` is a typo for `host a and port 80`.
        if (t.text === ')') return left;
        throw this.error(t, `expected "and" or "or" before "${t.text}"`);
      }
      this.pos++;
      left = { op, left, right: this.unary() };
    }
  }

  private unary(): FilterNode {
    const t = this.next('an expression');
    if (t.text === 'not' || t.text === '!') return { op: 'not', arg: this.unary() };
    if (t.text === '(') {
      const inner = this.binary();
      const close = this.next('")"');
      if (close.text !== ')') throw this.error(close, `expected ")" before "${close.text}"`);
      return inner;
    }
    this.pos--;
    return this.primitive();
  }

  private primitive(): FilterNode {
    const first = this.next('an expression');
    let proto: Qualifiers['proto'] = null;
    let t = first;
    if (t.text === 'ip' || t.text === 'ip6' || t.text === 'tcp' || t.text === 'udp') {
      const after = this.peek();
      if (after === undefined || !['src', 'dst', 'host', 'net', 'port', 'portrange'].includes(after.text)) {
        this.last = null;
        return { op: 'proto', proto: t.text };
      }
      if (t.text === 'udp') {
        // A udp port never matches a TCP connection, whatever follows.
        this.pos++;
        this.qualified(after, null);
        return { op: 'proto', proto: 'udp' };
      }
      proto = t.text;
      t = this.next('a keyword');
    }
    if (t.text === 'vlan') {
      this.last = null;
      const id = this.peek();
      if (id !== undefined && /^\d+$/.test(id.text)) {
        this.pos++;
        const n = Number(id.text);
        if (n > 4095) throw this.error(id, `a VLAN id is 0 to 4095, not ${id.text}`);
        return { op: 'vlan', id: n };
      }
      return { op: 'vlan', id: null };
    }
    if (!KEYWORDS.has(t.text) && this.last !== null) {
      // `port 80 or 443`: a bare id keeps the qualifiers before it.
      this.pos--;
      return this.value(this.last);
    }
    return this.qualified(t, proto);
  }

  /** `[src|dst [or|and src|dst]] host|net|port|portrange ID`, `t` being its first word. */
  private qualified(t: Token, proto: Qualifiers['proto']): FilterNode {
    let dir: FilterDir = 'src or dst';
    if (t.text === 'src' || t.text === 'dst') {
      dir = t.text;
      const a = this.peek();
      const b = this.tokens[this.pos + 1];
      if (a !== undefined && (a.text === 'or' || a.text === 'and') && b !== undefined && (b.text === 'src' || b.text === 'dst') && b.text !== t.text) {
        dir = a.text === 'or' ? 'src or dst' : 'src and dst';
        this.pos += 2;
      }
      t = this.next('host, net, port or portrange');
      if (!['host', 'net', 'port', 'portrange'].includes(t.text)) {
        // `src 10.0.0.1`: host is implied, as in pcap-filter.
        if (KEYWORDS.has(t.text)) throw this.error(t, `expected host, net, port or portrange after "${dir}", not "${t.text}"`);
        this.pos--;
        return this.value({ dir, kind: 'host', proto });
      }
    } else if (!['host', 'net', 'port', 'portrange'].includes(t.text)) {
      if (KEYWORDS.has(t.text)) throw this.error(t, `"${t.text}" cannot start an expression here`);
      // A bare address means host, as in pcap-filter; anything else is not a filter at all.
      this.pos--;
      return this.value({ dir, kind: 'host', proto });
    }
    return this.value({ dir, kind: t.text as Qualifiers['kind'], proto });
  }

  private value(q: Qualifiers): FilterNode {
    this.last = q;
    const t = this.next(`a value for ${q.kind}`);
    if (KEYWORDS.has(t.text) || t.text === '(' || t.text === ')') throw this.error(t, `expected a value for ${q.kind}, not "${t.text}"`);
    let node: FilterNode;
    if (q.kind === 'port' || q.kind === 'portrange') {
      const m = q.kind === 'port' ? /^(\d+)$/.exec(t.text) : /^(\d+)-(\d+)$/.exec(t.text);
      if (m === null) throw this.error(t, q.kind === 'port' ? `a port is a number from 0 to 65535, not "${t.text}"` : `a port range is LOW-HIGH, not "${t.text}"`);
      const low = Number(m[1]);
      const high = Number(m[2] ?? m[1]);
      if (low > 65535 || high > 65535) throw this.error(t, `a port is a number from 0 to 65535, not "${t.text}"`);
      node = { op: 'port', dir: q.dir, low: Math.min(low, high), high: Math.max(low, high) };
    } else {
      node = { op: 'net', dir: q.dir, prefix: this.prefix(t, q.kind) };
    }
    if (q.proto === 'ip' || q.proto === 'ip6') node = { op: 'and', left: { op: 'proto', proto: q.proto }, right: node };
    return node;
  }

  private prefix(t: Token, kind: 'host' | 'net'): Prefix {
    const slash = t.text.indexOf('/');
    let addrText = slash < 0 ? t.text : t.text.slice(0, slash);
    let bits: number | null = null;
    if (slash >= 0) {
      if (kind === 'host') throw this.error(t, `host takes one address; use net for a prefix ("net ${t.text}")`);
      const b = t.text.slice(slash + 1);
      if (!/^\d+$/.test(b)) throw this.error(t, `not a prefix length: "${b}"`);
      bits = Number(b);
    } else if (kind === 'net' && /^\d+(\.\d+){0,2}$/.test(addrText)) {
      // pcap-filter's short form: `net 10` is 10.0.0.0/8, `net 192.168.1` is /24.
      const parts = addrText.split('.');
      bits = parts.length * 8;
      addrText = [...parts, '0', '0', '0'].slice(0, 4).join('.');
    }
    const addr = parseAddress(addrText);
    if (addr === null) {
      const name = /^[a-z][a-z0-9.-]*$/i.test(addrText) ? ' (names are not looked up: give an address)' : '';
      throw this.error(t, `not an IPv4 or IPv6 address: "${addrText}"${name}`);
    }
    const width = addr.ipVersion === 4 ? 32 : 128;
    const m = this.peek();
    if (kind === 'net' && bits === null && m?.text === 'mask') {
      this.pos++;
      const mt = this.next('a mask');
      const mask = parseAddress(mt.text);
      if (mask === null || mask.ipVersion !== addr.ipVersion) throw this.error(mt, `not a mask for this address: "${mt.text}"`);
      return { ipVersion: addr.ipVersion, words: andWords(addr.words, mask.words), mask: mask.words };
    }
    if (bits === null) bits = width;
    if (bits > width) throw this.error(t, `a prefix length is at most ${width} for IPv${addr.ipVersion}, not ${bits}`);
    const mask = new Uint32Array(4);
    const offset = addr.ipVersion === 4 ? 96 : 0;
    for (let i = 0; i < 4; i++) {
      const from = i * 32 - offset;
      const keep = Math.max(0, Math.min(32, bits - from));
      if (i * 32 < offset) mask[i] = 0;
      else mask[i] = keep === 0 ? 0 : keep === 32 ? 0xffffffff : (0xffffffff << (32 - keep)) >>> 0;
    }
    const words = andWords(addr.words, mask);
    if (kind === 'net' && !sameWords(words, addr.words)) throw this.error(t, `"${t.text}" has bits set outside its /${bits} prefix`);
    return { ipVersion: addr.ipVersion, words, mask };
  }
}

function andWords(a: ArrayLike<number>, m: ArrayLike<number>): Uint32Array {
  return Uint32Array.of((a[0]! & m[0]!) >>> 0, (a[1]! & m[1]!) >>> 0, (a[2]! & m[2]!) >>> 0, (a[3]! & m[3]!) >>> 0);
}

function sameWords(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

/** Parses a filter expression; throws {@link FilterSyntaxError} with the column of the first problem. */
export function parseFilter(text: string): FilterNode {
  return new Parser(tokenize(text), text).parse();
}
