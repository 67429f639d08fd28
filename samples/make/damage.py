#!/usr/bin/env python3
"""Make the damaged captures from cuts of the undamaged samples, and write what a reader must say about each.

usage: damage.py PCAP N PCAPNG_CUT OUT_DIR
  PCAP        a little-endian classic pcap sample; its first N records (a byte prefix of it) are the original
  PCAPNG_CUT  a pcapng written by editcap (records 1..M of a sample)
Writes the damaged files into OUT_DIR and OUT_DIR/expectations.json (file name -> expectation). Every number in
the expectations is computed from the construction here, never typed by hand.
"""
import gzip, json, os, random, struct, sys, zlib

PACKET_BLOCKS = {0x00000002, 0x00000003, 0x00000006}  # obsolete packet, simple packet, enhanced packet


def pcap_records(d):
    """(offset, caplen) of every record of a little-endian classic pcap."""
    assert d[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'), 'need a little-endian pcap'
    off, recs = 24, []
    while off + 16 <= len(d):
        cap = struct.unpack_from('<I', d, off + 8)[0]
        assert off + 16 + cap <= len(d), 'cut must be undamaged'
        recs.append((off, cap))
        off += 16 + cap
    assert off == len(d)
    return recs


def pcapng_blocks(d):
    """(offset, type, length, packet record number or 0) of every block of a little-endian pcapng."""
    off, n, blocks = 0, 0, []
    while off < len(d):
        btype, blen = struct.unpack_from('<II', d, off)
        assert blen % 4 == 0 and blen >= 12 and struct.unpack_from('<I', d, off + blen - 4)[0] == blen
        if btype in PACKET_BLOCKS:
            n += 1
        blocks.append((off, btype, blen, n if btype in PACKET_BLOCKS else 0))
        off += blen
    return blocks


def expect(how, record, offset, before, total, recoverable_after, diagnostic, **extra):
    """One expectation. `record`/`offset`: the packet record the damage hits and the byte offset (decompressed
    stream) where that record's header or block starts, i.e. where a reader meets the damage. `before`: intact
    records before it, which a reader must deliver. `recoverableAfter`: intact records after the damage that a
    reader able to resynchronise could still deliver (0: nothing after it). `total`: records in the undamaged
    original (the cut)."""
    e = {'damage': how, 'damageRecord': record, 'damageOffset': offset, 'recordsBefore': before,
         'recoverableAfter': recoverable_after, 'originalRecords': total, 'diagnostic': diagnostic}
    e.update(extra)
    return e


def main():
    pcap, n, pcapng_cut, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    os.makedirs(out, exist_ok=True)
    exp = {}
    whole = open(pcap, 'rb').read()
    recs = pcap_records(whole)[:n]
    base = whole[:recs[-1][0] + 16 + recs[-1][1]]

    # Cut inside the last record's packet bytes: its header is whole, its data is not.
    last_off, last_cap = recs[-1]
    cut = last_off + 16 + last_cap // 2
    open(f'{out}/truncated-mid-record.pcap', 'wb').write(base[:cut])
    exp['truncated-mid-record.pcap'] = expect(
        f'file ends {last_cap // 2} bytes into the {last_cap} packet bytes of the last record', n, last_off, n - 1,
        n, 0, 'truncated record (error or warning), after delivering every record before it',
        fileSize=cut, missingBytes=last_off + 16 + last_cap - cut)

    # Cut inside the last record's 16-byte header.
    cut = last_off + 7
    open(f'{out}/truncated-mid-header.pcap', 'wb').write(base[:cut])
    exp['truncated-mid-header.pcap'] = expect(
        'file ends 7 bytes into the 16-byte header of the last record', n, last_off, n - 1, n, 0,
        'truncated record header, after delivering every record before it', fileSize=cut)

    # A record in the middle claims 0x7fffff00 captured bytes; the bytes after it are intact records.
    k = n // 2
    off, cap = recs[k - 1]
    d = bytearray(base)
    struct.pack_into('<I', d, off + 8, 0x7fffff00)
    open(f'{out}/garbage-length.pcap', 'wb').write(d)
    exp['garbage-length.pcap'] = expect(
        f'record {k} caplen field overwritten with 0x7fffff00 (was {cap}; origlen untouched)', k, off, k - 1, n,
        n - k, 'bad record length at this record; must not allocate 2 GB, must not hang; may resync to the next '
        f'valid header at offset {off + 16 + cap}', fileSize=len(d), caplenFieldOffset=off + 8,
        originalCaplen=cap, nextRecordOffset=off + 16 + cap)

    ng = open(pcapng_cut, 'rb').read()
    blocks = pcapng_blocks(ng)
    pkts = [b for b in blocks if b[3]]
    m = len(pkts)

    # One packet block in the middle: trailing length no longer equals the leading one.
    k = m // 2
    off, btype, blen, _ = pkts[k - 1]
    d = bytearray(ng)
    struct.pack_into('<I', d, off + blen - 4, blen + 4)
    open(f'{out}/bad-trailing-length.pcapng', 'wb').write(d)
    exp['bad-trailing-length.pcapng'] = expect(
        f'block of record {k} (type 0x{btype:08x}, length {blen}): trailing length set to {blen + 4}', k, off,
        k - 1, m, m - k, 'block length mismatch at this block; the leading length is intact, so a reader can go on '
        f'at offset {off + blen}; whether record {k} itself is delivered is the reader\'s choice (its bytes are intact)',
        fileSize=len(d), trailingLengthOffset=off + blen - 4, blockLength=blen, nextBlockOffset=off + blen)

    # 64 random bytes between two packet blocks in the middle: every block stays intact, shifted by 64.
    rnd = random.Random(20240229)
    while True:
        junk = rnd.randbytes(64)
        jtype, jlen = struct.unpack_from('<II', junk)
        # The junk must not parse as a plausible block, or the sample would not be damaged the way it says.
        if jlen % 4 != 0 or jlen > len(ng):
            break
    off = pkts[k - 1][0]
    d = ng[:off] + junk + ng[off:]
    open(f'{out}/garbage-block.pcapng', 'wb').write(d)
    exp['garbage-block.pcapng'] = expect(
        f'64 random bytes inserted before the block of record {k} (junk reads as type 0x{jtype:08x}, '
        f'length 0x{jlen:08x})', k, off, k - 1, m, m - k + 1,
        f'bad block at this offset; records {k}..{m} are intact 64 bytes further on (offset {off + 64}) for a '
        'reader that resynchronises', fileSize=len(d), insertedBytes=64, nextBlockOffset=off + 64)

    # A gzip file cut short: the reader gets what inflate can produce, then must report the truncation.
    gz = gzip.compress(base, compresslevel=9, mtime=0)
    cut = len(gz) * 3 // 5
    open(f'{out}/truncated.pcap.gz', 'wb').write(gz[:cut])
    got = zlib.decompressobj(wbits=31).decompress(gz[:cut])
    assert base.startswith(got)
    whole = [r for r in recs if r[0] + 16 + r[1] <= len(got)]
    k = len(whole) + 1
    exp['truncated.pcap.gz'] = expect(
        f'gzip stream cut at {cut} of {len(gz)} bytes; inflate yields {len(got)} of {len(base)} bytes', k,
        recs[k - 1][0], k - 1, n, 0, 'truncated compressed stream (and the record it cuts), after delivering every '
        'record before it', fileSize=cut, decompressedBytes=len(got), originalDecompressedBytes=len(base),
        cutInRecordHeader=len(got) < recs[k - 1][0] + 16)

    open(f'{out}/not-a-capture.txt', 'w').write(
        'This is not a packet capture.\nIt is a small text file: a reader must say so (unknown magic number)\n'
        'and deliver no records, without throwing.\n')
    exp['not-a-capture.txt'] = expect('not a capture file (text)', 0, 0, 0, 0, 0,
                                      'not a capture: unknown magic at offset 0', fileSize=os.path.getsize(
                                          f'{out}/not-a-capture.txt'))
    open(f'{out}/empty.pcap', 'wb').close()
    exp['empty.pcap'] = expect('empty file (0 bytes)', 0, 0, 0, 0, 0,
                               'empty file / no file header at offset 0; no records', fileSize=0)

    json.dump(exp, open(f'{out}/expectations.json', 'w'), indent=1)


if __name__ == '__main__':
    main()
