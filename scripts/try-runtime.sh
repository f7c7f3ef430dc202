#!/usr/bin/env bash
# try-runtime's `on-runtime-upgrade` check against a snapshot of a live chain: applies this
# runtime's upgrade (every migration with its pre- and post-upgrade checks, every pallet's
# try_state after it, the weight within a block, a second run changing nothing) to the
# state of a running node, and prints what it found (runtime/tests/try_runtime_upgrade.rs).
#
# Usage:
#   scripts/try-runtime.sh                     a dev chain of the current node, populated by
#                                              the dApp examples, one request left pending
#   scripts/try-runtime.sh --node BINARY       the same, run by another aioracle-node (an
#                                              earlier release: the real case of an upgrade)
#   scripts/try-runtime.sh --uri ws://HOST:PORT   the best block of a node already running
#   scripts/try-runtime.sh --snapshot FILE     a snapshot taken before (e2e/bin/snapshot.js)
#
# try-runtime-cli itself is not used: the release on crates.io (0.42) is built for polkadot
# v1.10 and does not build against stable2609 (docs/reliability.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$AIORACLE_ROOT"

node_bin="" uri="" snapshot=""
while [ $# -gt 0 ]; do
	case "$1" in
	--node) node_bin="$2"; shift 2 ;;
	--uri) uri="$2"; shift 2 ;;
	--snapshot) snapshot="$2"; shift 2 ;;
	*) die "unknown argument $1 (see the header of $0)" ;;
	esac
done

if [ -z "$snapshot" ]; then
	setup_node_js
	snapshot="$CARGO_TARGET_DIR/snapshots/dev-$(date +%Y%m%d-%H%M%S).json"
	mkdir -p "$(dirname "$snapshot")"
	if [ -n "$uri" ]; then
		step "snapshot of $uri"
		(cd "$AIORACLE_ROOT/e2e" && node bin/snapshot.js --uri "$uri" --out "$snapshot")
	else
		[ -n "$node_bin" ] || node_bin="$(flock /tmp/cargo.lock bash -c "source $AIORACLE_ROOT/scripts/setup.sh >/dev/null; build_node")"
		step "snapshot of a dev chain run by $node_bin"
		(cd "$AIORACLE_ROOT/e2e" && AIORACLE_NODE="$node_bin" node bin/snapshot.js --out "$snapshot")
	fi
fi

step "the runtime upgrade against $snapshot (release, try-runtime)"
RUST_LOG="${RUST_LOG:-info}" AIORACLE_SNAPSHOT="$(realpath "$snapshot")" flock /tmp/cargo.lock cargo test --locked --release \
	-p aioracle-runtime --features try-runtime --test try_runtime_upgrade -- --ignored --nocapture
