import type { CaptureRecord } from '../../lib/capture/record.js';
import { Decoder } from '../../lib/decode/decoder.js';
import { TcpPacket } from '../../lib/decode/packet.js';
import type { Reader } from './engine.js';

/**
 * The analyze and export paths as the bench runs them.
 *
 * LEAD: when lib/pipeline (or the CLI's analyze/export functions) lands, replace the bodies of `analyzePath` and
 * `exportPath` with a call to it: they must run exactly what `tcpreasm analyze` / `tcpreasm export` run (no
 * printing), fill `out`, and throw {@link PhaseUnavailable} while something they need is missing. Until then
 * they wire the engine modules directly when those exist.
 */

/** What a phase run counted; the runner derives rates from it and checks it against the workload's metadata. */
export class PhaseCounts {
  records = 0;
  /** TCP segments decoded. */
  segments = 0;
  payloadBytes = 0;
  /** Connections the engine reported (0 when the phase does not know connections). */
  connections = 0;
  /** Stream bytes delivered by reassembly, or written by export. */
  streamBytes = 0;
  /** Bytes written to disk (export). */
  outputBytes = 0;
}

/** Thrown by a phase whose library pieces have not landed yet. */
export class PhaseUnavailable extends Error {}

/** Read + decode + reassemble + report, no output files. */
export async function analyzePath(_reader: Reader, _file: string, _out: PhaseCounts): Promise<void> {
  throw new PhaseUnavailable('lib/reassembly not exported yet');
}

/** Read + decode + reassemble + write every stream and the manifest into `outDir`. */
export async function exportPath(_reader: Reader, _file: string, _outDir: string, _out: PhaseCounts): Promise<void> {
  throw new PhaseUnavailable('no export pipeline yet');
}

/** Read only: a consumer that counts records and bytes. */
export async function readPath(reader: Reader, file: string, out: PhaseCounts): Promise<void> {
  const onRecord = (rec: CaptureRecord): void => {
    out.records++;
    out.payloadBytes += rec.capturedLength;
  };
  await reader.read(file, onRecord);
}

/** Read + decode: one reused TcpPacket, a consumer that counts segments and payload bytes. */
export async function decodePath(reader: Reader, file: string, out: PhaseCounts): Promise<void> {
  const decoder = new Decoder();
  const pkt = new TcpPacket();
  const onRecord = (rec: CaptureRecord): void => {
    out.records++;
    if (decoder.decode(rec, pkt)) {
      out.segments++;
      out.payloadBytes += pkt.payloadLength;
    }
  };
  await reader.read(file, onRecord);
}
