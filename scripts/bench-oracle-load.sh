#!/usr/bin/env bash
# Oracle load benchmark on a fresh dev node (release build): RATE requests per block for
# BLOCKS blocks, answered by OPERATORS operators whose keys one node holds, against a
# reference of how many transfers fit in a block. Prints a summary and, as the last line,
# a JSON object (also in e2e/test-output/oracle-load.json); the node's log is kept in
# e2e/test-output/oracle-load.log.
#
#   ./scripts/bench-oracle-load.sh RATE BLOCKS [OPERATORS=3] [BLOCK_TIME_MS=3000]
#
# The node is $AIORACLE_NODE if set, else $CARGO_TARGET_DIR/release/aioracle-node, built
# (cargo build --release) if missing. LOAD_SENDERS and LOAD_FLOOD tune the run (see
# e2e/bench/oracle-load.js).
set -euo pipefail

if [ $# -lt 2 ]; then
	sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi

source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_node_js

node_bin="${AIORACLE_NODE:-$CARGO_TARGET_DIR/release/aioracle-node}"
if [ ! -x "$node_bin" ]; then
	[ -z "${AIORACLE_NODE:-}" ] || die "AIORACLE_NODE=$node_bin is not an executable"
	cd "$AIORACLE_ROOT"
	step "building aioracle-node in release (cargo build --release; the first build takes a long while)"
	cargo build --locked --release -p aioracle-node >&2 || die "cargo build --release -p aioracle-node failed"
fi

cd "$AIORACLE_ROOT/e2e"
AIORACLE_NODE="$node_bin" node bench/oracle-load.js "$1" "$2" "${3:-3}" "${4:-3000}"
