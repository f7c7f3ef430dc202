#!/usr/bin/env python3
"""Makes the example ONNX models in models/ and their reference outputs.

Each model is trained with scikit-learn on one of its bundled datasets (nothing is
downloaded), exported with skl2onnx, and run with onnxruntime one row at a time to record
reference outputs beside it:

    models/<name>.onnx   the model
    models/<name>.json   what it is, its blake2b-256 hash, its input and outputs, and
                         reference cases in float32 and in fixed point

Everything is deterministic: fixed random_state, fixed target opsets, a fixed graph name,
sorted opset imports, single-threaded BLAS with a fixed kernel set, single-threaded
onnxruntime without graph optimisation. Running it twice with the versions pinned in
requirements.txt gives the same bytes; the script also converts every model twice and
stops if the two exports differ.

Run it through scripts/models/make-models.sh, which sets up the pinned virtualenv. See
models/README.md for the meaning of every field of the JSON files.
"""

import os
import platform

# Before numpy is imported, pin down BLAS, whose results feed training (the linear models
# and the MLP). One thread, so that no sum depends on how work was split between threads.
# And on x86-64 one fixed OpenBLAS kernel set (numpy's and scipy's wheels pick one per CPU
# at run time, and they round differently: Haswell and SkylakeX kernels give different
# digits-onehot weights): Prescott, plain SSE3, which every x86-64 CPU runs.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
BLAS_CORETYPE = "Prescott" if platform.machine().lower() in ("x86_64", "amd64") else None
if BLAS_CORETYPE:
    os.environ["OPENBLAS_CORETYPE"] = BLAS_CORETYPE

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from decimal import ROUND_HALF_EVEN, Decimal  # noqa: E402
from importlib.metadata import version as dist_version  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable, Optional  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from skl2onnx import convert_sklearn  # noqa: E402
from skl2onnx.common.data_types import FloatTensorType  # noqa: E402
from sklearn import datasets  # noqa: E402
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score, mean_absolute_error, r2_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import (  # noqa: E402
    Binarizer,
    Normalizer,
    OneHotEncoder,
    StandardScaler,
)

SEED = 0
# Default-domain opset and ONNX-ML opset of every export.
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
INPUT_NAME = "input"
N_CASES = 8
TEST_SIZE = 0.25
# The default ONNX domain "" is written out under this name in the JSON files.
DEFAULT_DOMAIN = "ai.onnx"
# Every model must stay well under this (the chain stores the bytes).
MAX_MODEL_BYTES = 200 * 1024


@dataclass
class Spec:
    name: str
    description: str
    dataset: str  # the suffix of sklearn.datasets.load_<dataset>
    kind: str  # "classifier" or "regressor"
    build: Callable[[], object]  # returns an unfitted estimator or pipeline
    input_scale: int  # decimals of the fixed-point input
    output_scale: int  # decimals of the fixed-point float outputs
    # Extra cases beyond the N_CASES dataset rows: (row, feature index set to 0).
    zeroed_cases: list = field(default_factory=list)
    note: Optional[str] = None


SPECS = [
    Spec(
        name="iris-logreg",
        description=(
            "Iris species from 4 flower measurements (cm): StandardScaler then "
            "multinomial LogisticRegression. The sample model the dev chain ships."
        ),
        dataset="iris",
        kind="classifier",
        build=lambda: Pipeline(
            [
                ("scaler", StandardScaler()),
                ("clf", LogisticRegression(max_iter=1000, random_state=SEED)),
            ]
        ),
        input_scale=4,
        output_scale=6,
    ),
    Spec(
        name="breast-cancer-forest",
        description=(
            "Malignant (0) or benign (1) from 30 cell-nucleus measurements: "
            "RandomForestClassifier, 10 trees of depth at most 4."
        ),
        dataset="breast_cancer",
        kind="classifier",
        build=lambda: RandomForestClassifier(
            n_estimators=10, max_depth=4, random_state=SEED, n_jobs=1
        ),
        input_scale=7,
        output_scale=6,
    ),
    Spec(
        name="diabetes-gbr",
        description=(
            "Disease progression one year after baseline from 10 standardised "
            "measurements: GradientBoostingRegressor, 50 trees of depth 2."
        ),
        dataset="diabetes",
        kind="regressor",
        build=lambda: GradientBoostingRegressor(
            n_estimators=50, max_depth=2, learning_rate=0.1, random_state=SEED
        ),
        input_scale=8,
        output_scale=4,
    ),
    Spec(
        name="wine-mlp",
        description=(
            "Wine cultivar (3 classes) from 13 chemical measurements: StandardScaler "
            "then MLPClassifier with one hidden layer of 8 ReLU units."
        ),
        dataset="wine",
        kind="classifier",
        build=lambda: Pipeline(
            [
                ("scaler", StandardScaler()),
                (
                    "clf",
                    MLPClassifier(
                        hidden_layer_sizes=(8,),
                        solver="lbfgs",
                        alpha=1e-3,
                        max_iter=2000,
                        random_state=SEED,
                    ),
                ),
            ]
        ),
        input_scale=6,
        output_scale=6,
    ),
    Spec(
        name="iris-preprocess",
        description=(
            "Iris species through ONNX-ML preprocessing: SimpleImputer (a 0 feature "
            "means missing and becomes the training mean), Normalizer (L2, per row), "
            "then LogisticRegression."
        ),
        dataset="iris",
        kind="classifier",
        build=lambda: Pipeline(
            [
                ("impute", SimpleImputer(missing_values=0.0, strategy="mean")),
                ("normalize", Normalizer(norm="l2")),
                ("clf", LogisticRegression(C=100.0, max_iter=1000, random_state=SEED)),
            ]
        ),
        input_scale=4,
        output_scale=6,
        # Exercise the Imputer: the same rows with one measurement missing (0).
        zeroed_cases=[(0, 2), (75, 0), (149, 3)],
        note=(
            "Iris has no zero measurement, so 0 is free to mean 'missing' (an integer "
            "fixed-point input cannot carry NaN). The cases after the dataset rows "
            "have one feature set to 0 so that the Imputer does something."
        ),
    ),
    Spec(
        name="diabetes-linear",
        description=(
            "Disease progression one year after baseline from 10 standardised "
            "measurements: ordinary least squares LinearRegression."
        ),
        dataset="diabetes",
        kind="regressor",
        build=lambda: LinearRegression(),
        input_scale=8,
        output_scale=4,
    ),
    Spec(
        name="digits-onehot",
        description=(
            "Handwritten digit 0-9 from an 8x8 image (64 pixels, 0-16): Binarizer "
            "(pixel > 4), OneHotEncoder of each binarised pixel, then "
            "LogisticRegression."
        ),
        dataset="digits",
        kind="classifier",
        build=lambda: Pipeline(
            [
                ("binarize", Binarizer(threshold=4.0)),
                (
                    "onehot",
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                ("clf", LogisticRegression(C=1.0, max_iter=2000, random_state=SEED)),
            ]
        ),
        input_scale=0,
        output_scale=6,
        note=(
            "The one-hot encoding of a binary feature is redundant by construction; "
            "it is there to exercise the ONNX-ML OneHotEncoder and Binarizer ops."
        ),
    ),
]


def final_estimator(model):
    return model.steps[-1][1] if isinstance(model, Pipeline) else model


def fixed(value, scale: int) -> int:
    """round(value * 10^scale), half to even, computed exactly from the binary value."""
    return int((Decimal(float(value)) * (Decimal(10) ** scale)).to_integral_value(ROUND_HALF_EVEN))


def dequantise(q: int, scale: int) -> np.float32:
    """float32(float64(q) / float64(10^scale)): one IEEE double division, then one rounding
    to float32; what `(q as f64 / 10f64.powi(scale)) as f32` gives in Rust."""
    assert abs(q) < 2**53
    return np.float32(float(q) / float(10**scale))


def to_json(value, indent: str = "") -> str:
    """JSON with two-space indentation, but lists of numbers, and anything else that fits
    in 100 columns, on one line."""
    inner = indent + "  "
    flat = json.dumps(value, allow_nan=False, ensure_ascii=False)
    if indent and len(indent) + len(flat) <= 100:
        return flat
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(k)}: {to_json(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list):
        if all(v is None or isinstance(v, (int, float)) for v in value):
            return json.dumps(value, allow_nan=False)
        items = [inner + to_json(v, inner) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def blake2_256(data: bytes) -> str:
    return "0x" + hashlib.blake2b(data, digest_size=32).hexdigest()


def element_type(ort_type: str) -> str:
    types = {
        "tensor(float)": "float32",
        "tensor(double)": "float64",
        "tensor(int64)": "int64",
        "tensor(int32)": "int32",
    }
    if ort_type not in types:
        raise SystemExit(f"unexpected onnxruntime type {ort_type}")
    return types[ort_type]


def session(data: bytes) -> ort.InferenceSession:
    options = ort.SessionOptions()
    # No fusion or constant folding: outputs as the graph's ops compute them one by one.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def export(spec: Spec, model, n_features: int) -> bytes:
    options = None
    if spec.kind == "classifier":
        # Plain label and probability tensors, not a ZipMap of dictionaries.
        options = {id(final_estimator(model)): {"zipmap": False}}
    onx = convert_sklearn(
        model,
        name=spec.name,  # else skl2onnx names the graph with a random uuid
        initial_types=[(INPUT_NAME, FloatTensorType([None, n_features]))],
        options=options,
        target_opset=dict(TARGET_OPSET),
    )
    onx.doc_string = ""
    onx.graph.doc_string = ""
    # skl2onnx fills opset_import from a set, so its order follows PYTHONHASHSEED: sort it.
    opsets = sorted((o.domain, o.version) for o in onx.opset_import)
    del onx.opset_import[:]
    for domain, version in opsets:
        onx.opset_import.add(domain=domain, version=version)
    onnx.checker.check_model(onx, full_check=True)
    return onx.SerializeToString(deterministic=True)


def load(spec: Spec):
    bunch = getattr(datasets, f"load_{spec.dataset}")()
    return bunch, np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target)


def op_list(model: onnx.ModelProto):
    counts = {}
    for node in model.graph.node:
        key = (node.domain or DEFAULT_DOMAIN, node.op_type)
        counts[key] = counts.get(key, 0) + 1
    return [
        {"domain": domain, "op_type": op_type, "count": count}
        for (domain, op_type), count in sorted(counts.items())
    ]


def graph_facts(proto: onnx.ModelProto) -> dict:
    """What a reference JSON says of a graph: its operators, opset imports, IR version and
    producer, in that order."""
    return {
        "ops": op_list(proto),
        "opset_imports": {(o.domain or DEFAULT_DOMAIN): int(o.version) for o in proto.opset_import},
        "ir_version": int(proto.ir_version),
        "producer": f"{proto.producer_name} {proto.producer_version}".strip(),
    }


def reference_settings(**extra) -> dict:
    """How the reference outputs were computed (see `session`), plus `extra`."""
    return {
        "runtime": f"onnxruntime {ort.__version__}",
        "graph_optimization_level": "ORT_DISABLE_ALL",
        "threads": 1,
        "batch_size": 1,
        **extra,
    }


def case_rows(n_samples: int):
    """N_CASES rows spread evenly from the first to the last."""
    return [i * (n_samples - 1) // (N_CASES - 1) for i in range(N_CASES)]


def make_case(spec, sess, output_meta, row, target, values, note=None):
    q = [fixed(v, spec.input_scale) for v in values]
    x = np.array([[dequantise(v, spec.input_scale) for v in q]], dtype=np.float32)
    results = sess.run(None, {INPUT_NAME: x})
    outputs = []
    for meta, value in zip(output_meta, results):
        value = np.asarray(value)
        flat = value.reshape(-1)
        if meta["element_type"].startswith("float"):
            values_out = [float(v) for v in flat]
            fixed_out = [fixed(v, spec.output_scale) for v in flat]
        else:
            values_out = [int(v) for v in flat]
            fixed_out = list(values_out)  # integers (labels) are not scaled
        outputs.append(
            {
                "name": meta["name"],
                "element_type": meta["element_type"],
                "shape": [int(d) for d in value.shape],
                "values": values_out,
                "fixed_point": fixed_out,
            }
        )
    case = {"row": int(row)}
    if note:
        case["note"] = note
    target = target.item() if hasattr(target, "item") else target
    case["target"] = target
    case["input_fixed_point"] = q
    case["input"] = [float(v) for v in x[0]]
    case["outputs"] = outputs
    return case, x


def build(spec: Spec):
    bunch, X, y = load(spec)
    n_samples, n_features = X.shape
    stratify = y if spec.kind == "classifier" else None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=TEST_SIZE, random_state=SEED, stratify=stratify
    )
    model = spec.build()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ConvergenceWarning stops the run
        model.fit(X_train, y_train)

    data = export(spec, model, n_features)
    again = export(spec, model, n_features)
    if data != again:
        raise SystemExit(f"{spec.name}: two exports of the same model differ")
    if len(data) > MAX_MODEL_BYTES:
        raise SystemExit(f"{spec.name}: {len(data)} bytes, over {MAX_MODEL_BYTES}")
    proto = onnx.load_from_string(data)

    sess = session(data)
    inputs = sess.get_inputs()
    if len(inputs) != 1 or inputs[0].name != INPUT_NAME:
        raise SystemExit(f"{spec.name}: expected one input named {INPUT_NAME!r}")
    input_meta = {
        "name": inputs[0].name,
        "element_type": element_type(inputs[0].type),
        "shape": [d if isinstance(d, int) else None for d in inputs[0].shape],
    }
    output_meta = [
        {
            "name": o.name,
            "element_type": element_type(o.type),
            "shape": [d if isinstance(d, int) else None for d in o.shape],
        }
        for o in sess.get_outputs()
    ]

    # How the exported graph does against scikit-learn and the held-out data.
    X_test32 = X_test.astype(np.float32)
    onnx_out = sess.run(None, {INPUT_NAME: X_test32})
    if spec.kind == "classifier":
        classes = final_estimator(model).classes_
        metrics = {
            "test_accuracy": float(accuracy_score(y_test, model.predict(X_test))),
            "onnx_test_accuracy": float(accuracy_score(y_test, onnx_out[0])),
            "onnx_label_mismatches_vs_sklearn": int(
                np.sum(onnx_out[0] != model.predict(X_test32))
            ),
            "onnx_max_abs_proba_diff_vs_sklearn": float(
                np.max(np.abs(onnx_out[1] - model.predict_proba(X_test32)))
            ),
        }
    else:
        classes = None
        pred = model.predict(X_test)
        metrics = {
            "test_r2": float(r2_score(y_test, pred)),
            "test_mae": float(mean_absolute_error(y_test, pred)),
            "onnx_max_abs_diff_vs_sklearn": float(
                np.max(np.abs(onnx_out[0].reshape(-1) - model.predict(X_test32)))
            ),
        }

    cases, fed = [], []
    for row in case_rows(n_samples):
        case, x = make_case(spec, sess, output_meta, row, y[row], X[row])
        cases.append(case)
        fed.append(x)
    for row, feature in spec.zeroed_cases:
        values = X[row].copy()
        values[feature] = 0.0
        note = f"row {row} with feature {feature} ({bunch.feature_names[feature]}) set to 0 (missing)"
        case, x = make_case(spec, sess, output_meta, row, y[row], values, note)
        cases.append(case)
        fed.append(x)

    # The optimised graph must agree with the unoptimised one the references come from.
    plain = session(data)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    optimised = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    opt_diff = 0.0
    for x in fed:
        for a, b in zip(plain.run(None, {INPUT_NAME: x}), optimised.run(None, {INPUT_NAME: x})):
            opt_diff = max(opt_diff, float(np.max(np.abs(np.asarray(a, np.float64) - b))))
    metrics["cases_max_abs_diff_ort_optimised_vs_not"] = opt_diff

    description = {
        "name": spec.name,
        "description": spec.description,
    }
    if spec.note:
        description["note"] = spec.note
    meta = {
        **description,
        "file": f"{spec.name}.onnx",
        "hash": blake2_256(data),
        "hash_algorithm": "blake2b-256 (BLAKE2b, 32-byte digest, no key) of the .onnx file bytes",
        "size_bytes": len(data),
        "dataset": {
            "name": spec.dataset,
            "loader": f"sklearn.datasets.load_{spec.dataset}",
            "n_samples": int(n_samples),
            "feature_names": [str(f) for f in bunch.feature_names],
        },
        "kind": spec.kind,
        "n_features": int(n_features),
    }
    if classes is not None:
        meta["classes"] = [int(c) for c in classes]
        if "target_names" in bunch:
            meta["class_names"] = [str(bunch.target_names[int(c)]) for c in classes]
    meta.update(
        {
            "input": input_meta,
            "outputs": output_meta,
            **graph_facts(proto),
            "training": {
                "estimator": " ".join(str(model).split()),
                "split": (
                    f"train_test_split(test_size={TEST_SIZE}, random_state={SEED}"
                    + (", stratify=y)" if stratify is not None else ")")
                ),
                "metrics": metrics,
            },
            "reference": reference_settings(input_shape=[1, int(n_features)]),
            "fixed_point": {
                "input_scale": spec.input_scale,
                "output_scale": spec.output_scale,
                "quantise": "q = round_half_even(x * 10^scale), exact on the binary value",
                "dequantise": "x = float32(float64(q) / float64(10^input_scale))",
                "integer_outputs": "not scaled: fixed_point equals values",
            },
            "generator": {
                "script": "scripts/models/make_models.py",
                "target_opset": {(k or DEFAULT_DOMAIN): v for k, v in TARGET_OPSET.items()},
                "blas": f"OpenBLAS, 1 thread, OPENBLAS_CORETYPE={BLAS_CORETYPE or '(CPU default)'}",
                "versions": {
                    d: dist_version(d)
                    for d in ("numpy", "scipy", "scikit-learn", "skl2onnx", "onnx", "onnxruntime")
                },
            },
            "cases": cases,
        }
    )
    return data, proto, meta


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    root = Path(__file__).resolve().parents[2]
    parser.add_argument("--out", type=Path, default=root / "models", help="output directory")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    total = 0
    for spec in SPECS:
        data, proto, meta = build(spec)
        (args.out / f"{spec.name}.onnx").write_bytes(data)
        text = to_json(meta) + "\n"
        (args.out / f"{spec.name}.json").write_text(text, encoding="utf-8")
        total += len(data)
        m = meta["training"]["metrics"]
        score = (
            f"test accuracy {m['test_accuracy']:.3f}"
            if "test_accuracy" in m
            else f"test R2 {m['test_r2']:.3f}"
        )
        ops = ", ".join(
            f"{o['domain']}:{o['op_type']}" + (f"x{o['count']}" if o["count"] > 1 else "")
            for o in meta["ops"]
        )
        print(f"{spec.name}.onnx  {len(data)} bytes  {meta['hash']}  {score}")
        print(f"  ops: {ops}")
        print(f"  opsets: {meta['opset_imports']}  outputs: "
              + ", ".join(f"{o['name']} {o['element_type']} {o['shape']}" for o in meta["outputs"]))
    print(f"{len(SPECS)} models, {total} bytes of ONNX in {args.out}")


if __name__ == "__main__":
    sys.exit(main())
