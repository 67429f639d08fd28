#!/usr/bin/env python3
"""Check a capture against its truth file with an independent decoder (tshark).

usage: verify_truth.py [--json] CAPTURE TRUTH.jsonl

tshark decodes every frame (any link type, pcap or pcapng, gzip); this script lays each TCP segment's payload
at its sequence offset from the SYN's ISN and compares each direction's bytes with the truth row (length and
sha256). It also counts conflicting overlaps (same sequence offset, different bytes), which real Linux
retransmissions never produce. Prints one summary line; exit status 1 when any stream is not exact.
--json: also print, on stdout, one JSON list of every direction that is not exact, with the bytes of it that no
captured segment holds (for a snaplen-cut sample, what a reassembler must report as missing); the summary then
goes to stderr.
"""
import hashlib, json, subprocess, sys
from collections import defaultdict

as_json = sys.argv[1] == '--json'
cap, truth = sys.argv[1 + as_json], sys.argv[2 + as_json]
report = []
fields = ['ip.src', 'ipv6.src', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.flags.syn', 'tcp.payload']
cmd = ['tshark', '-n', '-r', cap, '-o', 'tcp.desegment_tcp_streams:FALSE', '-Y', 'tcp', '-T', 'fields',
       '-E', 'separator=\t', '-E', 'occurrence=f'] + [a for f in fields for a in ('-e', f)]
out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout

isn = {}
segs = defaultdict(list)  # direction key -> [(raw seq, payload)]
for line in out.splitlines():
    src4, src6, sport, dport, seq, syn, payload = line.split('\t')
    key = (src4 or src6, int(sport), int(dport))
    seq = int(seq)
    if syn in ('1', 'True'):
        isn.setdefault(key, seq)
    if payload:
        segs[key].append((seq, bytes.fromhex(payload.replace(':', ''))))

def stream(key, want_len):
    """Bytes of one direction, and how many bytes were never seen and how many overlaps conflicted."""
    if key not in isn:
        return None, want_len, 0
    base = (isn[key] + 1) & 0xFFFFFFFF
    buf = bytearray(want_len)
    seen = bytearray(want_len)
    conflicts = 0
    for seq, data in segs[key]:
        off = (seq - base) & 0xFFFFFFFF
        for i, b in enumerate(data[:max(0, want_len - off)]):
            j = off + i
            if seen[j] and buf[j] != b:
                conflicts += 1
            buf[j] = b
            seen[j] = 1
    return bytes(buf), want_len - sum(seen), conflicts

by_ports = defaultdict(list)
for key in set(isn) | set(segs):
    by_ports[(key[1], key[2])].append(key)

ok = bad = missing_total = conflict_total = 0
for line in open(truth):
    r = json.loads(line)
    for ports, n, digest, way in (((r['cport'], r['sport']), r['c2s_len'], r['c2s_sha256'], 'c2s'),
                                  ((r['sport'], r['cport']), r['s2c_len'], r['s2c_sha256'], 's2c')):
        keys = by_ports.get(ports, [])
        if len(keys) != 1:
            bad += 1
            print(f'{cap}: {ports}: {len(keys)} flows with these ports', file=sys.stderr)
            continue
        data, missing, conflicts = stream(keys[0], n)
        missing_total += missing
        conflict_total += conflicts
        if data is not None and missing == 0 and hashlib.sha256(data).hexdigest() == digest:
            ok += 1
        else:
            bad += 1
            report.append({'cport': r['cport'], 'sport': r['sport'], 'direction': way, 'length': n,
                           'missingBytes': missing, 'conflictingBytes': conflicts})
            if not as_json:
                print(f'{cap}: {ports}: {missing} of {n} bytes missing, {conflicts} conflicting', file=sys.stderr)
if as_json:
    print(json.dumps(report))
print(f'{cap}: {ok} directions exact, {bad} wrong, {missing_total} bytes missing, {conflict_total} conflicting bytes',
      file=sys.stderr if as_json else sys.stdout)
sys.exit(1 if bad else 0)
