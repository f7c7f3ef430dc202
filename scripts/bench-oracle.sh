#!/usr/bin/env bash
# Request -> ResultFinalized latency on a fresh dev node (median and worst, in blocks and
# seconds), and the share of the off-chain worker's time spent outside the ONNX engine.
#
#   ./scripts/bench-oracle.sh [requests=100] [block-time-ms=3000]
#
# Builds the node if needed; the node's log is kept in e2e/test-output/oracle-latency.log.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_node_js
node_bin="$(build_node)"
cd "$AIORACLE_ROOT/e2e"
AIORACLE_NODE="$node_bin" node bench/oracle-latency.js "${1:-100}" "${2:-3000}"
