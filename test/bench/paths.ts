import type { CaptureRecord } from '../../lib/capture/record.js';
import { Decoder } from '../../lib/decode/decoder.js';
import { TcpPacket } from '../../lib/decode/packet.js';
import { exportCapture, streamAnalyze } from '../../lib/pipeline/index.js';
import type { Reader } from './engine.js';

/**
 * The phases as the bench runs them. analyze and export call lib/pipeline, exactly as the CLI does.
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

/**
 * Read + decode + reassemble + report rows, no output: what `tcpreasm analyze --format json|csv` runs
 * (lib/pipeline's streamAnalyze, default options: bounded engine, capture-time flushes, rows in id order
 * handed over as they are ready and dropped), minus printing. Rows come as views of numbers written straight
 * from the engine; the CLI builds a row's object and text (`row.report()`) only to print it, so that cost
 * belongs to printing and is not measured here.
 */
export async function analyzePath(_reader: Reader, file: string, out: PhaseCounts): Promise<void> {
  let rows = 0;
  const r = await streamAnalyze(file, () => void rows++, {});
  if (rows !== r.summary.connections) throw new Error(`analyze: ${rows} rows for ${r.summary.connections} connections`);
  out.records = r.pass.read.records;
  out.segments = r.pass.decode.tcp;
  out.payloadBytes = r.pass.totals.bytes;
  out.connections = r.summary.connections;
  out.streamBytes = r.summary.bytesReassembled;
}

/** Read + decode + reassemble + write every stream and manifest.jsonl into `outDir`: what `tcpreasm export` runs. */
export async function exportPath(_reader: Reader, file: string, outDir: string, out: PhaseCounts): Promise<void> {
  const r = await exportCapture(file, { dir: outDir, force: true }, {});
  if (r.fatalError) throw new Error(`export failed: ${r.fatalError.message}`);
  out.records = r.pass.read.records;
  out.segments = r.pass.decode.tcp;
  out.payloadBytes = r.pass.totals.bytes;
  out.connections = r.export.connections;
  out.streamBytes = r.summary.bytesReassembled;
  out.outputBytes = r.export.bytes;
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
