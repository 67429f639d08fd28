#!/usr/bin/env bash
# Scale-out with GNU parallel: the map (split) fans out over the input files, the reduce (export per shard)
# over the shards, and merge makes the one result a single `tcpreasm export` of the whole set gives.
#
#   run.sh OUT SHARDS CAPTURE...        local jobs (JOBS=N, default: the number of cores)
#   HOSTS=h1,h2 run.sh OUT SHARDS ...   also on other machines (GNU parallel -S; OUT and the captures must be
#                                       on storage every host sees at the same path, and tcpreasm on each PATH)
#
# Writes OUT/shards/shard-<i>/ (the map), OUT/export-<i>/ (the reduces), OUT/export/ (merged) and
# OUT/analyze.json (the merged analyze document, from each shard's analyze and the splits' own counts).
set -euo pipefail
out=${1:?usage: run.sh OUT SHARDS CAPTURE...}
shards=${2:?usage: run.sh OUT SHARDS CAPTURE...}
shift 2
[ $# -gt 0 ] || { echo "run.sh: give the captures" >&2; exit 1; }
tcpreasm=${TCPREASM:-tcpreasm}
jobs=${JOBS:-$(nproc)}
remote=()
[ -n "${HOSTS:-}" ] && remote=(-S "$HOSTS" --workdir .)
mkdir -p "$out/split"

# Map: every input by its own process; --part keeps their files apart in the shared shard folders.
parallel "${remote[@]}" -j "$jobs" --halt now,fail=1 \
  "$tcpreasm split {} --shards $shards --part {#} -o $out/shards --format json -q > $out/split/{#}.json" ::: "$@"

# Reduce: each shard is a capture set.
seq 0 $((shards - 1)) | parallel "${remote[@]}" -j "$jobs" --halt now,fail=1 \
  "[ -d $out/shards/shard-{} ] || exit 0; $tcpreasm export $out/shards/shard-{} -o $out/export-{} -q > /dev/null && $tcpreasm analyze $out/shards/shard-{} --format json -q > $out/analyze-{}.json"

# Merge: ids in tcp.stream order, files linked, provenance of every shard run.
$tcpreasm merge "$out"/export-* -o "$out/export"
$tcpreasm merge "$out"/split/*.json "$out"/analyze-*.json -o "$out/analyze.json"
