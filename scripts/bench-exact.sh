#!/usr/bin/env bash
# What a request answered by the exact tier weighs, against Balances::transfer_keep_alive
# benchmarked in the same run, for every output of the example models (models/*.onnx).
#
#   ./scripts/bench-exact.sh
#
# Builds aioracle-node with `--features runtime-benchmarks` (release, as
# bench-weights.sh does), benchmarks transfer_keep_alive, the oracle's
# `request_exact_inference` and `prune_request` and the registry's `exact_load` and
# `exact_<kind>`, compiles
# each model output with `model compile` at its JSON's fixed-point scales, and prices a
# request on each program as the runtime does (`InferenceOracle::request_taken_weight`:
# the exact request, the program's load, and each operation kind's run), when it displaces
# an exact answer from the retention (nothing to prune) and when it displaces a closed
# request served by operators (plus `prune_request`). The
# committed weights are not read: every figure comes from this run. STEPS and REPEAT
# override the sampling (default 50, 20).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$AIORACLE_ROOT"

steps="${STEPS:-50}"
repeat="${REPEAT:-20}"
# NO_BUILD=1 runs the benchmark node bench-weights.sh last built as it is (what it
# measures does not depend on the weights compiled into it).
if [ -z "${NO_BUILD:-}" ]; then
	node_bin="$(build_benchmark_node release)"
else
	node_bin="$CARGO_TARGET_DIR/release/aioracle-node"
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

bench() {
	step "benchmarking $1: $2"
	"$node_bin" benchmark pallet --chain dev --pallet "$1" --extrinsic "$2" \
		--steps "$steps" --repeat "$repeat" --wasm-execution compiled --heap-pages 4096 \
		--output "$out/$1.rs" >&2
}
bench pallet_balances transfer_keep_alive
bench pallet_inference_oracle request_exact_inference,prune_request
bench pallet_model_registry \
	exact_load,exact_linear,exact_elementwise,exact_normalizer,exact_exp,exact_tree_step,exact_select

step "compiling the example models"
for json in models/*.json; do
	name="$(basename "$json" .json)"
	read -r kind input_scale output_scale < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["kind"], d["fixed_point"]["input_scale"], d["fixed_point"]["output_scale"])' "$json")
	outputs=(variable)
	[ "$kind" = classifier ] && outputs=(label probabilities)
	for output in "${outputs[@]}"; do
		if "$node_bin" model compile "models/$name.onnx" --input-scale "$input_scale" \
			--output-scale "$output_scale" --output "$output" >"$out/$name.$output.json" 2>"$out/err"; then
			echo "$name $output $out/$name.$output.json"
		else
			echo "$name $output -"
		fi
	done
done >"$out/programs"

python3 scripts/exact_request_weight.py "$out" <"$out/programs"
