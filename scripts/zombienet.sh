#!/usr/bin/env bash
# Runs aioracle as parachain 2000 on a local relay chain with zombienet (native provider)
# and its test, zombienet/0001-oracle.zndsl.
#
#   ./scripts/zombienet.sh            build what is missing, then run the test
#   ./scripts/zombienet.sh --check    run the test only if the relay chain binaries are
#                                     built; otherwise say it is skipped and exit 0 (CI)
#
# The relay chain binaries (polkadot, polkadot-prepare-worker, polkadot-execute-worker) are
# built from source with `cargo install polkadot@41.0.0 --locked` (polkadot-sdk
# stable2609-2, the release our crates come from) into $AIORACLE_RELAY_DIR (default
# ~/.cache/aioracle/relay), outside the clone: nothing is downloaded prebuilt. That build
# takes hours on two cores, once. The collator is aioracle-node built with
# `--features collator` (debug unless AIORACLE_COLLATOR_PROFILE=release).
# The request -> result latency report goes to $AIORACLE_ZOMBIENET_REPORT (default
# e2e/test-output/zombienet-latency.json); zombienet's files to e2e/test-output/zombienet/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

RELAY_VERSION=41.0.0
relay_dir="${AIORACLE_RELAY_DIR:-$HOME/.cache/aioracle/relay}"
profile="${AIORACLE_COLLATOR_PROFILE:-debug}"
check_only=false
[ "${1:-}" = "--check" ] && check_only=true

# RocksDB's C++ (the relay chain's and the collator's database) is built with clang.
setup_clang() {
	apt_install clang clang
	dpkg -s libclang-dev >/dev/null 2>&1 && return 0
	step "installing libclang-dev (apt)"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q libclang-dev >/dev/null ||
		die "cannot install libclang-dev with apt-get (are you root or a sudoer?)"
}

relay_built() {
	local bin
	for bin in polkadot polkadot-prepare-worker polkadot-execute-worker; do
		[ -x "$relay_dir/bin/$bin" ] || return 1
	done
}

if ! relay_built; then
	if $check_only; then
		echo "zombienet: skipped: relay binaries not built (scripts/zombienet.sh builds them)" >&2
		exit 0
	fi
	setup_clang
	step "building the relay chain binaries: cargo install polkadot@$RELAY_VERSION (hours on 2 cores, once)"
	started=$(date +%s)
	(cd / && CARGO_TARGET_DIR="$HOME/.cache/aioracle/relay-target" \
		cargo install "polkadot@$RELAY_VERSION" --locked --root "$relay_dir") ||
		die "cargo install polkadot@$RELAY_VERSION failed"
	step "relay chain binaries built in $(($(date +%s) - started)) s"
fi

setup_node_js
cd "$AIORACLE_ROOT"
setup_clang
step "building aioracle-node with --features collator ($profile)"
profile_flag=()
[ "$profile" = release ] && profile_flag=(--release)
# Without the default `metadata-hash` (as test.sh's collator test, sharing its build):
# adding it changes the features of the host's proc-macro dependencies and so rebuilds
# the whole collator, about an hour on two cores. The dev node's end-to-end tests sign
# with the metadata hash; operators' release builds (`--features collator`) embed it.
cargo build --locked -p aioracle-node --no-default-features --features collator "${profile_flag[@]}" >&2 ||
	die "cargo build --features collator failed"
collator="$CARGO_TARGET_DIR/$profile/aioracle-node"

out="$AIORACLE_ROOT/e2e/test-output"
mkdir -p "$out"
export AIORACLE_PARA_SPEC="$out/aioracle-local-raw.json"
export AIORACLE_ZOMBIENET_REPORT="${AIORACLE_ZOMBIENET_REPORT:-$out/zombienet-latency.json}"
"$collator" export-chain-spec --chain local --raw >"$AIORACLE_PARA_SPEC"

cd "$AIORACLE_ROOT/zombienet"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	step "installing zombienet (npm ci in zombienet/)"
	npm ci --no-audit --no-fund --loglevel=error >/dev/null || die "npm ci in zombienet/ failed"
fi
rm -rf "$out/zombienet" "$AIORACLE_ZOMBIENET_REPORT"
step "zombienet: relay chain and collators' logs in $out/zombienet/"
started=$(date +%s)
# zombienet polls each node's metrics until it is up and logs every miss; those lines go.
PATH="$relay_dir/bin:$(dirname "$collator"):$PATH" \
	npx zombienet --provider native --logType text --dir "$out/zombienet" --force test 0001-oracle.zndsl |
	grep --line-buffered -v "fetching metrics from"
node -e '
	const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
	console.error(`zombienet: passed in ${process.argv[2]} s; parachain block time median ${r.blockTimeSeconds.median} s` +
		` (max ${r.blockTimeSeconds.max} s, ${r.blockTimeSeconds.samples} blocks); request -> result over ${r.requests}` +
		` requests: median ${r.latencySeconds.median.toFixed(1)} s / ${r.latencyBlocks.median} blocks` +
		` (max ${r.latencySeconds.max.toFixed(1)} s / ${r.latencyBlocks.max} blocks); report ${process.argv[1]}`);
' "$AIORACLE_ZOMBIENET_REPORT" "$(($(date +%s) - started))"
