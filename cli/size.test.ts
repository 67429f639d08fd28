import { describe, expect, it } from 'vitest';
import { parseSize } from './size.js';

describe('parseSize', () => {
  it('plain bytes and binary multiples, with or without B / iB', () => {
    expect(parseSize('4096')).toBe(4096);
    expect(parseSize(4096)).toBe(4096);
    expect(parseSize('64k')).toBe(65536);
    expect(parseSize('16MiB')).toBe(16 * 1024 * 1024);
    expect(parseSize('1.5 GB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('2t')).toBe(2 * 1024 ** 4);
    expect(parseSize('10b')).toBe(10);
  });

  it('anything else is NaN', () => {
    for (const bad of ['', 'k', '-1', '1x', '1 kk', 'ten']) expect(parseSize(bad)).toBeNaN();
    expect(parseSize(-1)).toBeNaN();
  });
});
