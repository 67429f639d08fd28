import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration (capture-time durations of --flush-after / --close-after)', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['1.5m', 90],
    ['2h', 7200],
    ['1d', 86400],
    ['250ms', 0.25],
    ['500us', 0.0005],
    ['0', 0],
    [' 3 S ', 3],
    [12, 12],
  ])('%j is %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBeCloseTo(seconds, 12);
  });

  it.each(['', 'soon', '-5s', '5x', '1e3', '1.s', 's', -1])('%j is not a duration (NaN)', (text) => {
    expect(parseDuration(text)).toBeNaN();
  });
});
