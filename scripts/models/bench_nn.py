"""Load time and single-inference latency of the neural networks: aioracle's engine against
onnxruntime with one thread and with its default threads.

Run by scripts/bench-nn.sh, which passes the engine's bench binary (the bench_nn example
of aioracle-inference, inference/examples/bench_nn.rs) as --engine-bin and the models as
--model NAME=FILE.onnx=REF.json. The onnxruntime timing loop and the one-Identity model
are scripts/bench_inference.py's.

For every model, in ROUNDS alternating rounds: the engine's bench in a fresh process
(`Engine::load` LOADS times into fresh engines, then `Engine::score` of one fixed-point
request at a time on the last output, ITERATIONS calls after a warm-up; it also checks
every reference case), then onnxruntime in this process on the same inputs (the cases'
`input` values, batch 1): session creation time (load), and ITERATIONS `session.run`
calls, for a session with intra_op_num_threads=1, inter_op_num_threads=1, sequential
execution, and for a session with default options (onnxruntime's default thread pool
size). Graph optimisations are onnxruntime's default (ORT_ENABLE_ALL) in both. Each
latency is the best of the ROUNDS medians; each load the smallest.

What is compared: the engine's number is one `Engine::score` call: fixed-point input to
tensor, request checks, the run on a worker thread, output to fixed point. onnxruntime's
is one Python `session.run(None, feeds)`, which includes the binding's overhead. Each
side's "floor" is its fixed cost per call, timed the same way on a one-Identity model of
the same input.
"""

import argparse
import json
import os
import subprocess
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench_inference import identity_model, median_run_us  # noqa: E402

ROUNDS = 3
LOADAVG = (0.0, 0.0, 0.0)
LOADS = 5
DTYPES = {"float32": np.float32, "float64": np.float64, "int32": np.int32, "int64": np.int64}


def engine_floor_files(directory, ref, shape):
    """A one-Identity model of the reference's input and a reference JSON for it (the
    cases' inputs, passed through), for the engine's bench: its latency is the engine's
    fixed cost per call (conversions, checks, worker hand-off) for that input."""
    inp = ref["input"]
    data = identity_model(inp["name"], inp["element_type"], shape)
    model = os.path.join(directory, "identity.onnx")
    with open(model, "wb") as f:
        f.write(data)
    integer = inp["element_type"].startswith("int")
    scale = ref["fixed_point"]["output_scale"]
    cases = []
    for c in ref["cases"]:
        values = c["input"]
        fixed = values if integer else [int(round(v * 10**scale)) for v in values]
        cases.append({"input_fixed_point": c["input_fixed_point"], "input": values,
                      "outputs": [{"name": "output", "element_type": inp["element_type"],
                                   "shape": shape, "values": values, "fixed_point": fixed}]})
    floor_ref = {"input": {**inp, "shape": shape}, "fixed_point": ref["fixed_point"],
                 "outputs": [{"name": "output", "element_type": inp["element_type"], "shape": shape}],
                 "cases": cases}
    reference = os.path.join(directory, "identity.json")
    with open(reference, "w") as f:
        json.dump(floor_ref, f)
    return model, reference


def options(threads_one):
    o = ort.SessionOptions()
    if threads_one:
        o.intra_op_num_threads = 1
        o.inter_op_num_threads = 1
        o.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return o


def load_ms(model, threads_one):
    best = float("inf")
    for _ in range(LOADS):
        started = time.perf_counter()
        ort.InferenceSession(model, options(threads_one), providers=["CPUExecutionProvider"])
        best = min(best, (time.perf_counter() - started) * 1e3)
    return best


def engine(engine_bin, model, reference, iterations):
    out = subprocess.run(
        [engine_bin, "--model", model, "--reference", reference, "--iterations", str(iterations),
         "--rounds", "1", "--loads", str(LOADS)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.splitlines()[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine-bin", required=True)
    parser.add_argument("--engine-profile", default="release")
    parser.add_argument("--model", action="append", required=True,
                        help="NAME=FILE.onnx=REFERENCE.json[=ITERATIONS]")
    parser.add_argument("--markdown", help="also write the table (markdown) to this file")
    args = parser.parse_args()

    global LOADAVG
    LOADAVG = os.getloadavg()
    rows = []
    for spec in args.model:
        name, model, reference, *rest = spec.split("=")
        iterations = int(rest[0]) if rest else 1000
        ref = json.load(open(reference))
        inp = ref["input"]
        shape = [1 if d is None else d for d in inp["shape"]]
        dtype = DTYPES[inp["element_type"]]
        feeds = [{inp["name"]: np.asarray(c["input"], dtype=dtype).reshape(shape)} for c in ref["cases"]]
        one = ort.InferenceSession(model, options(True), providers=["CPUExecutionProvider"])
        default = ort.InferenceSession(model, options(False), providers=["CPUExecutionProvider"])
        floor = ort.InferenceSession(identity_model(inp["name"], inp["element_type"], shape),
                                     options(True), providers=["CPUExecutionProvider"])
        best = {}
        checked = None
        tmp = tempfile.mkdtemp(prefix="bench-nn-")
        floor_model, floor_reference = engine_floor_files(tmp, ref, shape)
        for _ in range(ROUNDS):
            f = engine(args.engine_bin, floor_model, floor_reference, iterations)
            best["engine_floor"] = min(best.get("engine_floor", f["median_us"]), f["median_us"])
            e = engine(args.engine_bin, model, reference, iterations)
            checked = (e["outputs_exact"], e["outputs_compared"], e["max_fixed_point_diff"])
            best["engine"] = min(best.get("engine", e["median_us"]), e["median_us"])
            best["engine_load"] = min(best.get("engine_load", e["load_ms_min"]), e["load_ms_min"])
            for key, session in (("one", one), ("default", default), ("floor", floor)):
                t = median_run_us(session, feeds, iterations, min(iterations, 200))
                best[key] = min(best.get(key, t), t)
        shutil.rmtree(tmp)
        best["one_load"] = load_ms(model, True)
        best["default_load"] = load_ms(model, False)
        rows.append((name, os.path.getsize(model), iterations, best, checked))
        print(f"bench-nn: {name} done", file=sys.stderr)

    lines = [
        f"single inference (batch 1), best of {ROUNDS} alternating rounds, each the median of "
        f"N calls; loads the fastest of {LOADS}. Engine: aioracle-inference (tract) "
        f"{args.engine_profile} build; onnxruntime {ort.__version__} (CPU, ORT_ENABLE_ALL), "
        f"{os.cpu_count()} CPUs visible.",
        "",
        "| model | size | N | engine µs | ort 1 thread µs | ort default threads µs "
        "| **engine / ort-1t** | engine floor µs | ort floor µs | net ratio | engine load ms "
        "| ort load ms (1t / default) | load ratio | engine vs reference (exact outputs) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, size, iterations, b, (exact, compared, diff) in rows:
        lines.append(
            f"| {name} | {size / 1024:.0f} KB | {iterations} | {b['engine']:.1f} | {b['one']:.1f} "
            f"| {b['default']:.1f} | **{b['engine'] / b['one']:.2f}** | {b['engine_floor']:.1f} "
            f"| {b['floor']:.1f} | {(b['engine'] - b['engine_floor']) / (b['one'] - b['floor']):.2f} "
            f"| {b['engine_load']:.1f} | {b['one_load']:.1f} / {b['default_load']:.1f} "
            f"| {b['engine_load'] / b['one_load']:.2f} "
            f"| {exact}/{compared}" + (f", max diff {diff}" if diff else "") + " |"
        )
    lines += [
        "",
        "engine / ort-1t = engine latency / onnxruntime single-thread latency (target <= 1.5). "
        "The floors are each side's fixed cost per call, measured on a one-Identity model of "
        "the same input: for onnxruntime the Python binding, for the engine the fixed-point "
        "conversions, request checks and the hand-off to its worker thread. Net ratio = (engine "
        "- engine floor) / (ort 1 thread - ort floor), the model's own cost. Load ratio = "
        "engine load / onnxruntime 1-thread session creation.",
        f"load average (1 min) at the start and end: {LOADAVG[0]:.2f}, {os.getloadavg()[0]:.2f}",
    ]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
