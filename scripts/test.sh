#!/usr/bin/env bash
# Sets up what is missing, then runs every test: the Rust workspace's tests, then the
# end-to-end suite (Polkadot.js against a freshly started dev node).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_node_js
setup_browser

cd "$AIORACLE_ROOT"
echo "test: cargo test --workspace" >&2
cargo test --locked --workspace

echo "test: benchmarks of the pallets, run as tests in their mock runtimes" >&2
pallets=(pallet-dataset-provenance pallet-model-registry pallet-inference-oracle)
cargo test --locked "${pallets[@]/#/-p}" \
	--features "$(printf '%s/runtime-benchmarks,' "${pallets[@]}")"

node_bin="$(build_node)"
echo "test: end-to-end suite against $node_bin" >&2
cd "$AIORACLE_ROOT/e2e"
AIORACLE_NODE="$node_bin" npm test
