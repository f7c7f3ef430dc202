#!/usr/bin/env bash
# Runs the call-sequence fuzzer (fuzz/, see fuzz/src/lib.rs) over the real runtime for a
# while, release build, with every pallet's try_state checked after every block
# (`--features try-runtime`), and prints: calls executed and per second, blocks, the
# distinct dispatch errors, refusals and events reached, and findings (panics, broken
# invariants), each saved as a reproducer under fuzz/artifacts/.
#
# Usage: scripts/fuzz.sh [SECONDS] [SEED]        (default 600 s, seed 1)
# Reproduce: scripts/fuzz.sh --reproduce fuzz/artifacts/finding-....bin
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$AIORACLE_ROOT"

step "building the fuzzer (release, try-runtime)"
flock /tmp/cargo.lock cargo build --locked --release -p aioracle-fuzz --features try-runtime >&2
fuzz="$CARGO_TARGET_DIR/release/aioracle-fuzz"
if [ "${1:-}" = "--reproduce" ]; then
	exec "$fuzz" --reproduce "$2"
fi
exec "$fuzz" --seconds "${1:-600}" --seed "${2:-1}" --artifacts fuzz/artifacts
