import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { timeInTurns } from './peers.js';

const scratch = mkdtempSync(join(tmpdir(), 'tcpreasm-peers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('timeInTurns', () => {
  it('runs the two commands in turns, warm-ups included, and counts only the timed runs', () => {
    const log = join(scratch, 'turns.log');
    const mark = (c: string) => ({ argv: ['sh', '-c', `printf ${c} >> ${log}`] });
    const r = timeInTurns(mark('a'), mark('b'), 3, 1, scratch);
    expect(readFileSync(log, 'utf8')).toBe('abababab');
    expect(r.mine.runSeconds).toHaveLength(3);
    expect(r.peer.runSeconds).toHaveLength(3);
    expect(r.mine.error).toBeUndefined();
    expect(Number.isFinite(r.ratio)).toBe(true);
  });

  it('stops at a failing run and says why', () => {
    const r = timeInTurns({ argv: ['true'] }, { argv: ['sh', '-c', 'echo broken >&2; exit 3'] }, 3, 1, scratch);
    expect(r.peer.error).toMatch(/exit 3: broken/);
    expect(r.peer.seconds).toBeNaN();
  });
});
