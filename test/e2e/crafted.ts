/**
 * Captures built for the end-to-end tests (test/support builders): a conversation with conflicting
 * retransmissions, and one with many connections open at once.
 */
import { PcapBuilder, pseudoRandomBytes } from '../support/capture-builder.js';
import { tcpFrame, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, type TcpSegmentSpec } from '../support/frame-builder.js';

/** Writes segments as Ethernet frames, one record each, 1 ms apart. */
class Conversation {
  readonly pcap = new PcapBuilder();
  private t = 0;
  add(spec: TcpSegmentSpec): number {
    this.pcap.record({ tsSec: 1_700_000_000 + Math.floor(this.t / 1000), tsFrac: (this.t % 1000) * 1000, data: tcpFrame(spec) });
    this.t++;
    return this.pcap.recordOffsets.length; // record number of the segment just added
  }
}

/** The conflict capture and what a correct reassembler makes of it. */
export interface ConflictCapture {
  file: Buffer;
  clientPort: number;
  /** Expected stream bytes: c2s keeps the first (delivered) copy, s2c takes the later copy of buffered data. */
  c2s: Buffer;
  s2c: Buffer;
  /** Record numbers of the two copies of each conflict. */
  delivered: { old: number; new: number; seq: number; length: number };
  buffered: { old: number; new: number; seq: number; length: number };
}

/**
 * One connection: the client sends `first copy`, then retransmits the same range with other bytes before the
 * server acknowledges it (a conflict against delivered data: the first copy stays). The server sends a segment
 * out of order twice with different bytes before the hole before it is filled (a conflict against buffered
 * data: the newer copy replaces it).
 */
export function conflictCapture(): ConflictCapture {
  const c = new Conversation();
  const client = { src: '192.0.2.10', dst: '198.51.100.20', srcPort: 51000, dstPort: 443 };
  const server = { src: '198.51.100.20', dst: '192.0.2.10', srcPort: 443, dstPort: 51000 };
  const cIsn = 1000;
  const sIsn = 90000;
  const first = Buffer.from('GET /evidence HTTP/1.1 first copy\n');
  const second = Buffer.from('GET /tampered HTTP/1.1 other copy\n');
  const head = Buffer.from('0123456789');
  const tailOld = Buffer.from('old-tail-bytes');
  const tailNew = Buffer.from('NEW-TAIL-BYTES');
  c.add({ ...client, seq: cIsn, flags: TCP_SYN });
  c.add({ ...server, seq: sIsn, ack: cIsn + 1, flags: TCP_SYN | TCP_ACK });
  c.add({ ...client, seq: cIsn + 1, ack: sIsn + 1, flags: TCP_ACK });
  const dOld = c.add({ ...client, seq: cIsn + 1, ack: sIsn + 1, flags: TCP_ACK | TCP_PSH, payload: first });
  const dNew = c.add({ ...client, seq: cIsn + 1, ack: sIsn + 1, flags: TCP_ACK | TCP_PSH, payload: second });
  const bOld = c.add({ ...server, seq: sIsn + 1 + head.length, ack: cIsn + 1 + first.length, flags: TCP_ACK | TCP_PSH, payload: tailOld });
  const bNew = c.add({ ...server, seq: sIsn + 1 + head.length, ack: cIsn + 1 + first.length, flags: TCP_ACK | TCP_PSH, payload: tailNew });
  c.add({ ...server, seq: sIsn + 1, ack: cIsn + 1 + first.length, flags: TCP_ACK, payload: head });
  const sEnd = sIsn + 1 + head.length + tailNew.length;
  c.add({ ...client, seq: cIsn + 1 + first.length, ack: sEnd, flags: TCP_ACK | TCP_FIN });
  c.add({ ...server, seq: sEnd, ack: cIsn + 2 + first.length, flags: TCP_ACK | TCP_FIN });
  c.add({ ...client, seq: cIsn + 2 + first.length, ack: sEnd + 1, flags: TCP_ACK });
  return {
    file: c.pcap.build(),
    clientPort: client.srcPort,
    c2s: first,
    s2c: Buffer.concat([head, tailNew]),
    delivered: { old: dOld, new: dNew, seq: cIsn + 1, length: first.length },
    buffered: { old: bOld, new: bNew, seq: sIsn + 1 + head.length, length: tailOld.length },
  };
}

/** A capture of many connections all open at once, and each direction's expected bytes. */
export interface ManyCapture {
  file: Buffer;
  streams: Array<{ clientPort: number; c2s: Buffer; s2c: Buffer }>;
}

/**
 * `n` connections from one client to one server, interleaved round by round (all handshakes, then every
 * request, every response, every close), so they are all open together.
 */
export function manyConnections(n: number): ManyCapture {
  const c = new Conversation();
  const streams = Array.from({ length: n }, (_, i) => ({
    clientPort: 20000 + i,
    // More than the exporter's 64 KiB write buffer, in two segments sent in different rounds: every client file
    // is opened while all 300 connections are still open, so the open-file bound has to close and reopen them.
    c2s: pseudoRandomBytes(66_000 + (i % 50), 1 + i),
    s2c: pseudoRandomBytes(400 + ((i * 7) % 300), 10_000 + i),
  }));
  const ends = (i: number) => ({
    client: { src: '10.8.0.1', dst: '10.9.0.1', srcPort: 20000 + i, dstPort: 8080 },
    server: { src: '10.9.0.1', dst: '10.8.0.1', srcPort: 8080, dstPort: 20000 + i },
  });
  const cIsn = (i: number) => (0xfffff000 + i * 7919) >>> 0; // some start just below the sequence wrap
  const sIsn = (i: number) => 5_000_000 + i * 104_729;
  streams.forEach((_, i) => c.add({ ...ends(i).client, seq: cIsn(i), flags: TCP_SYN }));
  streams.forEach((_, i) => c.add({ ...ends(i).server, seq: sIsn(i), ack: cIsn(i) + 1, flags: TCP_SYN | TCP_ACK }));
  const half = 33_000;
  streams.forEach((s, i) => c.add({ ...ends(i).client, seq: cIsn(i) + 1, ack: sIsn(i) + 1, flags: TCP_ACK, payload: s.c2s.subarray(0, half) }));
  streams.forEach((s, i) =>
    c.add({ ...ends(i).client, seq: cIsn(i) + 1 + half, ack: sIsn(i) + 1, flags: TCP_ACK | TCP_PSH, payload: s.c2s.subarray(half) }),
  );
  streams.forEach((s, i) =>
    c.add({ ...ends(i).server, seq: sIsn(i) + 1, ack: cIsn(i) + 1 + s.c2s.length, flags: TCP_ACK | TCP_PSH, payload: s.s2c }),
  );
  streams.forEach((s, i) =>
    c.add({ ...ends(i).client, seq: cIsn(i) + 1 + s.c2s.length, ack: sIsn(i) + 1 + s.s2c.length, flags: TCP_ACK | TCP_FIN }),
  );
  streams.forEach((s, i) =>
    c.add({ ...ends(i).server, seq: sIsn(i) + 1 + s.s2c.length, ack: cIsn(i) + 2 + s.c2s.length, flags: TCP_ACK | TCP_FIN }),
  );
  return { file: c.pcap.build(), streams };
}
