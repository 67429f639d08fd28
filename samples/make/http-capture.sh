#!/usr/bin/env bash
# samples/http-loss.pcap: real HTTP/1.1 traffic (Python's http.server and http.client, httpgen.py) between
# network namespaces, a router dropping 2% of non-SYN segments, captured at the server. Writes
# OUT.pcap and OUT.truth.jsonl (one row per exchange: client port, index, uri, status, body sha256).
# usage: http-capture.sh OUT   (root; iproute2, nftables, tcpdump, ethtool, python3)
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
a=ha$$ r=hr$$ b=hb$$
cleanup() {
  [[ -n ${srv:-} ]] && kill "$srv" 2>/dev/null || true
  [[ -n ${dump:-} ]] && kill "$dump" 2>/dev/null || true
  for ns in "$a" "$r" "$b"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
for ns in "$a" "$r" "$b"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add xa$$ netns "$a" type veth peer name ra$$ netns "$r"
ip link add xb$$ netns "$b" type veth peer name rb$$ netns "$r"
for l in "$a xa$$" "$r ra$$" "$r rb$$" "$b xb$$"; do
  read -r ns dev <<<"$l"
  ip -n "$ns" link set "$dev" up
  ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off >/dev/null
done
ip -n "$a" addr add 10.98.1.1/24 dev xa$$; ip -n "$r" addr add 10.98.1.254/24 dev ra$$
ip -n "$b" addr add 10.98.2.2/24 dev xb$$; ip -n "$r" addr add 10.98.2.254/24 dev rb$$
ip -n "$a" route add default via 10.98.1.254; ip -n "$b" route add default via 10.98.2.254
ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$r" nft add table inet lossy
ip netns exec "$r" nft add chain inet lossy pass '{ type filter hook forward priority 0; }'
ip netns exec "$r" nft add rule inet lossy pass tcp flags \& syn == 0 numgen random mod 1000 \< 20 drop
ip netns exec "$b" tcpdump -i xb$$ -s 0 -U -B 262144 -w "$out.pcap" 2>/dev/null &
dump=$!
ip netns exec "$b" python3 "$here/httpgen.py" server 10.98.2.2 8080 &
srv=$!
sleep 2
ip netns exec "$a" python3 "$here/httpgen.py" client 10.98.2.2 8080 "$out.truth.jsonl"
sleep 1
kill "$dump"; wait "$dump" 2>/dev/null || true; dump=
echo "$out.pcap: $(wc -l <"$out.truth.jsonl") exchanges, $(stat -c %s "$out.pcap") bytes"
