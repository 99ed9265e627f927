#!/usr/bin/env bash
# mdns_latency.sh BUILD_DIR [COUNT] -- mDNS query-to-answer latency of a node.
# Needs root: puts a node in one network namespace and the querier in another,
# joined by a veth pair (10.201.0.1 / 10.201.0.2), and queries both through
# the group 224.0.0.251 and straight at the node's address. Cleans up after.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
count=${2:-5000}
a=ndbench$$a b=ndbench$$b
state=$(mktemp -d)
cleanup() {
    [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    ip netns del "$a" 2>/dev/null || true
    ip netns del "$b" 2>/dev/null || true
    rm -rf "$state"
}
trap cleanup EXIT
ip netns add "$a"
ip netns add "$b"
ip link add ndbv$$ netns "$a" type veth peer name eth0 netns "$b"
ip -n "$a" link set ndbv$$ name eth0
for ns in "$a" "$b"; do
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add 224.0.0.0/4 dev eth0 2>/dev/null || true
done
ip -n "$a" addr add 10.201.0.1/24 dev eth0
ip -n "$b" addr add 10.201.0.2/24 dev eth0
ip -n "$a" route replace 224.0.0.0/4 dev eth0
ip -n "$b" route replace 224.0.0.0/4 dev eth0
ip netns exec "$a" "$build/nodus" run --state "$state" --set devfid=benchnode --quiet >/dev/null &
pid=$!
sleep 2.5 # probe (0.75-1 s) and announce
ip netns exec "$b" "$build/bench_mdns_latency" benchnode.local "$count"
ip netns exec "$b" "$build/bench_mdns_latency" benchnode.local "$count" 10.201.0.1
