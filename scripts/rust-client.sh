#!/usr/bin/env bash
# The dApp's core flow in Rust with subxt (e2e/examples/rust/), against a fresh dev node:
# starts `aioracle-node --dev`, saves its metadata (v16) where the example's
# `#[subxt::subxt]` macro reads it, builds the example (debug: its first build took 2 min 45 s
# on two cores, about 1.5 GB; release took 4 min 30 s for no gain, the run waits on blocks),
# and runs it: it reads dataset 0 and model 0's active version, requests an inference
# signed by Dave, waits for the result, explains it and decodes the operators' reveals,
# checking each value. Exits non-zero if the build or any check fails.
#
#   ./scripts/rust-client.sh [--signer Dave]     # arguments go to the example
#
# The example is its own workspace, so `cargo build` at the root never builds it. The
# node is $AIORACLE_NODE, else the debug build in $CARGO_TARGET_DIR (built if missing);
# its log is e2e/test-output/rust-client.log.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

crate="$AIORACLE_ROOT/e2e/examples/rust"
log_dir="$AIORACLE_ROOT/e2e/test-output"
log="$log_dir/rust-client.log"
mkdir -p "$log_dir"

if [ -n "${AIORACLE_NODE:-}" ]; then
	node_bin="$AIORACLE_NODE"
elif [ -x "$CARGO_TARGET_DIR/debug/aioracle-node" ]; then
	node_bin="$CARGO_TARGET_DIR/debug/aioracle-node"
else
	node_bin="$(build_node)"
fi

# Cargo through the machine's build lock when there is one (as sim-byzantine.sh does), so
# that this build never runs beside another on the same target directory.
cargo_locked() {
	if command -v flock >/dev/null 2>&1; then
		flock /tmp/cargo.lock cargo "$@"
	else
		cargo "$@"
	fi
}

# A fresh dev chain on ports the system picks (no race for a free port); its RPC address is
# read from its log.
step "starting $node_bin --dev (log: $log)"
: >"$log"
"$node_bin" --dev --tmp --dev-block-time 1000 --rpc-port 0 --port 0 --no-prometheus \
	--no-telemetry --no-mdns >"$log" 2>&1 &
node_pid=$!
stop_node() {
	kill "$node_pid" 2>/dev/null || return 0
	for _ in $(seq 100); do
		kill -0 "$node_pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$node_pid" 2>/dev/null || true
}
trap stop_node EXIT

port=""
for _ in $(seq 240); do
	port="$(sed -n 's/.*Running JSON-RPC server: addr=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n 1)"
	[ -n "$port" ] && break
	kill -0 "$node_pid" 2>/dev/null || die "the node exited before its RPC came up: see $log"
	sleep 0.5
done
[ -n "$port" ] || die "the node's RPC did not come up within 120 s: see $log"

rpc() {
	# $1: method, $2: params (JSON). Prints the reply.
	curl -sSf -H 'content-type: application/json' \
		-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":$2}" "http://127.0.0.1:$port"
}

# Metadata v16: the runtime API `Metadata_metadata_at_version(16)` answers an
# `Option<OpaqueMetadata>`, SCALE: 0x01, a compact length, then the metadata itself
# (`RuntimeMetadataPrefixed`: "meta", the version byte 16, ...), which is what the macro
# reads. Written only when it changed: a new file rebuilds the example.
reply="$(rpc state_call '["Metadata_metadata_at_version","0x10000000"]')" ||
	die "state_call Metadata_metadata_at_version failed"
hex="${reply#*\"result\":\"0x}"
hex="${hex%%\"*}"
[ "${hex:0:2}" = 01 ] || die "the node has no metadata v16 (reply: ${reply:0:100})"
hex="${hex:2}"
mode=$((16#${hex:0:2} & 3))
case "$mode" in
0) len_bytes=1 ;;
1) len_bytes=2 ;;
2) len_bytes=4 ;;
*) die "metadata too large for this script's compact-length decoding" ;;
esac
length=0
for ((i = len_bytes - 1; i >= 0; i--)); do
	length=$((length * 256 + 16#${hex:$((2 * i)):2}))
done
length=$((length >> 2))
hex="${hex:$((2 * len_bytes))}"
[ "$((${#hex} / 2))" = "$length" ] || die "metadata: the length says $length bytes, the reply has $((${#hex} / 2))"
[ "${hex:0:10}" = 6d65746110 ] || die "metadata: not v16 (starts with ${hex:0:10})"
printf '%b' "$(sed 's/../\\x&/g' <<<"$hex")" >"$crate/aioracle.scale.new"
if cmp -s "$crate/aioracle.scale.new" "$crate/aioracle.scale"; then
	rm "$crate/aioracle.scale.new"
else
	mv "$crate/aioracle.scale.new" "$crate/aioracle.scale"
	step "saved the node's metadata v16 ($length bytes) to e2e/examples/rust/aioracle.scale"
fi

step "building e2e/examples/rust (cargo build, debug)"
cargo_locked build --locked --manifest-path "$crate/Cargo.toml" >&2 ||
	die "cargo build --manifest-path e2e/examples/rust/Cargo.toml failed"

step "running the example against ws://127.0.0.1:$port"
"$CARGO_TARGET_DIR/debug/aioracle-client-subxt" "ws://127.0.0.1:$port" \
	--reference "$AIORACLE_ROOT/models/iris-logreg.json" "$@"
