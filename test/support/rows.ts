/**
 * Hand-made report rows and run summaries for the report tests: every field of the one declaration
 * (lib/schema) filled, counters varied by a seed.
 */
import { readDirection, ROW_COUNTERS, type DirectionReport } from '../../lib/schema/counters.js';
import type { ConnectionRow } from '../../lib/schema/row.js';
import { newEndedCounts } from '../../lib/schema/states.js';
import type { RunSummary } from '../../lib/report/index.js';

/** A direction whose counters are seed * (1, 3, 7, ...) by position; flags from the seed's parity. */
export function testDirection(seed: number, over: Partial<DirectionReport> = {}): DirectionReport {
  const v = new Float64Array(ROW_COUNTERS);
  for (let i = 0; i < ROW_COUNTERS; i++) v[i] = seed * (2 * i + 1);
  return { ...readDirection(v, 0), startMissing: seed % 2 === 1, ...over };
}

/** A whole row; `over` replaces any field. */
export function testRow(id: number, over: Partial<ConnectionRow> = {}): ConnectionRow {
  const c2s = testDirection(id + 1);
  const s2c = testDirection(2 * id + 5);
  return {
    id,
    ipVersion: 4,
    client: `10.0.0.${id + 1}`,
    clientPort: 40000 + id,
    server: '10.99.2.2',
    serverPort: 9000,
    vlan: null,
    outerVlan: null,
    encapsulation: null,
    state: 'closed',
    midStream: false,
    serverGuessed: false,
    reuseIndex: 0,
    firstTsSec: 1_700_000_000,
    firstTsNsec: id,
    lastTsSec: 1_700_000_000 + id,
    lastTsNsec: 0,
    conflictsDropped: 0,
    suspiciousRsts: 0,
    peakPages: c2s.pagesPeak + s2c.pagesPeak,
    c2s,
    s2c,
    ...over,
  };
}

/** A run summary with every field. */
export function testSummary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    input: 'capture.pcap',
    inputBytes: 123_456_789,
    inputs: [{ name: 'capture.pcap', size: 123_456_789, format: 'pcap', compressed: false, records: 1_000_000, firstTime: null, lastTime: null, cleanEnd: true }],
    recordsOutsideTime: 0,
    packetsRead: 1_000_000,
    tcpSegments: 999_000,
    connections: 3,
    bytesReassembled: 812_345_678,
    bytesMissing: 1448,
    overlapBytes: 10,
    overlapPackets: 1,
    conflicts: 2,
    rstIgnored: 1,
    rstNotTaken: 0,
    outOfWindowPackets: 3,
    outOfWindowBytes: 300,
    malformed: { 'truncated-ip': 1, 'bad-tcp-header': 2 },
    diagnostics: { 'truncated-record': 1 },
    elapsedNs: 1.5e9,
    packetsPerSecond: 666_667,
    interrupted: false,
    reader: {
      format: 'pcap', compressed: false, byteOrder: 'little', nanosecond: false, interfaces: [],
      records: 1_000_000, recordsSeen: 1_000_000, truncatedRecords: 0, sourceBytes: 123_456_789, cleanEnd: true, stoppedOnDamage: false,
    },
    decode: {
      packets: 1_000_000, tcp: 999_000, nonTcp: 997, nonTcpByKind: {}, malformed: 3, checksumFailed: 0, snaplenCut: 0, badTcpOptions: 0,
      fragments: 0, fragmentsReassembled: 0, fragmentOverlapConflicts: 0, fragmentsUnfinished: 0, encapsulated: 0, encapsulationsUnkept: 0, ipv4OptionOddities: 0,
    },
    engine: {
      packets: 999_000, connectionsCreated: 3, connectionsPeakOpen: 2, midStreamPickups: 0, portReuses: 0,
      ended: { ...newEndedCounts(), closed: 2, reset: 1 }, connectionsEvicted: 0, packetsToTombstones: 4, pageSize: 1900, pagesPeak: 10,
      bufferedPagesPeak: 6, windowPagesPeak: 4, windowRunsPeak: 8, bytesSkippedByLimits: 0, limitHitsPerConnection: 0, limitHitsTotal: 0,
      retransmittedPackets: 1, retransmittedBytes: 10, conflictBytes: 5, conflictChecksImpossible: 0, rejected: 0,
    },
    checks: { state: null, options: null },
    warnings: [],
    ...over,
  };
}
