/**
 * The numeric snapshot a connection leaves when it ends: its row (lib/schema/row.ts) written straight from the
 * engine's ConnectionInfo and HalfStats into a run of numbers. No row object and no text: those are made only
 * when a row is read back (readRow), at render time.
 */
import type { ConnectionInfo } from '../reassembly/index.js';
import { F_C2S, F_S2C, FIELD_OFFSET as F } from '../schema/row.js';
import { stateCode } from '../schema/states.js';

/** Writes the row of a connection that just ended at `a[at, at + ROW_FIELDS)`: a snapshot, later packets are not in it. */
export function writeRow(a: Float64Array, at: number, c: ConnectionInfo): void {
  a[at + F.id] = c.id;
  a[at + F.ipVersion] = c.ipVersion;
  for (let w = 0; w < 4; w++) {
    a[at + F.client + w] = c.client.word(w);
    a[at + F.server + w] = c.server.word(w);
  }
  a[at + F.clientPort] = c.client.port;
  a[at + F.serverPort] = c.server.port;
  a[at + F.vlan] = c.vlan;
  a[at + F.outerVlan] = c.outerVlan;
  a[at + F.encapsulation] = c.encap;
  a[at + F.state] = stateCode(c.endReason);
  a[at + F.midStream] = c.midStream ? 1 : 0;
  a[at + F.serverGuessed] = c.serverGuessed ? 1 : 0;
  a[at + F.reuseIndex] = c.reuseIndex;
  a[at + F.first] = c.firstTsSec;
  a[at + F.first + 1] = c.firstTsNsec;
  a[at + F.last] = c.lastTsSec;
  a[at + F.last + 1] = c.lastTsNsec;
  a[at + F.conflictsDropped] = c.conflictsDropped;
  a[at + F.suspiciousRsts] = c.suspiciousRsts;
  c.stats[0].writeRowCounters(a, at + F_C2S);
  c.stats[1].writeRowCounters(a, at + F_S2C);
}
