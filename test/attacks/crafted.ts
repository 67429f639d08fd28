/**
 * Generator of the crafted captures in samples/crafted/ (small classic pcap files, Ethernet, built with the test
 * builders). `npm run fuzz -- --write-crafted` writes them; the crafted-samples test checks the committed files
 * are exactly what this generates and that the library reports what samples/crafted/README.md says.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PcapBuilder } from '../support/capture-builder.js';
import { fragmentIpv4, linkFrame, tcpFrame, tcpPacket, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../support/frame-builder.js';
import { repoRoot } from '../fuzz/corpus.js';
import { ethernet, gre, mpls, outerIp, udp, vxlan } from '../support/tunnel-builder.js';

const C = '10.1.0.1';
const S = '10.1.0.2';
const CPORT = 40000;
const SPORT = 80;
const CI = 1000; // client ISN
const SI = 5000; // server ISN

/** Builds a pcap from TCP segments in order, one millisecond apart. */
class Capture {
  readonly b = new PcapBuilder();
  private ms = 0;

  frame(frame: Buffer): this {
    this.ms++;
    this.b.record({ tsSec: 1_700_000_000 + Math.floor(this.ms / 1000), tsFrac: (this.ms % 1000) * 1000, data: frame });
    return this;
  }

  c2s(seq: number, ack: number, flags: number, payload: string | Buffer = '', sport = CPORT, src = C): this {
    return this.frame(tcpFrame({ src, dst: S, srcPort: sport, dstPort: SPORT, seq, ack, flags, payload: toBuf(payload) }));
  }

  s2c(seq: number, ack: number, flags: number, payload: string | Buffer = '', dport = CPORT): this {
    return this.frame(tcpFrame({ src: S, dst: C, srcPort: SPORT, dstPort: dport, seq, ack, flags, payload: toBuf(payload) }));
  }

  handshake(): this {
    return this.c2s(CI, 0, TCP_SYN).s2c(SI, CI + 1, TCP_SYN | TCP_ACK).c2s(CI + 1, SI + 1, TCP_ACK);
  }
}

function toBuf(p: string | Buffer): Buffer {
  return typeof p === 'string' ? Buffer.from(p, 'latin1') : p;
}

/** Repeats a letter: the contents of the crafted data, easy to recognise in a hex dump. */
export function letters(ch: string, n: number): string {
  return ch.repeat(n);
}

/**
 * conflicting-retransmission.pcap: the client sends 100 'A' (delivered), then the same range again as 100 'B'
 * (conflict against delivered data: the 'A' stay); then 100 'D' at +200 arrive before the 100 'C' at +100
 * (buffered), and the buffered range is retransmitted as 100 'E' (conflict against buffered data: the 'E' replace
 * the 'D'); then the 'C' fill the hole. FIN both ways.
 */
export function conflictingRetransmission(): Buffer {
  const c = new Capture().handshake();
  const d = CI + 1;
  c.c2s(d, SI + 1, TCP_ACK | TCP_PSH, letters('A', 100));
  c.c2s(d, SI + 1, TCP_ACK | TCP_PSH, letters('B', 100));
  c.c2s(d + 200, SI + 1, TCP_ACK | TCP_PSH, letters('D', 100));
  c.c2s(d + 200, SI + 1, TCP_ACK | TCP_PSH, letters('E', 100));
  c.c2s(d + 100, SI + 1, TCP_ACK | TCP_PSH, letters('C', 100));
  c.s2c(SI + 1, d + 300, TCP_ACK | TCP_PSH, 'OK\n');
  c.c2s(d + 300, SI + 4, TCP_FIN | TCP_ACK);
  c.s2c(SI + 4, d + 301, TCP_FIN | TCP_ACK);
  c.c2s(d + 301, SI + 5, TCP_ACK);
  return c.b.build();
}

/** syn-flood.pcap: 1000 SYNs from 10.2.x.y, ports 1024.., never answered; then one complete connection. */
export const SYN_FLOOD_SYNS = 1000;
export function synFlood(): Buffer {
  const c = new Capture();
  for (let i = 0; i < SYN_FLOOD_SYNS; i++) {
    c.c2s(i * 7919, 0, TCP_SYN, '', 1024 + i, `10.2.${i >> 8}.${i & 255}`);
  }
  c.handshake();
  c.c2s(CI + 1, SI + 1, TCP_ACK | TCP_PSH, 'GET / HTTP/1.0\r\n\r\n');
  c.s2c(SI + 1, CI + 19, TCP_ACK | TCP_PSH, 'HTTP/1.0 200 OK\r\n\r\n');
  c.c2s(CI + 19, SI + 20, TCP_FIN | TCP_ACK);
  c.s2c(SI + 20, CI + 20, TCP_FIN | TCP_ACK);
  c.c2s(CI + 20, SI + 21, TCP_ACK);
  return c.b.build();
}

/**
 * seq-jump.pcap: the client sends 300 bytes in order ('a'), then three 100-byte segments ('z') whose sequence
 * numbers are 2^31 beyond, then 100 more bytes ('b') in order where the stream really continues; FIN both ways.
 */
export function seqJump(): Buffer {
  const c = new Capture().handshake();
  const d = CI + 1;
  for (let i = 0; i < 3; i++) c.c2s(d + i * 100, SI + 1, TCP_ACK, letters('a', 100));
  for (let i = 0; i < 3; i++) c.c2s((d + 300 + 0x80000000 + i * 100) >>> 0, SI + 1, TCP_ACK, letters('z', 100));
  c.c2s(d + 300, SI + 1, TCP_ACK, letters('b', 100));
  c.c2s(d + 400, SI + 1, TCP_FIN | TCP_ACK);
  c.s2c(SI + 1, d + 401, TCP_FIN | TCP_ACK);
  c.c2s(d + 401, SI + 2, TCP_ACK);
  return c.b.build();
}

/**
 * overlapping-fragments.pcap: after the handshake the client's one data segment (20-byte TCP header + 200 bytes
 * 'P') travels as three IPv4 fragments: [0, 120), then [80, 160) whose bytes are all 'X' (bytes 80..120 overlap the
 * first fragment and differ), then [160, 220). FIN both ways.
 */
export function overlappingFragments(): Buffer {
  const c = new Capture().handshake();
  const d = CI + 1;
  const ip = tcpPacket({ src: C, dst: S, srcPort: CPORT, dstPort: SPORT, seq: d, ack: SI + 1, flags: TCP_ACK | TCP_PSH, payload: Buffer.from(letters('P', 200)), ipId: 0x4242 });
  const frags = fragmentIpv4(ip, [
    { offset: 0, length: 120 },
    { offset: 80, length: 80, fill: 'X'.charCodeAt(0) },
    { offset: 160, length: 60 },
  ]);
  for (const f of frags) c.frame(linkFrame(f, { linkType: 1 }));
  c.c2s(d + 200, SI + 1, TCP_FIN | TCP_ACK);
  c.s2c(SI + 1, d + 201, TCP_FIN | TCP_ACK);
  c.c2s(d + 201, SI + 2, TCP_ACK);
  return c.b.build();
}

/**
 * rst-mid-data.pcap: the client sends 200 bytes ('m'), the server answers 50 ('s'), the server sends an RST (in
 * window), then the client sends 100 more bytes ('n') as if nothing happened.
 */
export function rstMidData(): Buffer {
  const c = new Capture().handshake();
  const d = CI + 1;
  c.c2s(d, SI + 1, TCP_ACK, letters('m', 100));
  c.c2s(d + 100, SI + 1, TCP_ACK, letters('m', 100));
  c.s2c(SI + 1, d + 200, TCP_ACK, letters('s', 50));
  c.s2c(SI + 51, d + 200, TCP_RST | TCP_ACK);
  c.c2s(d + 200, SI + 51, TCP_ACK, letters('n', 100));
  return c.b.build();
}

/** How far outside the window blind-rst.pcap's RST lies: 2^30, beyond any window (RFC 7323's largest is 2^30 - 2^14). */
export const BLIND_RST_OFFSET = 2 ** 30;

/**
 * blind-rst.pcap: the client sends 100 bytes ('m'), the server answers 50 ('s'); then an RST|ACK claiming to be
 * from the server arrives with a sequence number 2^30 beyond the server's next one (a blind, forged reset: the
 * client drops it); the conversation goes on: the client sends 100 more ('n'), the server 50 more ('t'), FIN both
 * ways.
 */
export function blindRst(): Buffer {
  const c = new Capture().handshake();
  const d = CI + 1;
  c.c2s(d, SI + 1, TCP_ACK, letters('m', 100));
  c.s2c(SI + 1, d + 100, TCP_ACK, letters('s', 50));
  c.s2c((SI + 51 + BLIND_RST_OFFSET) >>> 0, d + 100, TCP_RST | TCP_ACK);
  c.c2s(d + 100, SI + 51, TCP_ACK, letters('n', 100));
  c.s2c(SI + 51, d + 200, TCP_ACK, letters('t', 50));
  c.c2s(d + 200, SI + 101, TCP_FIN | TCP_ACK);
  c.s2c(SI + 101, d + 201, TCP_FIN | TCP_ACK);
  c.c2s(d + 201, SI + 102, TCP_ACK);
  return c.b.build();
}

/** Every crafted capture, by file name. */
/**
 * tunnels.pcap: the same inner connection (10.1.0.1:40000 -> 10.1.0.2:80, handshake, `ping`/`pong`, FIN both
 * ways) four times: in VXLAN VNI 1, in VXLAN VNI 2 (same tunnel endpoints), in GRE, and under an MPLS label;
 * each direction of a tunnel has its outer addresses swapped, as on the wire.
 */
export function tunnels(): Buffer {
  const c = new Capture();
  const wraps: Array<(ip: Buffer, fwd: boolean) => Buffer> = [
    (ip, fwd) => linkFrame(outerIp(fwd ? '192.0.2.1' : '192.0.2.2', fwd ? '192.0.2.2' : '192.0.2.1', 17, udp(fwd ? 50001 : 50002, 4789, vxlan(1, ethernet(0x0800, ip)))), { linkType: 1 }),
    (ip, fwd) => linkFrame(outerIp(fwd ? '192.0.2.1' : '192.0.2.2', fwd ? '192.0.2.2' : '192.0.2.1', 17, udp(fwd ? 50001 : 50002, 4789, vxlan(2, ethernet(0x0800, ip)))), { linkType: 1 }),
    (ip, fwd) => linkFrame(outerIp(fwd ? '198.51.100.1' : '198.51.100.2', fwd ? '198.51.100.2' : '198.51.100.1', 47, gre(0x0800, ip, { key: fwd ? 1 : 2 })), { linkType: 1 }),
    (ip, fwd) => ethernet(0x8847, mpls([fwd ? 100 : 200], ip)),
  ];
  for (const wrap of wraps) {
    const seg = (fwd: boolean, seq: number, ack: number, flags: number, payload = '') =>
      c.frame(wrap(tcpPacket({ src: fwd ? C : S, dst: fwd ? S : C, srcPort: fwd ? CPORT : SPORT, dstPort: fwd ? SPORT : CPORT, seq, ack, flags, payload: toBuf(payload) }), fwd));
    seg(true, CI, 0, TCP_SYN);
    seg(false, SI, CI + 1, TCP_SYN | TCP_ACK);
    seg(true, CI + 1, SI + 1, TCP_ACK | TCP_PSH, 'ping');
    seg(false, SI + 1, CI + 5, TCP_ACK | TCP_PSH, 'pong');
    seg(true, CI + 5, SI + 5, TCP_FIN | TCP_ACK);
    seg(false, SI + 5, CI + 6, TCP_FIN | TCP_ACK);
  }
  return c.b.build();
}

/**
 * syn-data.pcap: TCP Fast Open both ways. Client port 40000: the SYN carries `early`, the SYN-ACK acknowledges it,
 * the client goes on with `+more`. Client port 40001: the SYN carries `early`, the SYN-ACK acknowledges only the
 * SYN (refused), the client sends `early` again. Both end with FIN both ways.
 */
export function synData(): Buffer {
  const c = new Capture();
  c.c2s(CI, 0, TCP_SYN, 'early').s2c(SI, CI + 6, TCP_SYN | TCP_ACK).c2s(CI + 6, SI + 1, TCP_ACK | TCP_PSH, '+more');
  c.c2s(CI + 11, SI + 1, TCP_FIN | TCP_ACK).s2c(SI + 1, CI + 12, TCP_FIN | TCP_ACK);
  const p = CPORT + 1;
  c.c2s(CI, 0, TCP_SYN, 'early', p).s2c(SI, CI + 1, TCP_SYN | TCP_ACK, '', p).c2s(CI + 1, SI + 1, TCP_ACK | TCP_PSH, 'early', p);
  c.c2s(CI + 6, SI + 1, TCP_FIN | TCP_ACK, '', p).s2c(SI + 1, CI + 7, TCP_FIN | TCP_ACK, '', p);
  return c.b.build();
}

/**
 * rst-not-taken.pcap: records 1-3 handshake; 4 client `abc`; 5 client RST at 1004 (in the window); 6 client
 * `after` at 1004; 7 server ACK of 1009 (it took the data after the RST); 8 server `ok`; 9-10 FIN both ways.
 */
export function rstNotTaken(): Buffer {
  const c = new Capture().handshake();
  c.c2s(CI + 1, SI + 1, TCP_ACK | TCP_PSH, 'abc').c2s(CI + 4, SI + 1, TCP_RST | TCP_ACK).c2s(CI + 4, SI + 1, TCP_ACK | TCP_PSH, 'after');
  c.s2c(SI + 1, CI + 9, TCP_ACK).s2c(SI + 1, CI + 9, TCP_ACK | TCP_PSH, 'ok');
  c.c2s(CI + 9, SI + 3, TCP_FIN | TCP_ACK).s2c(SI + 3, CI + 10, TCP_FIN | TCP_ACK);
  return c.b.build();
}

/**
 * handshake-rst.pcap: record 1 SYN; 2 an RST|ACK acknowledging the ISN itself, not ISN + 1 (unacceptable in
 * SYN-SENT); 3 the real SYN-ACK; 4 ACK; 5 client `hello`; 6 client FIN with a 2400-byte hole before it
 * (its sequence number is 1006 + 2400); 7 server FIN.
 */
export function handshakeRst(): Buffer {
  const c = new Capture();
  c.c2s(CI, 0, TCP_SYN).s2c(0, CI, TCP_RST | TCP_ACK).s2c(SI, CI + 1, TCP_SYN | TCP_ACK).c2s(CI + 1, SI + 1, TCP_ACK);
  c.c2s(CI + 1, SI + 1, TCP_ACK | TCP_PSH, 'hello').c2s(CI + 6 + 2400, SI + 1, TCP_FIN | TCP_ACK).s2c(SI + 1, CI + 6, TCP_FIN | TCP_ACK);
  return c.b.build();
}

export const CRAFTED: Record<string, () => Buffer> = {
  'conflicting-retransmission.pcap': conflictingRetransmission,
  'syn-flood.pcap': synFlood,
  'seq-jump.pcap': seqJump,
  'overlapping-fragments.pcap': overlappingFragments,
  'rst-mid-data.pcap': rstMidData,
  'blind-rst.pcap': blindRst,
  'tunnels.pcap': tunnels,
  'syn-data.pcap': synData,
  'rst-not-taken.pcap': rstNotTaken,
  'handshake-rst.pcap': handshakeRst,
};

/** The folder of the crafted captures. */
export function craftedDir(): string {
  return join(repoRoot(), 'samples', 'crafted');
}

/** Writes every crafted capture; returns the paths written. */
export function writeCrafted(): string[] {
  const dir = craftedDir();
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const [name, make] of Object.entries(CRAFTED)) {
    const p = join(dir, name);
    writeFileSync(p, make());
    out.push(p);
  }
  return out;
}
