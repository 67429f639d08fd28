/**
 * Why a packet was not a TCP segment although it was well formed. Indexes into {@link DecodeStats.nonTcpCounts}.
 */
export const NonTcpKind = {
  /** IPv4 or IPv6 carrying UDP. */
  UDP: 0,
  /** IPv4 carrying ICMP. */
  ICMP: 1,
  /** IPv6 carrying ICMPv6. */
  ICMPV6: 2,
  /** Any other IP protocol (GRE, SCTP, IP-in-IP, IPv6 "no next header", ...). */
  OTHER_IP: 3,
  /** ARP or RARP frames. */
  ARP: 4,
  /** A link frame carrying something that is not IP (other EtherTypes, 802.3 length frames, other families). */
  NON_IP: 5,
  /** A record whose link type the decoder does not know. */
  UNKNOWN_LINK_TYPE: 6,
  /** IPsec ESP: encrypted, so the transport header cannot be reached. */
  ESP: 7,
  /** IPv6 jumbogram (payload length 0 with a hop-by-hop header): ignored. */
  JUMBOGRAM: 8,
  /** An encapsulation the decoder does not open (GRE with routing or an unknown version or protocol, ...). */
  UNDECODED_ENCAPSULATION: 9,
  /** More nested encapsulation layers than the decoder follows ({@link MAX_ENCAPSULATION_DEPTH}). */
  TUNNEL_TOO_DEEP: 10,
} as const;
export type NonTcpKind = (typeof NonTcpKind)[keyof typeof NonTcpKind];

/** Report names of {@link NonTcpKind}, by index. */
export const NON_TCP_KIND_NAMES: readonly string[] = [
  'udp',
  'icmp',
  'icmpv6',
  'other-ip',
  'arp',
  'non-ip',
  'unknown-link-type',
  'esp',
  'jumbogram',
  'undecoded-encapsulation',
  'tunnel-too-deep',
];

/** Encapsulation layers (tunnels, MPLS stacks, PPPoE) the decoder follows inside one another. */
export const MAX_ENCAPSULATION_DEPTH = 8;

/**
 * Why a packet was rejected as malformed. Indexes into {@link DecodeStats.malformedCounts}.
 * Every kind names the length field or structure that disagreed with the bytes really present.
 */
export const MalformedKind = {
  /** The link header (Ethernet, VLAN tag, SLL, SLL2, null/loop family) is not all there. */
  TRUNCATED_LINK_HEADER: 0,
  /** The IP version nibble disagrees with what the link layer announced, or is neither 4 nor 6 on raw IP. */
  BAD_IP_VERSION: 1,
  /** Fewer than 20 bytes, or fewer than the header length field says, of an IPv4 header. */
  TRUNCATED_IPV4_HEADER: 2,
  /** IPv4 header length field below 5 words. */
  BAD_IPV4_HEADER_LENGTH: 3,
  /** IPv4 total length smaller than the IPv4 header. */
  BAD_IPV4_TOTAL_LENGTH: 4,
  /** IP length field larger than the packet on the wire (not explained by snaplen). */
  IP_LENGTH_EXCEEDS_PACKET: 5,
  /** Fewer than 40 bytes of an IPv6 header. */
  TRUNCATED_IPV6_HEADER: 6,
  /** An IPv6 extension header (or IPsec AH) that runs past the IP payload or the captured bytes. */
  TRUNCATED_EXTENSION_HEADER: 7,
  /** A fragment whose offset and length go beyond 65535, a non-final fragment not a multiple of 8, an empty one. */
  BAD_FRAGMENT: 8,
  /** A fragment that disagrees with the datagram's known end (beyond it, or a second different final fragment). */
  INCONSISTENT_FRAGMENT: 9,
  /** A fragment cut by snaplen: its missing bytes would leave a hole in the datagram, so it cannot be used. */
  FRAGMENT_CUT_BY_SNAPLEN: 10,
  /** A datagram cut into more pieces than the reassembler tracks (its held fragments are dropped). */
  TOO_MANY_FRAGMENT_PIECES: 11,
  /** The TCP header is within the IP length but not all of it was captured. */
  TRUNCATED_TCP_HEADER: 12,
  /** TCP data offset below 5 words. */
  BAD_TCP_DATA_OFFSET: 13,
  /** The IP length leaves less room than the TCP header (20 bytes, or the data offset) needs. */
  TCP_HEADER_EXCEEDS_IP_LENGTH: 14,
  /** A tunnel or link header (GRE, ERSPAN, UDP, VXLAN, Geneve, GTP-U, MPLS, PPPoE, PPP, Cisco HDLC) not all there. */
  TRUNCATED_ENCAPSULATION: 15,
  /** IPv4 options a receiving Linux stack rejects: an option running past the header, a length below 2, a bad pointer. */
  BAD_IPV4_OPTIONS: 16,
} as const;
export type MalformedKind = (typeof MalformedKind)[keyof typeof MalformedKind];

/** Report names of {@link MalformedKind}, by index. */
export const MALFORMED_KIND_NAMES: readonly string[] = [
  'truncated-link-header',
  'bad-ip-version',
  'truncated-ipv4-header',
  'bad-ipv4-header-length',
  'bad-ipv4-total-length',
  'ip-length-exceeds-packet',
  'truncated-ipv6-header',
  'truncated-extension-header',
  'bad-fragment',
  'inconsistent-fragment',
  'fragment-cut-by-snaplen',
  'too-many-fragment-pieces',
  'truncated-tcp-header',
  'bad-tcp-data-offset',
  'tcp-header-exceeds-ip-length',
  'truncated-encapsulation',
  'bad-ipv4-options',
];

/**
 * Counters of a {@link Decoder}. Every packet handed to `decode` ends in exactly one of five outcomes, so
 * `packets === tcp + nonTcp + malformed + checksumFailed + fragmentsHeld` always holds.
 *
 * The other counters are observations that do not change the outcome (a snaplen-cut segment is still a TCP
 * segment; a fragment overlap is still a held fragment).
 */
export class DecodeStats {
  /** Records handed to `decode`. */
  packets = 0;
  /** Records that yielded a TCP segment (decode returned true). */
  tcp = 0;
  /** Well-formed records that carry no TCP (sum of {@link nonTcpCounts}). */
  nonTcp = 0;
  /** Records rejected as malformed (sum of {@link malformedCounts}). */
  malformed = 0;
  /** Records dropped because checksum verification is on and a checksum was wrong (IPv4 header or TCP). */
  checksumFailed = 0;
  /** Fragments taken into reassembly that did not (yet) complete a datagram. */
  fragmentsHeld = 0;

  /** Non-TCP records by {@link NonTcpKind}. */
  readonly nonTcpCounts = new Float64Array(NON_TCP_KIND_NAMES.length);
  /** Malformed records by {@link MalformedKind}. */
  readonly malformedCounts = new Float64Array(MALFORMED_KIND_NAMES.length);

  // --- observations ---
  /** TCP segments whose payload was cut by snaplen (payloadLength < wireLength); still delivered. */
  snaplenCut = 0;
  /** TCP segments whose option list was malformed; delivered with the options read before the damage. */
  badTcpOptions = 0;
  /** IPv4 packets with total length 0, taken as segmentation offload: their length is the captured length. */
  ipv4ZeroLengthOffload = 0;
  /** IPv4 header checksums that were wrong (verification on). */
  badIpv4Checksums = 0;
  /** TCP checksums that were wrong (verification on). */
  badTcpChecksums = 0;
  /** TCP segments that came out of an encapsulation (tunnel, MPLS, PPPoE, VLAN inside a tunnel). */
  encapsulated = 0;
  /** Encapsulated segments beyond the bound of distinct encapsulations: their tunnels are not told apart. */
  encapsulationsUnkept = 0;
  /** IPv4 packets with an option whose length breaks its RFC but that Linux and BSD accept: delivered, warned. */
  ipv4OptionOddities = 0;

  // --- fragments ---
  /** IP fragments seen (IPv4 MF/offset, IPv6 fragment header), TCP or not. */
  fragments = 0;
  /** Datagrams completed by reassembly (and then decoded as usual). */
  reassembled = 0;
  /** Fragments whose range overlapped bytes already held for their datagram (duplicates included). */
  fragmentOverlaps = 0;
  /** Overlapping fragments whose overlapping bytes differed from the held ones (the held bytes are kept). */
  fragmentOverlapConflicts = 0;
  /** Fragments that repeated bytes already held exactly (a subset of fragmentOverlaps). */
  fragmentDuplicates = 0;
  /** Datagrams dropped because their first fragment is older than the timeout (capture time). */
  fragmentTimeouts = 0;
  /** Datagrams dropped to stay within the byte or datagram cap. */
  fragmentEvictions = 0;
  /** Datagrams still incomplete when {@link Decoder.finish} was called. */
  fragmentsUnfinished = 0;
  /** Bytes currently held by the fragment reassembler. */
  fragmentBytesHeld = 0;
  /** Largest value fragmentBytesHeld reached. */
  fragmentBytesPeak = 0;

  /** Counts one non-TCP record. */
  countNonTcp(kind: NonTcpKind): false {
    this.nonTcp++;
    this.nonTcpCounts[kind]++;
    return false;
  }

  /** Counts one malformed record. */
  countMalformed(kind: MalformedKind): false {
    this.malformed++;
    this.malformedCounts[kind]++;
    return false;
  }

  /** Non-TCP counts by report name (all kinds, zeros included). */
  nonTcpByKind(): Record<string, number> {
    return byName(NON_TCP_KIND_NAMES, this.nonTcpCounts);
  }

  /** Malformed counts by report name (all kinds, zeros included). */
  malformedByKind(): Record<string, number> {
    return byName(MALFORMED_KIND_NAMES, this.malformedCounts);
  }
}

/** Counts by kind, keyed by the kind's camelCase name (`truncated-tcp-header` -> `truncatedTcpHeader`), as every JSON key is. */
function byName(names: readonly string[], counts: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < names.length; i++) out[camelCase(names[i]!)] = counts[i]!;
  return out;
}

const camelCase = (name: string): string => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
