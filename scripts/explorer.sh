#!/usr/bin/env bash
# Serves the provenance explorer (explorer/) and prints the URL to open in a browser:
#
#   ./scripts/explorer.sh [--port 8080] [--host 127.0.0.1] [--rpc ws://127.0.0.1:9944]
#
# The page connects from the browser to the node at --rpc (a ./scripts/run-dev.sh node by
# default), so start one first. It needs the e2e npm packages (the Polkadot.js bundles),
# which setup.sh installs like for the tests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_node_js
exec node "$AIORACLE_ROOT/explorer/serve.js" "$@"
