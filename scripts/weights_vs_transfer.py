"""Compares benchmarked weights with Balances::transfer_keep_alive's from the same run.

usage: weights_vs_transfer.py BALANCES_WEIGHTS_RS PALLET_WEIGHTS_RS

Reads the `weights.rs` files that `benchmark pallet` wrote and prices each call at the
minimum of its components, counting storage reads and writes at ParityDB's weights
(the runtime's `DbWeight`), so the ratios compare like with like. Prints per-component
slopes too, since a call's worst case is what its dispatch is charged.
"""
import re
import sys

# frame_support::weights::constants::ParityDbWeight, in picoseconds.
READ_PS = 8_000_000
WRITE_PS = 50_000_000


def parse(path):
    """fn name -> dict(base_ps, reads, writes, slopes{component: ps}, proof (bytes),
    proof_slopes{component: bytes}) for SubstrateWeight."""
    text = open(path).read()
    # Only the SubstrateWeight impl (or the runtime-style impl): stop at `impl WeightInfo for ()`.
    text = text.split("impl WeightInfo for ()")[0]
    out = {}
    for m in re.finditer(r"fn (\w+)\(([^)]*)\) -> Weight \{(.*?)\n\t\}", text, re.S):
        name, body = m.group(1), m.group(3)
        base = int(re.search(r"Weight::from_parts\(([\d_]+), 0\)", body).group(1).replace("_", ""))
        # Base reads/writes: `.reads(4))`; per-component ones are left out (their
        # components are at their minimum in the base figure).
        reads = sum(int(x) for x in re.findall(r"\.reads\((\d+)\)\)", body))
        writes = sum(int(x) for x in re.findall(r"\.writes\((\d+)\)\)", body))
        slopes = {
            c: int(v.replace("_", ""))
            for v, c in re.findall(r"Weight::from_parts\(([\d_]+), 0\)\.saturating_mul\((\w+)\.into\(\)\)", body)
        }
        # Proof size: the base (`from_parts(0, N))`) and per component.
        proof = sum(int(x.replace("_", "")) for x in re.findall(r"Weight::from_parts\(0, ([\d_]+)\)\)", body))
        proof_slopes = {
            c: int(v.replace("_", ""))
            for v, c in re.findall(r"Weight::from_parts\(0, ([\d_]+)\)\.saturating_mul\((\w+)\.into\(\)\)", body)
        }
        out[name] = dict(
            base=base, reads=reads, writes=writes, slopes=slopes, proof=proof, proof_slopes=proof_slopes
        )
    return out


def total(w):
    return w["base"] + w["reads"] * READ_PS + w["writes"] * WRITE_PS


def main():
    reference = parse(sys.argv[1])["transfer_keep_alive"]
    ref = total(reference)
    print(f"reference Balances::transfer_keep_alive: {ref / 1e6:.1f} µs "
          f"({reference['base'] / 1e6:.1f} µs compute, {reference['reads']} reads, {reference['writes']} writes)")
    print(f"{'call':<22} {'µs':>8} {'x transfer':>10}  reads/writes  per-component compute slope")
    for name, w in parse(sys.argv[2]).items():
        slopes = ", ".join(f"{c}: +{v / 1e6:.2f} µs" for c, v in w["slopes"].items()) or "-"
        print(f"{name:<22} {total(w) / 1e6:>8.1f} {total(w) / ref:>10.2f}  {w['reads']:>5}/{w['writes']:<6}  {slopes}")


if __name__ == "__main__":
    main()
