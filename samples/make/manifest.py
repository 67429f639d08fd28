#!/usr/bin/env python3
"""Write samples/manifest.json (on stdout) from the files in samples/, checking every number twice.

usage: manifest.py SAMPLES_DIR EXPECTATIONS.json SNAP_MISSING.json MULTI_LINK_SHIFT
Format, link types, resolution and record counts come from parsing each file here AND from capinfos; the script
fails when the two disagree, or when a capture file in SAMPLES_DIR is not described below.
"""
import gzip, hashlib, json, os, re, struct, subprocess, sys, zlib

samples, expectations, snap_missing, shift = sys.argv[1:5]
expectations = json.load(open(expectations))
snap_missing = json.load(open(snap_missing))

V4 = 'ipv4-loss.pcap'
# file -> (base it was derived from, transform, truth file); the numbers are filled in from the files.
DESCRIBED = {
    'ipv4-loss.pcap': (None, 'capture: mkcapture.sh ipv4-loss 20 4 50000 80000 30 1', 'ipv4-loss.truth.jsonl'),
    'ipv6-loss.pcap': (None, 'capture: IPV6=1 mkcapture.sh ipv6-loss 20 4 50000 80000 30 2', 'ipv6-loss.truth.jsonl'),
    'ipv4-heavyloss.pcap': (None, 'capture: mkcapture.sh ipv4-heavyloss 8 4 50000 80000 120 3',
                            'ipv4-heavyloss.truth.jsonl'),
    'ipv4-loss.vlan.pcap': (V4, 'pcapxform.py vlan 100', 'ipv4-loss.truth.jsonl'),
    'ipv4-loss.qinq.pcap': (V4, 'pcapxform.py qinq 200 300', 'ipv4-loss.truth.jsonl'),
    'ipv4-loss.sll.pcap': (V4, 'pcapxform.py sll', 'ipv4-loss.truth.jsonl'),
    'ipv4-loss.sll2.pcap': (V4, 'pcapxform.py sll2', 'ipv4-loss.truth.jsonl'),
    'ipv4-loss.raw.pcap': (V4, 'pcapxform.py raw', 'ipv4-loss.truth.jsonl'),
    'ipv4-loss.ipv4.pcap': ('ipv4-loss.raw.pcap', 'editcap -F pcap -T rawip4', 'ipv4-loss.truth.jsonl'),
    'ipv4-loss.null.pcap': (V4, 'pcapxform.py null', 'ipv4-loss.truth.jsonl'),
    'ipv4-loss.be.pcap': (V4, 'pcapxform.py be', 'ipv4-loss.truth.jsonl'),
    'ipv4-loss.ns.pcap': (V4, 'pcapxform.py ns', 'ipv4-loss.truth.jsonl'),
    'ipv4-loss.snap200.pcap': (V4, 'pcapxform.py snap 200', 'ipv4-loss.truth.jsonl'),
    'ipv4-loss.pcapng': (V4, 'editcap -F pcapng', 'ipv4-loss.truth.jsonl'),
    'ipv4-loss.ns.pcapng': ('ipv4-loss.ns.pcap', 'editcap -F pcapng', 'ipv4-loss.truth.jsonl'),
    'ipv4-loss.pcap.gz': (V4, 'gzip -9 -n', 'ipv4-loss.truth.jsonl'),
    'ipv4-loss.pcapng.gz': ('ipv4-loss.pcapng', 'gzip -9 -n', 'ipv4-loss.truth.jsonl'),
    'multi-link.pcapng': (V4, f'mergecap -F pcapng {V4} + (ipv6-loss.pcap: pcapxform.py sll, editcap -t {shift})',
                          'multi-link.truth.jsonl'),
    'http-loss.pcap': (None, 'capture: make/http-capture.sh http-loss (httpgen.py, 2% loss)', 'http-loss.truth.jsonl'),
    'damaged/truncated-mid-record.pcap': (V4, 'records 1-240 (a byte prefix), then cut', None),
    'damaged/truncated-mid-header.pcap': (V4, 'records 1-240 (a byte prefix), then cut', None),
    'damaged/garbage-length.pcap': (V4, 'records 1-240 (a byte prefix), one caplen overwritten', None),
    'damaged/bad-trailing-length.pcapng': ('ipv6-loss.pcap', 'editcap -F pcapng -r 1-260, one trailing length changed',
                                           None),
    'damaged/garbage-block.pcapng': ('ipv6-loss.pcap', 'editcap -F pcapng -r 1-260, 64 random bytes inserted', None),
    'damaged/truncated.pcap.gz': (V4, 'records 1-240 (a byte prefix), gzip -9, gzip stream cut', None),
    'damaged/not-a-capture.txt': (None, 'text', None),
    'damaged/empty.pcap': (None, 'empty', None),
}


def contents(path):
    """Decompressed bytes (as far as inflate gets, for a cut gzip file) and whether the file was gzip."""
    raw = open(path, 'rb').read()
    if raw[:2] == b'\x1f\x8b':
        return zlib.decompressobj(wbits=31).decompress(raw), True
    return raw, False


def parse(d):
    """Own reading of a capture: format, endianness, resolution, link types, snaplen, intact record count."""
    if len(d) < 4:
        return {'format': None}
    m = d[:4]
    pcap = {b'\xd4\xc3\xb2\xa1': ('<', 'us'), b'\x4d\x3c\xb2\xa1': ('<', 'ns'), b'\xa1\xb2\xc3\xd4': ('>', 'us'),
            b'\xa1\xb2\x3c\x4d': ('>', 'ns')}
    if m in pcap:
        e, res = pcap[m]
        snap, lt = struct.unpack_from(e + 'II', d, 16)
        off, n = 24, 0
        while off + 16 <= len(d):
            cap = struct.unpack_from(e + 'I', d, off + 8)[0]
            if off + 16 + cap > len(d):
                break
            n += 1
            off += 16 + cap
        return {'format': 'pcap', 'endianness': 'little' if e == '<' else 'big', 'tsResolution': [res],
                'linkTypes': [lt], 'headerSnaplen': snap, 'records': n}
    if m == b'\x0a\x0d\x0d\x0a':
        e = '<' if d[8:12] == b'\x4d\x3c\x2b\x1a' else '>'
        off, n, lts, res, per = 0, 0, [], [], []
        while off + 12 <= len(d):
            btype, blen = struct.unpack_from(e + 'II', d, off)
            if blen < 12 or blen % 4 or off + blen > len(d) or struct.unpack_from(e + 'I', d, off + blen - 4)[0] != blen:
                break
            if btype == 1:
                lts.append(struct.unpack_from(e + 'H', d, off + 8)[0])
                per.append(0)
                r, o = 'us', off + 16
                while o + 4 <= off + blen - 4:
                    code, ln = struct.unpack_from(e + 'HH', d, o)
                    if code == 0:
                        break
                    if code == 9:
                        v = d[o + 4]
                        r = {6: 'us', 9: 'ns'}.get(v, f'tsresol 0x{v:02x}')
                    o += 4 + (ln + 3) // 4 * 4
                res.append(r)
            elif btype in (2, 3, 6):
                n += 1
                if btype == 6:
                    per[struct.unpack_from(e + 'I', d, off + 8)[0]] += 1
            off += blen
        return {'format': 'pcapng', 'endianness': 'little' if e == '<' else 'big', 'tsResolution': res,
                'linkTypes': lts, 'records': n, 'recordsPerInterface': per}
    return {'format': None}


def capinfos(path):
    """Record count capinfos reports, and per-interface counts and encapsulation numbers (None if it cannot)."""
    p = subprocess.run(['capinfos', '-M', path], capture_output=True, text=True)
    text = p.stdout + p.stderr
    m = re.search(r'An error occurred after reading (\d+) packets', text)
    if m:
        return int(m.group(1)), None, None
    m = re.search(r'^Number of packets:\s+(\d+)', text, re.M)
    if not m:
        return 0, None, None
    encs = [int(x) for x in re.findall(r'Encapsulation = .*?\((\d+) - ', text)]
    per = [int(x) for x in re.findall(r'^\s+Number of packets = (\d+)', text, re.M)]
    return int(m.group(1)), encs, per


# capinfos names encapsulations by Wireshark's own numbers (WTAP_ENCAP_*), not LINKTYPE_*.
WTAP = {1: 1, 25: 113, 7: 101, 129: 228, 130: 229, 15: 0, 210: 276}

entries = []
on_disk = sorted(os.path.relpath(os.path.join(r, f), samples) for r, _, fs in os.walk(samples) for f in fs
                 if re.search(r'\.(pcap|pcapng|gz|txt)$', f) and not f.startswith('tcpflow-names')
                 # crafted/, follow/, filter/ and report/ are described by their own READMEs, not made here.
                 and os.path.relpath(r, samples).split(os.sep)[0] not in ('make', 'crafted', 'follow', 'filter', 'report'))
assert on_disk == sorted(DESCRIBED), f'undescribed or missing samples: {set(on_disk) ^ set(DESCRIBED)}'
for name, (base, transform, truth) in DESCRIBED.items():
    path = os.path.join(samples, name)
    raw = open(path, 'rb').read()
    d, gz = contents(path)
    own = parse(d)
    count, encs, per = capinfos(path)
    e = {'file': name, 'format': own['format'], 'compressed': gz, 'linkTypes': own.get('linkTypes', []),
         'truth': truth, 'base': base, 'transform': transform, 'records': count,
         'bytes': len(raw), 'sha256': hashlib.sha256(raw).hexdigest()}
    for k in ('endianness', 'tsResolution', 'recordsPerInterface'):
        if k in own:
            e[k] = own[k]
    key = os.path.basename(name)
    if name.startswith('damaged/'):
        x = expectations[key]
        assert count == x['recordsBefore'], (name, count, x)
        assert own.get('records', 0) == x['recordsBefore'] or own['format'] == 'pcapng', (name, own)
        e['damage'] = x
    else:
        assert own['records'] == count, (name, own['records'], count)
        assert encs is not None and [WTAP[x] for x in encs] == e['linkTypes'], (name, encs, e['linkTypes'])
        if 'recordsPerInterface' in own:
            assert own['recordsPerInterface'] == per, (name, per)
        assert truth == name.split('.')[0].split('/')[-1] + '.truth.jsonl'
        rows = [json.loads(l) for l in open(os.path.join(samples, truth))]
        # A truth file holds either one row per stream or one row per HTTP exchange (http-loss).
        e['truthKind'] = 'http-exchanges' if rows and 'exchange' in rows[0] else 'streams'
        e['connections'] = len({r['cport'] for r in rows}) if e['truthKind'] == 'http-exchanges' else len(rows)
    if name == 'ipv4-loss.snap200.pcap':
        e['snaplen'] = 200
        e['missingBytes'] = sum(x['missingBytes'] for x in snap_missing)
        e['missing'] = snap_missing
    if name == 'multi-link.pcapng':
        e['timeShiftSeconds'] = {'ipv6-loss': float(shift)}
    entries.append(e)

json.dump({'about': 'Every sample capture; see README.md. Generated by make/manifest.py: do not edit by hand.',
           'truthNaming': 'a sample named PREFIX.* has the truth file PREFIX.truth.jsonl',
           'samples': entries}, sys.stdout, indent=1)
print()
