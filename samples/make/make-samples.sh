#!/usr/bin/env bash
# Rebuild every file in samples/ (run as root: the captures use network namespaces).
# usage: make-samples.sh TOOLS_DIR [--reuse]
#   TOOLS_DIR  the capture tools (mkcapture.sh, pcapxform.py, check_tcpflow.py), e.g. /work/shared/tools
#   --reuse    keep the three committed captures and their truth files; rebuild only what derives from them
#              (deterministic: the same captures give byte-identical derived files)
# Needs tcpdump, nftables, iproute2, ethtool, python3, editcap/mergecap/capinfos/tshark (wireshark-common,
# tshark), tcpflow, gzip. Tests never run this: they use the files it wrote.
set -euo pipefail
tools=$(cd "$1" && pwd)
reuse=${2:-}
make=$(cd "$(dirname "$0")" && pwd)
samples=$(dirname "$make")
work=$(mktemp -d /tmp/samples.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
xform() { python3 "$tools/pcapxform.py" "$@"; }

# 1-3. Real captures with ground truth. mkcapture.sh OUT CONNS PARALLEL MAX_UP MAX_DOWN LOSS_PER_1000 SEED
if [[ $reuse == --reuse ]]; then
  cp "$samples"/{ipv4-loss,ipv6-loss,ipv4-heavyloss}.{pcap,truth.jsonl} .
else
  "$tools/mkcapture.sh" ipv4-loss 20 4 50000 80000 30 1
  IPV6=1 "$tools/mkcapture.sh" ipv6-loss 20 4 50000 80000 30 2
  "$tools/mkcapture.sh" ipv4-heavyloss 8 4 50000 80000 120 3
fi
# HTTP/1.1 with known bodies (the http command's sample): kept as committed unless rebuilt on purpose.
if [[ $reuse == --reuse ]]; then cp "$samples"/http-loss.{pcap,truth.jsonl} .; else "$make/http-capture.sh" http-loss; fi

# 4. Variants of ipv4-loss; each is named ipv4-loss.* so its truth is ipv4-loss.truth.jsonl.
xform ipv4-loss.pcap ipv4-loss.vlan.pcap vlan 100
xform ipv4-loss.pcap ipv4-loss.qinq.pcap qinq 200 300
xform ipv4-loss.pcap ipv4-loss.sll.pcap sll
xform ipv4-loss.pcap ipv4-loss.sll2.pcap sll2
xform ipv4-loss.pcap ipv4-loss.raw.pcap raw
xform ipv4-loss.pcap ipv4-loss.null.pcap null
xform ipv4-loss.pcap ipv4-loss.be.pcap be
xform ipv4-loss.pcap ipv4-loss.ns.pcap ns
xform ipv4-loss.pcap ipv4-loss.snap200.pcap snap 200
# LINKTYPE_IPV4 (228): editcap writes it for the rawip4 encapsulation.
editcap -F pcap -T rawip4 ipv4-loss.raw.pcap ipv4-loss.ipv4.pcap
editcap -F pcapng ipv4-loss.pcap ipv4-loss.pcapng
# editcap 4.0 has no option to set the resolution, but it keeps the input's: from the nanosecond pcap it writes
# an interface with if_tsresol = 9.
editcap -F pcapng ipv4-loss.ns.pcap ipv4-loss.ns.pcapng
gzip -9 -n -c ipv4-loss.pcap >ipv4-loss.pcap.gz
gzip -9 -n -c ipv4-loss.pcapng >ipv4-loss.pcapng.gz

# Multi-interface pcapng: ipv4-loss (Ethernet, interface 0) and ipv6-loss as Linux cooked v1 (interface 1),
# the IPv6 timestamps shifted so that its first SYN comes 0.5 ms after the IPv4 one: both transfers overlap in
# time and mergecap interleaves their records.
xform ipv6-loss.pcap ipv6-loss.sll.pcap sll
firstsyn() { tshark -r "$1" -Y 'tcp.flags.syn == 1' -T fields -e frame.time_epoch 2>/dev/null | head -1; }
t4=$(firstsyn ipv4-loss.pcap) t6=$(firstsyn ipv6-loss.pcap)
shift=$(python3 -c "print('%.6f' % (${t4:?no SYN in ipv4-loss} - ${t6:?no SYN in ipv6-loss} + 0.0005))")
editcap -t "$shift" ipv6-loss.sll.pcap ipv6-loss.sll.shifted.pcap
mergecap -F pcapng -w multi-link.pcapng ipv4-loss.pcap ipv6-loss.sll.shifted.pcap
cat ipv4-loss.truth.jsonl ipv6-loss.truth.jsonl >multi-link.truth.jsonl
echo "multi-link: ipv6-loss shifted by $shift s" >shift.txt

# 5. Damaged captures, cut from ipv4-loss (first 240 records, pcap) and ipv6-loss (first 260 records, pcapng).
editcap -F pcapng -r ipv6-loss.pcap ipv6-loss.cut.pcapng 1-260
python3 "$make/damage.py" ipv4-loss.pcap 240 ipv6-loss.cut.pcapng damaged

# Every sample with a truth file must match it exactly (checked with tshark as the independent decoder);
# the snaplen sample must not, and what it lacks is recorded for the manifest.
for f in ipv4-loss.pcap ipv4-loss.{vlan,qinq,sll,sll2,raw,ipv4,null,be,ns}.pcap ipv4-loss.pcapng ipv4-loss.ns.pcapng \
  ipv4-loss.pcap.gz ipv4-loss.pcapng.gz ipv6-loss.pcap ipv4-heavyloss.pcap multi-link.pcapng; do
  python3 "$make/verify_truth.py" "$f" "${f%%.*}.truth.jsonl"
done
python3 "$make/verify_truth.py" --json ipv4-loss.snap200.pcap ipv4-loss.truth.jsonl >snap-missing.json || true

# 8. tcpflow cross-check and tcpflow's own file names.
: >tcpflow-check.txt
for f in ipv4-loss.pcap ipv6-loss.pcap ipv4-heavyloss.pcap ipv4-loss.vlan.pcap ipv4-loss.qinq.pcap multi-link.pcapng; do
  mkdir -p "tf/$f"
  # libpcap (under tcpflow) refuses a pcapng whose interfaces have different link types.
  if tcpflow -r "$f" -o "tf/$f" >"tf/$f.log" 2>&1; then
    echo "$f: $(python3 "$tools/check_tcpflow.py" "${f%%.*}.truth.jsonl" "tf/$f" 2>/dev/null)"
  else
    echo "$f: tcpflow failed: $(grep '^tcpflow:' "tf/$f.log" | head -1)"
  fi | tee -a tcpflow-check.txt
done
{
  echo "# File names tcpflow $(tcpflow -V 2>/dev/null | sed -n 's/^TCPFLOW //p' | head -1) wrote for \`tcpflow -r SAMPLE -o DIR\`"
  echo "# (report.xml left out), sorted; one section a sample."
  for f in ipv4-loss.vlan.pcap ipv4-loss.qinq.pcap ipv6-loss.pcap; do
    echo "[$f]"
    ls "tf/$f" | grep -v '^report\.xml$' | LC_ALL=C sort
  done
} >tcpflow-names.txt

# Copy out and write the manifest (record counts from capinfos).
rm -rf "$samples/damaged"
mkdir -p "$samples/damaged"
cp damaged/* "$samples/damaged/"
rm "$samples/damaged/expectations.json"
for f in ipv4-loss ipv6-loss ipv4-heavyloss multi-link http-loss; do cp "$f.truth.jsonl" "$samples/"; done
cp ipv4-loss.pcap ipv4-loss.{vlan,qinq,sll,sll2,raw,ipv4,null,be,ns,snap200}.pcap ipv4-loss.pcapng \
  ipv4-loss.ns.pcapng ipv4-loss.pcap.gz ipv4-loss.pcapng.gz ipv6-loss.pcap ipv4-heavyloss.pcap multi-link.pcapng \
  http-loss.pcap tcpflow-names.txt "$samples/"
python3 "$make/manifest.py" "$samples" damaged/expectations.json snap-missing.json "$shift" >"$samples/manifest.json"
cat tcpflow-check.txt
du -sh "$samples"
