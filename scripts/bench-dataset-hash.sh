#!/usr/bin/env bash
# Throughput of `aioracle-node dataset hash` against coreutils' `b2sum -l 256` (the same
# BLAKE2b-256) on the same 1 GiB file, in one run, alternating the two, best of RUNS.
#
#   ./scripts/bench-dataset-hash.sh            # builds the node if needed
#   SIZE_MIB=4096 RUNS=5 ./scripts/bench-dataset-hash.sh
#
# Both read the file from the page cache after the first pass; the file lives in $TMPDIR.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

size_mib="${SIZE_MIB:-1024}"
runs="${RUNS:-3}"
node_bin="${AIORACLE_NODE:-}"
[ -n "$node_bin" ] || node_bin="$(build_node)"
command -v b2sum >/dev/null || die "b2sum (coreutils) not found"

file="$(mktemp "${TMPDIR:-/tmp}/aioracle-hash-bench.XXXXXX")"
trap 'rm -f "$file"' EXIT
step "writing $size_mib MiB of random data to $file"
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$file"

seconds() {
	local start end
	start=$(date +%s.%N)
	"$@" >/dev/null
	end=$(date +%s.%N)
	echo "$end - $start" | bc -l
}

ours_hash="$("$node_bin" dataset hash --no-progress "$file" | python3 -c 'import json,sys; print(json.load(sys.stdin)["contentHash"][2:])')"
b2_hash="$(b2sum -l 256 "$file" | cut -d' ' -f1)"
[ "$ours_hash" = "$b2_hash" ] || die "hashes differ: aioracle $ours_hash, b2sum $b2_hash"

best_ours=999999
best_b2=999999
for _ in $(seq "$runs"); do
	t=$(seconds "$node_bin" dataset hash --no-progress "$file")
	best_ours=$(echo "if ($t < $best_ours) $t else $best_ours" | bc -l)
	t=$(seconds b2sum -l 256 "$file")
	best_b2=$(echo "if ($t < $best_b2) $t else $best_b2" | bc -l)
done

printf 'same hash: 0x%s\n' "$ours_hash"
printf 'aioracle-node dataset hash: %.2f s, %.0f MiB/s\n' "$best_ours" "$(echo "$size_mib / $best_ours" | bc -l)"
printf 'b2sum -l 256:               %.2f s, %.0f MiB/s\n' "$best_b2" "$(echo "$size_mib / $best_b2" | bc -l)"
printf 'throughput ratio (aioracle / b2sum): %.2f\n' "$(echo "$best_b2 / $best_ours" | bc -l)"
