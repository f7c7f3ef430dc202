#!/usr/bin/env bash
# Load time and single-inference latency of aioracle's ONNX engine against onnxruntime (one
# thread, and its default threads) on the neural networks: models/nn/digits-cnn,
# models/nn/tiny-transformer and Magika (from scripts/models/fetch-magika.sh's cache; skipped
# if absent). Prints a table with the ratio engine / onnxruntime-single-thread.
#
#   ./scripts/bench-nn.sh                      # MARKDOWN=FILE also writes the table there
#
# The engine side is the bench_nn example of aioracle-inference (inference/examples/
# bench_nn.rs: Engine::load and Engine::score, as the bench example, but for any input
# type and shape): its release build in ${CARGO_TARGET_DIR:-~/.cache/aioracle/target} if
# present, else its debug build (said in the output: debug figures mean nothing for
# speed), else it is built in release (with `cg` if there is one, else cargo under
# /tmp/aioracle-cargo.lock). A build does not follow later edits of inference/ by itself:
# NN_BENCH_BUILD=1 rebuilds.
# onnxruntime runs in the virtualenv of scripts/models/make-models.sh. The measurement
# holds /tmp/aioracle-cargo.lock (and /tmp/cargo.lock where `cg` is used) so that no build
# taking those locks competes with it; other load on the machine is not excluded.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${AIORACLE_VENV:-$HOME/.cache/aioracle/venv}"
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/aioracle/target}"
MAGIKA="${AIORACLE_MAGIKA_DIR:-$HOME/.cache/aioracle/models/magika}"

die() {
	echo "bench-nn: $*" >&2
	exit 1
}

[ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import onnxruntime, onnx, numpy' 2>/dev/null ||
	die "no virtualenv with onnxruntime at $VENV: run scripts/models/make-models.sh first"

build() {
	echo "bench-nn: building the bench_nn example of aioracle-inference (release)" >&2
	if command -v cg >/dev/null 2>&1; then
		cg build --release -q --example bench_nn -p aioracle-inference
	else
		(cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" flock /tmp/aioracle-cargo.lock \
			cargo build --release -q --example bench_nn -p aioracle-inference)
	fi
}

profile=release
bin="$TARGET/release/examples/bench_nn"
if [ "${NN_BENCH_BUILD:-0}" = 1 ]; then
	build
elif [ ! -x "$bin" ]; then
	if [ -x "$TARGET/debug/examples/bench_nn" ]; then
		bin="$TARGET/debug/examples/bench_nn"
		profile="DEBUG (no release build found; these engine times are not representative)"
		echo "bench-nn: WARNING: using the debug build $bin" >&2
	else
		build
	fi
fi
[ -x "$bin" ] || die "no bench_nn example at $bin"
echo "bench-nn: engine binary $bin (built $(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC'))" >&2

models=(
	"--model" "digits-cnn=$ROOT/models/nn/digits-cnn.onnx=$ROOT/models/nn/digits-cnn.json=${ITER_CNN:-5000}"
	"--model" "tiny-transformer=$ROOT/models/nn/tiny-transformer.onnx=$ROOT/models/nn/tiny-transformer.json=${ITER_TF:-2000}"
)
if [ -f "$MAGIKA/model.onnx" ]; then
	models+=("--model" "magika=$MAGIKA/model.onnx=$ROOT/models/magika/magika.json=${ITER_MAGIKA:-200}")
else
	echo "bench-nn: no Magika model at $MAGIKA/model.onnx (scripts/models/fetch-magika.sh): skipped" >&2
fi

# No build of this project's scripts (bench-inference.sh's lock) nor, where the machine
# has the `cg` wrapper, of its cargo lock, runs while measuring.
exec 9>>/tmp/aioracle-cargo.lock
echo "bench-nn: waiting for /tmp/aioracle-cargo.lock" >&2
flock 9
if command -v cg >/dev/null 2>&1 && [ -e /tmp/cargo.lock ]; then
	exec 8>>/tmp/cargo.lock
	echo "bench-nn: waiting for /tmp/cargo.lock (cg)" >&2
	flock 8
fi
extra=()
[ -n "${MARKDOWN:-}" ] && extra=(--markdown "$MARKDOWN")
"$VENV/bin/python" "$ROOT/scripts/models/bench_nn.py" --engine-bin "$bin" \
	--engine-profile "$profile" "${models[@]}" "${extra[@]}"
