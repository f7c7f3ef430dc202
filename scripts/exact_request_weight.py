"""Prices exact requests against Balances::transfer_keep_alive from the same run.

usage: exact_request_weight.py DIR < PROGRAMS

DIR holds the `benchmark pallet` outputs bench-exact.sh wrote (pallet_balances.rs,
pallet_inference_oracle.rs, pallet_model_registry.rs); each line of PROGRAMS is
`MODEL OUTPUT REPORT` where REPORT is `model compile`'s JSON (`-` if it did not compile).
A request on a program weighs what `InferenceOracle::request_taken_weight` charges:
`request_exact_inference` (itself measured with the cheapest program), `exact_load(bytes)`,
and `exact_<kind>(n)` for each kind the program runs (n > 0), storage at the runtime's
ParityDB weights; and `prune_request` more when the request it displaces from the
retention was served by operators (the last column). Prints reference time and proof
size, and their ratios to the transfer's.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from weights_vs_transfer import READ_PS, WRITE_PS, parse  # noqa: E402

KINDS = {
    "Linear": "exact_linear",
    "Elementwise": "exact_elementwise",
    "Normalizer": "exact_normalizer",
    "Exp": "exact_exp",
    "TreeStep": "exact_tree_step",
    "Select": "exact_select",
}


def weight(weights, name, component=None, n=0):
    """(picoseconds, proof bytes) of `name` with its one component at `n`."""
    w = weights[name]
    ps = w["base"] + w["reads"] * READ_PS + w["writes"] * WRITE_PS
    p = w["proof"]
    if component:
        ps += w["slopes"].get(component, 0) * n
        p += w["proof_slopes"].get(component, 0) * n
    return ps, p


def main():
    d = sys.argv[1]
    files = {k: os.path.join(d, f"pallet_{k}.rs") for k in ("balances", "inference_oracle", "model_registry")}
    weights = {k: parse(v) for k, v in files.items()}
    transfer = weight(weights["balances"], "transfer_keep_alive")
    request = weight(weights["inference_oracle"], "request_exact_inference")
    prune = weight(weights["inference_oracle"], "prune_request")
    registry = weights["model_registry"]
    print(f"transfer_keep_alive: {transfer[0] / 1e6:.1f} us, {transfer[1]} B of proof")
    print(f"request_exact_inference (cheapest program): {request[0] / 1e6:.1f} us, {request[1]} B of proof")
    print(f"prune_request: {prune[0] / 1e6:.1f} us, {prune[1]} B of proof")
    print()
    print(
        f"{'model':22} {'output':14} {'bytes':>6} {'ops':>6} {'weight':>10} {'proof':>8} {'x transfer':>10} {'x proof':>8}"
        f" {'+ prune':>8}"
    )
    for line in sys.stdin:
        model, output, report = line.split()
        if report == "-":
            print(f"{model:22} {output:14} does not compile")
            continue
        r = json.load(open(report))
        ps, p = request
        load = weight(registry, "exact_load", "b", r["bytes"])
        ps, p = ps + load[0], p + load[1]
        for kind, n in r["operations"].items():
            if n > 0:
                w = weight(registry, KINDS[kind], "n", n)
                ps, p = ps + w[0], p + w[1]
        print(
            f"{model:22} {output:14} {r['bytes']:>6} {r['totalOperations']:>6} {ps / 1e6:>7.1f} us "
            f"{p:>8} {ps / transfer[0]:>9.2f}x {p / max(transfer[1], 1):>7.2f}x"
            f" {(ps + prune[0]) / transfer[0]:>7.2f}x"
        )


if __name__ == "__main__":
    main()
