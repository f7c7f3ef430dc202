#!/usr/bin/env bash
# Sets up what is missing, then runs every test: the Rust workspace's tests, then the
# end-to-end suite (Polkadot.js against a freshly started dev node).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_node_js
setup_browser
setup_magika
setup_python_client

cd "$AIORACLE_ROOT"
echo "test: cargo test --workspace" >&2
cargo test --locked --workspace

echo "test: benchmarks of the pallets run as tests in their mock runtimes, and every test again with try-runtime (migrations' checks before and after)" >&2
pallets=(pallet-dataset-provenance pallet-model-registry pallet-inference-oracle pallet-xcm-inference)
cargo test --locked "${pallets[@]/#/-p}" \
	--features "$(printf '%s/runtime-benchmarks,' "${pallets[@]}")$(printf '%s/try-runtime,' "${pallets[@]}")"

node_bin="$(build_node)"
echo "test: end-to-end suite against $node_bin" >&2
cd "$AIORACLE_ROOT/e2e"
AIORACLE_NODE="$node_bin" npm test

# The Rust client (subxt), its own crate outside the workspace: codegen from the node's
# metadata, so built here against the node just built (about 3 minutes cold, 35 s warm).
echo "test: the Rust client (subxt): scripts/rust-client.sh" >&2
AIORACLE_NODE="$node_bin" "$AIORACLE_ROOT/scripts/rust-client.sh"

# The collator (cargo feature `collator`). Its Cumulus and relay-chain dependencies,
# RocksDB's C++ among them, add half an hour to a cold build, which would take a cold run
# of this script past an hour; so it is built and tested here when they are already in
# the target directory (after ./scripts/zombienet.sh or any `--features collator` build),
# and skipped with a line saying so otherwise.
cd "$AIORACLE_ROOT"
if compgen -G "$CARGO_TARGET_DIR/debug/build/librocksdb-sys-*/output" >/dev/null; then
	# Without the default `metadata-hash`, as zombienet.sh builds it (see there why).
	echo "test: the collator: cargo test -p aioracle-node --no-default-features --features collator" >&2
	cargo test --locked -p aioracle-node --no-default-features --features collator
else
	echo "test: skipped: the collator (--features collator): its dependencies are not built (./scripts/zombienet.sh builds them)" >&2
fi

echo "test: zombienet (a local relay chain with two collators)" >&2
"$AIORACLE_ROOT/scripts/zombienet.sh" --check
