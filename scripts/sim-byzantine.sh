#!/usr/bin/env bash
# Simulates thousands of requests against the real inference-oracle pallet (its test
# runtime) with honest and dishonest operators, and prints, per setting: wrong results
# accepted, requests expired, committees with a dishonest majority, latency in blocks,
# and what honest and dishonest operators earned and lost. See
# pallets/inference-oracle/src/sim.rs for the model and the liar strategies.
#
# Usage: scripts/sim-byzantine.sh [REQUESTS]    (default 2000 per setting)
# One setting: SIM_N=10 SIM_F=2 SIM_M=3 SIM_STRATEGY=colluding scripts/sim-byzantine.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$AIORACLE_ROOT"

requests="${1:-2000}"
step "building the simulation (release)"
flock /tmp/cargo.lock cargo test --locked --release -p pallet-inference-oracle --lib --no-run >&2
sim() {
	flock /tmp/cargo.lock cargo test --locked --release -q -p pallet-inference-oracle --lib \
		sim::byzantine_simulation -- --ignored --nocapture --exact 2>/dev/null |
		grep -E '^(n=|  )'
}

if [ -n "${SIM_STRATEGY:-}" ] || [ -n "${SIM_N:-}" ]; then
	SIM_REQUESTS="$requests" sim
	exit 0
fi

echo "== f < k/2: two liars of ten, committees of five (m = 3): no wrong result may pass"
for strategy in random constant colluding copying racing absent; do
	SIM_N=10 SIM_F=2 SIM_M=3 SIM_STRATEGY=$strategy SIM_REQUESTS="$requests" sim
done
echo "== f >= k/2 possible: four colluders of ten, committees of five"
SIM_N=10 SIM_F=4 SIM_M=3 SIM_STRATEGY=colluding SIM_REQUESTS="$requests" sim
echo "== one liar of three, committees of three (the dev chain's sample model)"
SIM_N=3 SIM_F=1 SIM_M=2 SIM_STRATEGY=colluding SIM_REQUESTS="$requests" sim
echo "== latency without liars: committees of one (no commit-reveal) and of three (commit-reveal)"
SIM_N=10 SIM_F=0 SIM_M=1 SIM_STRATEGY=constant SIM_REQUESTS="$requests" sim
SIM_N=10 SIM_F=0 SIM_M=2 SIM_STRATEGY=constant SIM_REQUESTS="$requests" sim
