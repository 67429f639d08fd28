/**
 * The public API: the exact list of runtime names (types are checked by the compiler), and the README's
 * example working through it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('the package exports what a user needs and nothing else', () => {
  it('the runtime names, each once', () => {
    expect(Object.keys(api).sort()).toEqual([
      'Assembler', 'AssemblerStats', 'CLIENT_TO_SERVER', 'CONNECTION_FIELDS', 'CONNECTION_STATES', 'CaptureError', 'CaptureInfo',
      'CaptureParser', 'CaptureRecord', 'ConflictRecord', 'DEFAULT_ASSEMBLER_OPTIONS', 'DEFAULT_CLOSE_AFTER_SEC',
      'DEFAULT_FLUSH_AFTER_SEC', 'DEFAULT_PAGE_SIZE', 'DEFAULT_POOL_OPTIONS', 'DIRECTION_COUNTERS', 'DecodeStats', 'Decoder',
      'Endpoint', 'ExportError', 'HalfStats', 'LinkType', 'PoolStats', 'SERVER_TO_CLIENT', 'SelectionError', 'Sequence',
      'StreamPool', 'SuspiciousRst', 'TcpFlag', 'TcpFsmStats', 'TcpOptionCheck', 'TcpOptionCheckStats', 'TcpPacket',
      'TcpSimpleFsm', 'TcpState', 'analyzeCapture', 'analyzeReport', 'connectionFilter', 'connections', 'exportCapture', 'exportInWorkers', 'followStream', 'formatAddress', 'httpCapture', 'httpExchanges',
      'overlapsCapture', 'parseAddress', 'parseManifest', 'readCapture', 'renderReportHtml', 'reportCapture', 'runPass', 'seqAdd', 'seqDiff', 'streamAnalyze', 'streamAnalyzeInWorkers',
    ]);
  });

  it("the README's example: analyze, export with a selection, your own handler", async () => {
    const { connections, summary } = await api.analyzeCapture('samples/ipv4-loss.pcap', { flushAfterSec: 60 });
    expect(connections.length).toBe(summary.connections);
    expect(connections.every((c) => typeof c.client === 'string' && c.state === 'closed')).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'tcpreasm-api-'));
    try {
      const out = join(dir, 'out');
      const exported = await api.exportCapture('samples/ipv4-loss.pcap', { dir: out }, { select: (conn) => conn.id < 3 });
      expect(exported.export.connections).toBe(3);
      const manifest = api.parseManifest(readFileSync(join(out, 'manifest.jsonl'), 'utf8'));
      expect(manifest.rows).toHaveLength(3);
      expect(manifest.end).toMatchObject({ status: 'complete', reason: null, rows: 3, rowsLost: 0, truncatedFiles: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const ends: string[] = [];
    let bytes = 0;
    await api.runPass('samples/ipv4-loss.pcap', {
      open: () => ({
        reassembled: (sg) => (bytes += sg.lengths().available),
        complete: (conn) => ends.push(`${conn.client} ${conn.endReason}`),
      }),
    });
    expect(ends).toHaveLength(connections.length);
    expect(ends[0]).toBe(`${connections[0]!.client}:${connections[0]!.clientPort} closed`);
    expect(bytes).toBe(summary.bytesReassembled);
  });
});
