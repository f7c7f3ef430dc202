"""Single-row inference latency: aioracle's engine (tract) against onnxruntime.

Run by scripts/bench-inference.sh, which builds the engine's bench example in release and
passes it as --engine-bin. For every model in models/, in ROUNDS alternating rounds, it
runs the engine's bench on that model (a fresh process: load, check the reference cases,
time `Engine::score`) and then times onnxruntime in this process on the same inputs (the
cases' dequantised float32 inputs, batch 1); each side's latency is its best round's
median. It prints a table of the latencies and their ratio.

onnxruntime: one session per model, intra- and inter-op threads 1, sequential execution,
with the default graph optimisations (ORT_ENABLE_ALL) and without; every call is
`session.run(None, feeds)`, which computes all outputs and includes the Python binding's
overhead (measured apart on a one-Identity model of the same input, the "call floor").
The engine's number is one `Engine::score` call, which includes dequantising the
fixed-point input, validating the request and quantising the output. "engine load ms" is
`Engine::load` in a fresh process (hash, parse, type-check, optimise the batch-1 plan).
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

# Every latency is the smallest of ROUNDS medians, the engine's and onnxruntime's rounds
# alternating, which damps the effect of other work on the machine (and of a VM's varying
# CPU speed) on the ratio.
ROUNDS = 5


def identity_model(name: str, element_type: str, shape) -> bytes:
    """A model whose graph is one Identity on an input `name` of `element_type` (a numpy
    dtype name) and `shape` (None: symbolic): timing it gives the fixed cost of a
    `session.run` call from Python (binding, feeds, output copy). scripts/models/bench_nn.py
    uses it too."""
    from onnx import TensorProto, helper

    t = {"float32": TensorProto.FLOAT, "float64": TensorProto.DOUBLE,
         "int32": TensorProto.INT32, "int64": TensorProto.INT64}[element_type]
    graph = helper.make_graph(
        [helper.make_node("Identity", [name], ["output"])],
        "identity",
        [helper.make_tensor_value_info(name, t, shape)],
        [helper.make_tensor_value_info("output", t, shape)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


def ort_session(model, optimise: bool):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    if not optimise:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def median_run_us(session, feeds, iterations: int, warm_up: int):
    """The median latency, in µs, of `iterations` calls `session.run(None, feed)`, the
    feeds in turn, after `warm_up` untimed calls. scripts/models/bench_nn.py uses it too."""
    run = session.run
    for i in range(warm_up):
        run(None, feeds[i % len(feeds)])
    clock = time.perf_counter_ns
    times = []
    for i in range(iterations):
        feed = feeds[i % len(feeds)]
        start = clock()
        run(None, feed)
        times.append((clock() - start) / 1000.0)
    return statistics.median(times)


def median_ort(session, cases, iterations: int):
    """The median latency of `iterations` single-row calls (after a warm-up)."""
    name = session.get_inputs()[0].name
    feeds = [{name: np.asarray(case["input"], dtype=np.float32).reshape(1, -1)} for case in cases]
    return median_run_us(session, feeds, iterations, min(iterations, 1000))


def median_engine(engine_bin: str, models: Path, name: str, iterations: int):
    """The engine bench's median for one model, and its load time."""
    out = subprocess.run(
        [engine_bin, "--iterations", str(iterations), "--models", str(models), "--model", name],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(out.splitlines()[0])
    return result["median_us"], result["load_ms"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine-bin", required=True, help="the engine's bench example")
    parser.add_argument("--models", default=str(Path(__file__).resolve().parent.parent / "models"))
    parser.add_argument("--iterations", type=int, default=10000)
    args = parser.parse_args()
    models = Path(args.models)

    rows = []
    for json_path in sorted(models.glob("*.json")):
        description = json.loads(json_path.read_text())
        name = description["name"]
        cases = description["cases"]
        path = str(models / description["file"])
        sessions = {
            "ort": ort_session(path, optimise=True),
            "plain": ort_session(path, optimise=False),
            "floor": ort_session(
                identity_model("input", "float32", [None, description["n_features"]]),
                optimise=True,
            ),
        }
        best = {}
        load_ms = float("inf")
        # Alternate the engine and onnxruntime round by round, and keep each one's best
        # median, so that both see the same state of the machine.
        for _ in range(ROUNDS):
            ours, load = median_engine(args.engine_bin, models, name, args.iterations)
            load_ms = min(load_ms, load)
            best["engine"] = min(best.get("engine", ours), ours)
            for key, session in sessions.items():
                t = median_ort(session, cases, args.iterations)
                best[key] = min(best.get(key, t), t)
        rows.append((name, best["engine"], best["ort"], best["plain"], best["floor"], load_ms))

    print(
        f"single-row inference, best of {ROUNDS} alternating rounds, each the median of "
        f"{args.iterations} calls "
        f"(onnxruntime {ort.__version__}, 1 thread; engine = tract-onnx in aioracle-inference)\n"
    )
    header = (
        "model",
        "engine µs",
        "onnxruntime µs",
        "ratio",
        "ort, no graph opt µs",
        "ort call floor µs",
        "engine load ms",
    )
    print("| " + " | ".join(header) + " |")
    print("| --- |" + " ---: |" * (len(header) - 1))
    for name, ours, theirs, plain, floor, load_ms in rows:
        print(
            f"| {name} | {ours:.2f} | {theirs:.2f} | {ours / theirs:.2f} | {plain:.2f} "
            f"| {floor:.2f} | {load_ms:.1f} |"
        )
    print(
        "\nratio = engine / onnxruntime (below 1: the engine is faster). The onnxruntime "
        "times are Python `session.run` calls; 'ort call floor' is the same call on a model "
        "that is a single Identity of the same input, i.e. the part of the onnxruntime time "
        "that is binding and session overhead rather than the model. Where onnxruntime's "
        "time is close to the floor, the model costs onnxruntime itself well under a "
        "microsecond and the ratio mostly compares against Python overhead."
    )

if __name__ == "__main__":
    sys.exit(main())
