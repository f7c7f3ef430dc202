#!/usr/bin/env python3
"""Checks `aioracle-node model score` against a model's reference JSON (the format of
models/*.json): every case, every output, in fixed point at the model's scales.

    python3 scripts/models/check_engine_cli.py --node BIN --model FILE.onnx \
        --reference FILE.json [--precise-scale 12]

For each case it runs `BIN model score FILE --input-scale S --output-scale S --input ...`
with the case's input (its fixed-point integers written as decimals at the input scale),
and compares each output's `fixedPoint` with the reference's `fixed_point` (the CLI scales
integer outputs, labels, by 10^output_scale; the references do not, so they are divided
back). With --precise-scale P it scores again at P decimals to measure how far the
engine's float outputs are from onnxruntime's `values` (|engine - ort|, at 10^-P
resolution). Prints one line per case and a summary; exits 1 on any fixed-point mismatch.
Needs only the Python standard library.
"""

import argparse
import json
import subprocess
import sys
from decimal import Decimal


def decimal_input(q, scale):
    """A fixed-point integer as the decimal the CLI turns back into exactly q."""
    return str(Decimal(q).scaleb(-scale)) if scale else str(q)


def score(node, model, input_scale, output_scale, values):
    args = [
        node, "model", "score", model,
        "--input-scale", str(input_scale), "--output-scale", str(output_scale),
        "--input=" + ",".join(decimal_input(q, input_scale) for q in values),
    ]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--precise-scale", type=int, default=None)
    args = parser.parse_args()
    ref = json.load(open(args.reference))
    s_in = ref["fixed_point"]["input_scale"]
    s_out = ref["fixed_point"]["output_scale"]
    compared = exact = 0
    worst = 0
    worst_float = 0.0
    for c, case in enumerate(ref["cases"]):
        report = score(args.node, args.model, s_in, s_out, case["input_fixed_point"])
        if report["input"]["fixedPoint"] != case["input_fixed_point"]:
            sys.exit(f"case {c}: the CLI read another input than the reference's")
        precise = None
        if args.precise_scale is not None:
            precise = score(args.node, args.model, s_in, args.precise_scale, case["input_fixed_point"])
        line = []
        for j, expected in enumerate(case["outputs"]):
            got = report["outputs"][j]
            if "error" in got:
                sys.exit(f"case {c} output {expected['name']}: the engine failed: {got['error']}")
            values = got["fixedPoint"]
            integer = expected["element_type"].startswith("int")
            if integer:
                values = [v // 10**s_out for v in values]
            diff = max(abs(a - b) for a, b in zip(values, expected["fixed_point"]))
            compared += 1
            exact += diff == 0
            worst = max(worst, diff)
            text = f"{expected['name']} max|diff| {diff}"
            if precise is not None and not integer:
                scale = 10 ** args.precise_scale
                fd = max(
                    abs(Decimal(v) / scale - Decimal(y))
                    for v, y in zip(precise["outputs"][j]["fixedPoint"], expected["values"])
                )
                worst_float = max(worst_float, float(fd))
                text += f" (floats within {float(fd):.2e})"
            line.append(text)
        print(f"case {c} (row {case.get('row', c)}): " + "; ".join(line))
    summary = f"{ref['name']}: {exact}/{compared} case outputs exact in fixed point, largest difference {worst}"
    if args.precise_scale is not None:
        summary += f"; largest float difference {worst_float:.2e} (at 1e-{args.precise_scale} resolution)"
    print(summary)
    return 0 if exact == compared else 1


if __name__ == "__main__":
    sys.exit(main())
