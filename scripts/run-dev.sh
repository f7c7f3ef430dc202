#!/usr/bin/env bash
# Sets up what is missing, builds aioracle-node and runs a one-node development chain:
#   a block every 3 s, Alice collating, RPC on ws://127.0.0.1:9944, fresh state each run
#   (`--dev` implies `--tmp`) unless you give `--base-path DIR`.
# Extra arguments go to the node, e.g. `./scripts/run-dev.sh --dev-block-time 1000`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_node_js
node_bin="$(build_node)"
echo "run-dev: starting $node_bin --dev $*" >&2
exec "$node_bin" --dev "$@"
