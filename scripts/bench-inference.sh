#!/usr/bin/env bash
# Single-row inference latency of aioracle's ONNX engine (aioracle-inference, on tract)
# against onnxruntime, on the example models of models/ and their reference inputs, in
# one run; prints a table of median per-inference latencies and their ratio.
#
#   ./scripts/bench-inference.sh                 # builds the bench example in release
#   ITERATIONS=50000 ./scripts/bench-inference.sh   # calls per round (default 10000)
#
# onnxruntime runs in the virtualenv scripts/models/make-models.sh makes
# (${AIORACLE_VENV:-$HOME/.cache/aioracle/venv}; run that script once first). Both sides
# use one thread; the run holds /tmp/aioracle-cargo.lock (build and measurement) so that
# no build on this machine competes with it. Compare ratios, not absolute times: they
# depend on the machine and on what else runs on it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${AIORACLE_VENV:-$HOME/.cache/aioracle/venv}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/aioracle/target}"
iterations="${ITERATIONS:-10000}"

die() {
	echo "bench-inference: $*" >&2
	exit 1
}

[ -x "$VENV/bin/python" ] || die "no virtualenv at $VENV: run scripts/models/make-models.sh first"
"$VENV/bin/python" -c 'import onnxruntime, numpy' 2>/dev/null ||
	die "onnxruntime is not installed in $VENV: run scripts/models/make-models.sh first"

# Build and measure under the cargo lock that builds on this machine take, so that no
# compilation competes with the measurement for the CPU.
exec 9>>/tmp/aioracle-cargo.lock
echo "bench-inference: waiting for the cargo lock" >&2
flock 9
echo "bench-inference: building the engine's bench example (release)" >&2
(cd "$ROOT" && cargo build --release -q -p aioracle-inference --example bench)
engine_bin="$CARGO_TARGET_DIR/release/examples/bench"
[ -x "$engine_bin" ] || die "the bench example was not built at $engine_bin"

"$VENV/bin/python" "$ROOT/scripts/bench_inference.py" \
	--engine-bin "$engine_bin" --models "$ROOT/models" --iterations "$iterations"
