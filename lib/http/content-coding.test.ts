import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBody } from './content-coding.js';

const text = Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*');
const decoded = (raw: Buffer, codings: string[]) => {
  const d = decodeBody(raw, codings, 1 << 20);
  if ('error' in d) throw new Error(d.error);
  return d;
};

describe('content codings undone as a browser undoes them', () => {
  it('gzip, deflate (zlib) and raw deflate, the last said', () => {
    expect(decoded(gzipSync(text), ['gzip'])).toEqual({ bytes: text, note: null });
    expect(decoded(deflateSync(text), ['deflate'])).toEqual({ bytes: text, note: null });
    const raw = decoded(deflateRawSync(text), ['deflate']);
    expect(raw.bytes).toEqual(text);
    expect(raw.note).toMatch(/raw deflate/);
  });

  it('several codings are undone last first; identity is nothing', () => {
    expect(decoded(gzipSync(deflateSync(text)), ['identity', 'deflate', 'gzip']).bytes).toEqual(text);
  });

  it('a gzip trailer with a wrong CRC, or reserved header flags set, still decodes, and says so', () => {
    const badCrc = gzipSync(text);
    badCrc.fill(0xff, badCrc.length - 8, badCrc.length - 4);
    const a = decoded(badCrc, ['gzip']);
    expect(a.bytes).toEqual(text);
    expect(a.note).toMatch(/without the header flags and trailer checks/);
    const flags = gzipSync(text);
    flags[3] = 0x20;
    expect(decoded(flags, ['gzip']).bytes).toEqual(text);
  });

  it('an unknown coding, or bytes that are not gzip, give a reason and no bytes', () => {
    expect(decodeBody(text, ['compress'], 1 << 20)).toEqual({ error: 'content coding "compress" is not one tcpreasm decodes (gzip, deflate, br)' });
    expect(decodeBody(text, ['gzip'], 1 << 20)).toHaveProperty('error');
  });

  it('a bomb stops at the bound with a reason', () => {
    expect(decodeBody(gzipSync(Buffer.alloc(4 << 20)), ['gzip'], 1 << 20)).toHaveProperty('error');
  });
});

describe('a coding listed twice but applied once (http-evader `ce:gzip;ce:gzip`)', () => {
  it('decodes the layers that are there, and says which did not', () => {
    const d = decoded(gzipSync(text), ['gzip', 'gzip']);
    expect(d.bytes).toEqual(text);
    expect(d.note).toMatch(/decoded 1 of 2 codings/);
  });
});

describe('codings listed but not applied', () => {
  it('`gzip, deflate` over one gzip: deflate is passed over, gzip undone, said', () => {
    const d = decoded(gzipSync(text), ['gzip', 'deflate']);
    expect(d.bytes).toEqual(text);
    expect(d.note).toMatch(/"deflate" is listed but the bytes are not in it.*decoded 1 of 2 codings/);
  });
});
