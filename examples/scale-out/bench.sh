#!/usr/bin/env bash
# npm run bench:scale-out -- CAPTURE [FILES] [SHARDS]: CAPTURE cut into FILES pieces (editcap -c), then one
# `export` of the set against split (FILES processes, 2 at a time) + SHARDS exports at once + merge, with the wall
# time and peak RSS of every step (/usr/bin/time). Needs editcap, GNU parallel and GNU time.
set -euo pipefail
capture=$(realpath "${1:?usage: bench.sh CAPTURE [FILES] [SHARDS]}")
files=${2:-8}
shards=${3:-2}
T="node $(cd "$(dirname "$0")/../.." && pwd)/dist/cli/main.js"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir in split
records=$(capinfos -Mc "$capture" | awk -F': *' '/Number of packets/ {print $2}')
editcap -c $(((records + files - 1) / files)) "$capture" in/part.pcap
t() { /usr/bin/time -f "%e s wall, %M KB peak RSS" "$@"; }
cat in/* >/dev/null
echo "== one export of the set ($(du -sh in | cut -f1), $files files)"
t $T export in -o single -q >/dev/null
echo "== map: $files splits, 2 at a time"
s=$(date +%s.%N)
parallel -j 2 "/usr/bin/time -f '{/}: %e s wall, %M KB peak RSS' $T split {} --shards $shards --part {#} -o shards --format json -q > split/{#}.json" ::: in/*.pcap
echo "map: $(echo "$(date +%s.%N) - $s" | bc) s"
echo "== reduce: $shards exports at once"
s=$(date +%s.%N)
seq 0 $((shards - 1)) | parallel -j "$shards" "/usr/bin/time -f 'shard {}: %e s wall, %M KB peak RSS' $T export shards/shard-{} -o export-{} -q > /dev/null"
echo "reduce: $(echo "$(date +%s.%N) - $s" | bc) s"
echo "== merge"
t $T merge export-* -o merged
