import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../lib/capture/index.js';
import { WarningLimiter } from './warnings.js';

const diag = (code: string, recordNumber: number): Diagnostic => ({ severity: 'warning', code, message: `bad ${recordNumber}`, fileOffset: recordNumber * 100, recordNumber });

function limiter() {
  const lines: string[] = [];
  let t = 0;
  const w = new WarningLimiter((s) => lines.push(s), 'cap.pcap', (d) => `tcpreasm: warning: cap.pcap: record ${d.recordNumber}: ${d.message} [${d.code}]\n`, () => t, 3);
  return { w, lines, at: (ms: number) => (t = ms) };
}

describe('warnings on stderr are bounded', () => {
  it('each kind in full a few times, then counted, and the end says how many', () => {
    const { w, lines } = limiter();
    for (let i = 1; i <= 1000; i++) w.warn(diag('truncated-record', i));
    w.warn(diag('bad-block-length', 1001));
    w.end();
    expect(lines.filter((l) => l.includes('record 1:') || l.includes('record 2:') || l.includes('record 3:'))).toHaveLength(3);
    expect(lines).toContain('tcpreasm: warning: cap.pcap: more [truncated-record] warnings are counted, not shown\n');
    // The clock stood still: one notice line (the first after the shown ones), then nothing until the end.
    expect(lines.filter((l) => l.includes('so far'))).toEqual([
      'tcpreasm: warning: cap.pcap: [truncated-record] 4 so far, 1 since the last shown; latest: cap.pcap: record 4: bad 4 [truncated-record]\n',
    ]);
    expect(lines.some((l) => l.includes('record 1001: bad 1001 [bad-block-length]'))).toBe(true);
    expect(lines.at(-1)).toBe('tcpreasm: warning: cap.pcap: [truncated-record] 1,000 in all, 3 shown\n');
    expect(lines).toHaveLength(3 + 1 + 1 + 1 + 1);
  });

  it('at most one notice line a second, each with the running count', () => {
    const { w, lines, at } = limiter();
    for (let i = 1; i <= 5000; i++) {
      at(i);
      w.warn(diag('x', i));
    }
    const notices = lines.filter((l) => l.includes('so far'));
    // Warnings 4 (t = 4 ms), then t = 1004, 2004, 3004, 4004.
    expect(notices.map((l) => /\] ([\d,]+) so far, ([\d,]+) since/.exec(l)!.slice(1))).toEqual([
      ['4', '1'],
      ['1,004', '1,000'],
      ['2,004', '1,000'],
      ['3,004', '1,000'],
      ['4,004', '1,000'],
    ]);
  });
});
