#!/usr/bin/env bash
# Regenerates the weights of aioracle's pallets with the node's `benchmark pallet`
# command, and benchmarks `Balances::transfer_keep_alive` in the same run as the
# reference every call is compared with.
#
#   ./scripts/bench-weights.sh                      # every aioracle pallet
#   ./scripts/bench-weights.sh pallet_dataset_provenance
#   ./scripts/bench-weights.sh pallet_referenda     # a polkadot-sdk pallet of the runtime
#
#   EXTRINSICS=exact_load,exact_select ./scripts/bench-weights.sh pallet_model_registry
#
# Builds aioracle-node with `--features runtime-benchmarks`, then writes each pallet's
# src/weights.rs and a comparison table to stdout. EXTRINSICS re-measures only the
# benchmarks it lists, spliced into the pallet's weights.rs (scripts/splice_weights.py,
# which notes it at the top of the file): a whole pallet takes an hour or more on two
# cores. STEPS and REPEAT override the sampling (default 50, 20). PROFILE picks the cargo profile (default `release`, what production
# weights need; `PROFILE=dev` reuses the dev build and runs the node's native storage
# code unoptimised, which overestimates storage-heavy calls).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$AIORACLE_ROOT"

steps="${STEPS:-50}"
extrinsics="${EXTRINSICS:-*}"
repeat="${REPEAT:-20}"
pallets=("$@")
if [ ${#pallets[@]} -eq 0 ]; then
	pallets=(pallet_dataset_provenance pallet_model_registry pallet_inference_oracle)
fi

profile="${PROFILE:-release}"
node_bin="$(build_benchmark_node "$profile")"

# Kept if a step fails, with what was measured so far.
out="$(mktemp -d)"


step "benchmarking the reference, pallet_balances::transfer_keep_alive"
"$node_bin" benchmark pallet --chain dev --pallet pallet_balances --extrinsic transfer_keep_alive \
	--steps "$steps" --repeat "$repeat" --wasm-execution compiled --heap-pages 4096 \
	--output "$out/balances_weights.rs" >&2

for pallet in "${pallets[@]}"; do
	dir="pallets/$(sed -e 's/^pallet_//' -e 's/_/-/g' <<<"$pallet")"
	if [ -d "$dir" ]; then
		# One of aioracle's pallets: its own weights.rs, with its WeightInfo trait.
		weights="$dir/src/weights.rs"
		template=(--template scripts/frame-weight-template.hbs)
	elif [ -f "runtime/src/weights/$pallet.rs" ]; then
		# A polkadot-sdk pallet: the runtime's impl of the pallet's WeightInfo.
		weights="runtime/src/weights/$pallet.rs"
		template=()
	else
		die "no pallet directory $dir, nor runtime/src/weights/$pallet.rs, for $pallet"
	fi
	written="$weights"
	[ "$extrinsics" = '*' ] || written="$out/$pallet.rs"
	step "benchmarking $pallet ($extrinsics) into $weights"
	"$node_bin" benchmark pallet --chain dev --pallet "$pallet" --extrinsic "$extrinsics" \
		--steps "$steps" --repeat "$repeat" --wasm-execution compiled --heap-pages 4096 \
		"${template[@]}" --header scripts/weights-header.txt \
		--output "$written" >&2
	if [ "$written" != "$weights" ]; then
		python3 scripts/splice_weights.py "$written" "$weights" \
			"EXTRINSICS=$extrinsics STEPS=$steps REPEAT=$repeat ./scripts/bench-weights.sh $pallet"
	fi
	python3 scripts/weights_vs_transfer.py "$out/balances_weights.rs" "$written"
done
rm -rf "$out"
