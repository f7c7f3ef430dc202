"""Single-row inference latency: aioracle's engine (tract) against onnxruntime.

Run by scripts/bench-inference.sh, which builds the engine's bench example in release and
passes it as --engine-bin. For every model in models/ it runs the engine's bench (which
prints one JSON line per model), then times onnxruntime in this process on the same
inputs (the cases' dequantised float32 inputs, batch 1), and prints a table of median
per-inference latencies and their ratio.

onnxruntime: one session per model, intra- and inter-op threads 1, sequential execution,
default graph optimisations (ORT_ENABLE_ALL); every call is `session.run(None, feeds)`,
which computes all outputs and includes the Python binding's overhead (measured apart on
a one-Identity model of the same input, the "call floor"). The engine's
number is one `Engine::score` call, which includes dequantising the fixed-point input,
validating the request and quantising the output.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort


def identity_model(width: int) -> bytes:
    """A model whose graph is one Identity on a [N, width] float input: timing it gives
    the fixed cost of a `session.run` call from Python (binding, feeds, output copy)."""
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["input"], ["output"])],
        "identity",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, width])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [None, width])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


def bench_ort(model, cases, iterations: int, optimise: bool):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    if not optimise:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    feeds = [{name: np.asarray(case["input"], dtype=np.float32).reshape(1, -1)} for case in cases]
    run = session.run
    for i in range(min(iterations, 1000)):
        run(None, feeds[i % len(feeds)])
    times = []
    clock = time.perf_counter_ns
    for i in range(iterations):
        feed = feeds[i % len(feeds)]
        start = clock()
        run(None, feed)
        times.append((clock() - start) / 1000.0)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine-bin", required=True, help="the engine's bench example")
    parser.add_argument("--models", default=str(Path(__file__).resolve().parent.parent / "models"))
    parser.add_argument("--iterations", type=int, default=20000)
    args = parser.parse_args()
    models = Path(args.models)

    engine_run = subprocess.run(
        [args.engine_bin, "--iterations", str(args.iterations), "--models", str(models)],
        check=True,
        capture_output=True,
        text=True,
    )
    engine = {}
    for line in engine_run.stdout.splitlines():
        result = json.loads(line)
        engine[result["model"]] = result

    rows = []
    for json_path in sorted(models.glob("*.json")):
        description = json.loads(json_path.read_text())
        name = description["name"]
        cases = description["cases"]
        path = str(models / description["file"])
        ort_us = bench_ort(path, cases, args.iterations, optimise=True)
        ort_plain_us = bench_ort(path, cases, args.iterations, optimise=False)
        floor_us = bench_ort(identity_model(description["n_features"]), cases, args.iterations, True)
        ours = engine[name]
        rows.append((name, ours["median_us"], ort_us, ort_plain_us, floor_us, ours["load_ms"]))

    print(
        f"single-row inference, median of {args.iterations} calls per model "
        f"(onnxruntime {ort.__version__}, 1 thread; engine = tract-onnx in aioracle-inference)\n"
    )
    header = (
        "model",
        "engine µs",
        "onnxruntime µs",
        "ratio",
        "ort, no graph opt µs",
        "ort call floor µs",
        "ratio vs ort − floor",
        "engine load ms",
    )
    print("| " + " | ".join(header) + " |")
    print("| --- |" + " ---: |" * (len(header) - 1))
    for name, ours, theirs, plain, floor, load_ms in rows:
        net = theirs - floor
        net_ratio = f"{ours / net:.2f}" if net > 0 else "n/a"
        print(
            f"| {name} | {ours:.2f} | {theirs:.2f} | {ours / theirs:.2f} | {plain:.2f} "
            f"| {floor:.2f} | {net_ratio} | {load_ms:.1f} |"
        )
    print(
        "\nratio = engine / onnxruntime (below 1: the engine is faster). The onnxruntime "
        "times include the Python binding; 'ort call floor' is the same call on a model "
        "that is a single Identity of the same input, and the last ratio compares the "
        "engine with onnxruntime minus that floor (a rough estimate of onnxruntime's own "
        "compute time, in C++)."
    )

if __name__ == "__main__":
    sys.exit(main())
