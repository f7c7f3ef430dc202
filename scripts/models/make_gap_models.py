#!/usr/bin/env python3
"""Makes the scikit-learn test fixtures of inference/tests/fixtures/sklearn-gaps/.

Small models of the estimators whose exports need the ONNX-ML operators and behaviours
the engine gained after the example models (SVMClassifier, SVMRegressor, LabelEncoder,
ArrayFeatureExtractor with a scalar index, a ReduceLogSumExp that does not overflow),
each trained on a slice of one of scikit-learn's bundled datasets (nothing is
downloaded), exported with skl2onnx (zipmap=False where the converter has the option),
and run with onnxruntime to record reference outputs:

    <name>.onnx   the model
    <name>.json   its input and outputs, and reference cases: one row at a time, and
                  every case row in one batch; float32 values and fixed point

Deterministic as make_models.py (whose helpers and settings it reuses): fixed
random_state, fixed target opsets, single-threaded BLAS and onnxruntime, no graph
optimisation; every model is exported twice and the run stops if the two differ.

Run it through the pinned virtualenv of make-models.sh:

    PYTHONHASHSEED=0 ~/.cache/aioracle/venv/bin/python scripts/models/make_gap_models.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_models as mm  # noqa: E402  (pins BLAS before numpy is imported)

import argparse  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Callable, Optional  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from skl2onnx import convert_sklearn  # noqa: E402
from skl2onnx.common.data_types import FloatTensorType, Int64TensorType  # noqa: E402
from sklearn import datasets  # noqa: E402
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.naive_bayes import GaussianNB, MultinomialNB  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import KBinsDiscretizer, LabelEncoder, StandardScaler  # noqa: E402
from sklearn.svm import SVC, SVR, LinearSVC, NuSVR, OneClassSVM  # noqa: E402

SEED = mm.SEED
TARGET_OPSET = mm.TARGET_OPSET
INPUT_NAME = mm.INPUT_NAME
N_CASES = 6
MAX_MODEL_BYTES = 8 * 1024


@dataclass
class Spec:
    name: str
    description: str
    dataset: str  # the suffix of sklearn.datasets.load_<dataset>
    build: Callable[[], object]  # an unfitted estimator or pipeline
    fit: str = "supervised"  # "supervised", "unsupervised" (X only) or "labels" (y only)
    columns: Optional[int] = None  # keep the first `columns` features
    train_rows: Optional[int] = None  # train on every k-th row, at most this many
    # The converter options of the final estimator of a classifier (skl2onnx's Pipeline
    # parser asks for zipmap unless an option is given, even where the converter has none).
    options: Optional[dict] = None
    input_scale: int = 4
    output_scale: int = 6


def scaled(estimator):
    return lambda: Pipeline([("scaler", StandardScaler()), ("est", estimator())])


SPECS = [
    Spec(
        "iris-svc-rbf",
        "SVC(kernel='rbf') on iris: 3 classes, one-vs-one votes, ovr decision function",
        "iris",
        lambda: SVC(kernel="rbf", C=1.0),
    ),
    Spec(
        "iris-svc-proba",
        "SVC(kernel='rbf', probability=True) on iris: Platt scaling (prob_a, prob_b) and "
        "pairwise coupling of 3 classes",
        "iris",
        lambda: SVC(kernel="rbf", probability=True, random_state=SEED),
    ),
    Spec(
        "breast-cancer-svc-linear",
        "StandardScaler then SVC(kernel='linear') on the first 6 breast_cancer features: "
        "binary",
        "breast_cancer",
        scaled(lambda: SVC(kernel="linear", C=0.05)),
        columns=6,
        train_rows=120,
    ),
    Spec(
        "breast-cancer-svc-proba",
        "StandardScaler then SVC(kernel='rbf', probability=True) on the first 6 "
        "breast_cancer features: binary, Platt scaling",
        "breast_cancer",
        scaled(lambda: SVC(kernel="rbf", probability=True, random_state=SEED)),
        columns=6,
        train_rows=120,
    ),
    Spec(
        "wine-svc-poly",
        "StandardScaler then SVC(kernel='poly', degree=3) on wine: 3 classes",
        "wine",
        scaled(lambda: SVC(kernel="poly", degree=3, C=1.0)),
        columns=6,
    ),
    Spec(
        "iris-svc-sigmoid",
        "StandardScaler then SVC(kernel='sigmoid') on iris: 3 classes",
        "iris",
        scaled(lambda: SVC(kernel="sigmoid", C=1.0)),
    ),
    Spec(
        "diabetes-svr-rbf",
        "SVR(kernel='rbf', C=100) on 100 diabetes rows",
        "diabetes",
        lambda: SVR(kernel="rbf", C=100.0, epsilon=20.0),
        train_rows=100,
        input_scale=8,
        output_scale=4,
    ),
    Spec(
        "diabetes-svr-linear",
        "SVR(kernel='linear', C=100) on 100 diabetes rows",
        "diabetes",
        lambda: SVR(kernel="linear", C=100.0, epsilon=20.0),
        train_rows=100,
        input_scale=8,
        output_scale=4,
    ),
    Spec(
        "diabetes-nusvr",
        "NuSVR(nu=0.3, C=100) on 100 diabetes rows",
        "diabetes",
        lambda: NuSVR(nu=0.3, C=100.0),
        train_rows=100,
        input_scale=8,
        output_scale=4,
    ),
    Spec(
        "iris-oneclass-svm",
        "OneClassSVM(nu=0.1) on iris: inlier (1) or outlier (-1), and the decision score",
        "iris",
        lambda: OneClassSVM(nu=0.1, gamma="scale"),
        fit="unsupervised",
    ),
    Spec(
        "breast-cancer-linearsvc",
        "StandardScaler then LinearSVC on the first 6 breast_cancer features: binary, the "
        "decision score through ArrayFeatureExtractor with a scalar index",
        "breast_cancer",
        scaled(lambda: LinearSVC(C=0.1, random_state=SEED)),
        columns=6,
        options={"raw_scores": False},
    ),
    Spec(
        "breast-cancer-calibrated",
        "StandardScaler then CalibratedClassifierCV(LinearSVC, cv=3, sigmoid) on the first "
        "6 breast_cancer features",
        "breast_cancer",
        scaled(lambda: CalibratedClassifierCV(LinearSVC(C=0.1, random_state=SEED), cv=3)),
        columns=6,
    ),
    Spec(
        "iris-kbins-onehot",
        "KBinsDiscretizer(n_bins=3, encode='onehot-dense', strategy='quantile') on iris",
        "iris",
        lambda: KBinsDiscretizer(n_bins=3, encode="onehot-dense", strategy="quantile"),
        fit="unsupervised",
    ),
    Spec(
        "iris-kbins-ordinal",
        "KBinsDiscretizer(n_bins=4, encode='ordinal', strategy='uniform') on iris",
        "iris",
        lambda: KBinsDiscretizer(n_bins=4, encode="ordinal", strategy="uniform"),
        fit="unsupervised",
    ),
    Spec(
        "digits-multinomialnb",
        "MultinomialNB on digits (64 pixel counts, 10 classes): joint log-likelihoods in "
        "the hundreds, normalised with ReduceLogSumExp",
        "digits",
        lambda: MultinomialNB(),
        input_scale=0,
    ),
    Spec(
        "wine-gaussiannb",
        "GaussianNB on wine (13 measurements, 3 classes)",
        "wine",
        lambda: GaussianNB(),
    ),
    Spec(
        "digits-labelencoder",
        "LabelEncoder fitted on 7 * digit + 3: int64 keys to int64 codes (ai.onnx.ml "
        "LabelEncoder, default -1 for unknown keys)",
        "digits",
        lambda: LabelEncoder(),
        fit="labels",
        input_scale=0,
    ),
]


def final_estimator(model):
    return model.steps[-1][1] if isinstance(model, Pipeline) else model


def is_classifier(model):
    return hasattr(final_estimator(model), "classes_") and not isinstance(
        final_estimator(model), LabelEncoder
    )


def export(spec: Spec, model, n_features: Optional[int]) -> bytes:
    options = None
    if is_classifier(model):
        options = {id(final_estimator(model)): spec.options or {"zipmap": False}}
    if spec.fit == "labels":
        initial = [(INPUT_NAME, Int64TensorType([None]))]
    else:
        initial = [(INPUT_NAME, FloatTensorType([None, n_features]))]
    onx = convert_sklearn(
        model,
        name=spec.name,
        initial_types=initial,
        options=options,
        target_opset=dict(TARGET_OPSET),
    )
    onx.doc_string = ""
    onx.graph.doc_string = ""
    opsets = sorted((o.domain, o.version) for o in onx.opset_import)
    del onx.opset_import[:]
    for domain, version in opsets:
        onx.opset_import.add(domain=domain, version=version)
    onnx.checker.check_model(onx, full_check=True)
    return onx.SerializeToString(deterministic=True)


def quantise_outputs(spec, sess, results):
    outputs = []
    for meta, value in zip(sess.get_outputs(), results):
        value = np.asarray(value)
        et = mm.element_type(meta.type)
        flat = value.reshape(-1)
        if et.startswith("float"):
            values = [float(v) for v in flat]
            fixed = [mm.fixed(v, spec.output_scale) for v in flat]
        else:
            values = [int(v) for v in flat]
            fixed = list(values)
        outputs.append(
            {
                "name": meta.name,
                "element_type": et,
                "shape": [int(d) for d in value.shape],
                "values": values,
                "fixed_point": fixed,
            }
        )
    return outputs


def build(spec: Spec):
    X = np.asarray(getattr(datasets, f"load_{spec.dataset}")().data, dtype=np.float64)
    y = np.asarray(getattr(datasets, f"load_{spec.dataset}")().target)
    if spec.columns:
        X = X[:, : spec.columns]
    step = 1
    if spec.train_rows:
        step = max(1, len(X) // spec.train_rows)
    X_train, y_train = X[::step][: spec.train_rows], y[::step][: spec.train_rows]
    model = spec.build()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # stops the run
        # scikit-learn 1.9 deprecates SVC(probability=True); it still trains and exports.
        warnings.simplefilter("ignore", FutureWarning)
        if spec.fit == "unsupervised":
            model.fit(X_train)
        elif spec.fit == "labels":
            model.fit(7 * y_train.astype(np.int64) + 3)
        else:
            model.fit(X_train, y_train)

    n_features = None if spec.fit == "labels" else int(X.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # probA_ and probB_, as above
        data = export(spec, model, n_features)
        if data != export(spec, model, n_features):
            raise SystemExit(f"{spec.name}: two exports of the same model differ")
    if len(data) > MAX_MODEL_BYTES:
        raise SystemExit(f"{spec.name}: {len(data)} bytes, over {MAX_MODEL_BYTES}")
    proto = onnx.load_from_string(data)
    sess = mm.session(data)
    (inp,) = sess.get_inputs()

    rows = [i * (len(X) - 1) // (N_CASES - 1) for i in range(N_CASES)]
    cases, batch_q = [], []
    for row in rows:
        if spec.fit == "labels":
            # Every key once, and two keys the encoder has never seen.
            break
        q = [mm.fixed(v, spec.input_scale) for v in X[row]]
        x = np.array([[mm.dequantise(v, spec.input_scale) for v in q]], dtype=np.float32)
        cases.append(
            {
                "row": int(row),
                "input_shape": [1, len(q)],
                "input_fixed_point": q,
                "outputs": quantise_outputs(spec, sess, sess.run(None, {INPUT_NAME: x})),
            }
        )
        batch_q.extend(q)
    if spec.fit == "labels":
        keys = [int(k) for k in model.classes_] + [0, 1000]
        for k in keys:
            x = np.array([k], dtype=np.int64)
            cases.append(
                {
                    "input_shape": [1],
                    "input_fixed_point": [k],
                    "outputs": quantise_outputs(spec, sess, sess.run(None, {INPUT_NAME: x})),
                }
            )
        batch_q = keys
        xb = np.array(keys, dtype=np.int64)
        batch_shape = [len(keys)]
    else:
        k = X.shape[1]
        xb = np.array(
            [mm.dequantise(v, spec.input_scale) for v in batch_q], dtype=np.float32
        ).reshape(-1, k)
        batch_shape = [len(rows), k]
    batch = {
        "input_shape": batch_shape,
        "input_fixed_point": batch_q,
        "outputs": quantise_outputs(spec, sess, sess.run(None, {INPUT_NAME: xb})),
    }

    meta = {
        "name": spec.name,
        "description": spec.description,
        "hash": mm.blake2_256(data),
        "size_bytes": len(data),
        "dataset": f"sklearn.datasets.load_{spec.dataset}",
        "estimator": " ".join(str(model).split()),
        "input": {
            "name": inp.name,
            "element_type": mm.element_type(inp.type),
            "shape": [d if isinstance(d, int) else None for d in inp.shape],
        },
        "outputs": [
            {
                "name": o.name,
                "element_type": mm.element_type(o.type),
                "shape": [d if isinstance(d, int) else None for d in o.shape],
            }
            for o in sess.get_outputs()
        ],
        "ops": mm.op_list(proto),
        "opset_imports": {
            (o.domain or mm.DEFAULT_DOMAIN): int(o.version) for o in proto.opset_import
        },
        "fixed_point": {"input_scale": spec.input_scale, "output_scale": spec.output_scale},
        "reference": f"onnxruntime {ort.__version__}, ORT_DISABLE_ALL, 1 thread",
        "cases": cases,
        "batch": batch,
    }
    return data, meta


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    root = Path(__file__).resolve().parents[2]
    default = root / "inference" / "tests" / "fixtures" / "sklearn-gaps"
    parser.add_argument("--out", type=Path, default=default, help="output directory")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for spec in SPECS:
        data, meta = build(spec)
        (args.out / f"{spec.name}.onnx").write_bytes(data)
        (args.out / f"{spec.name}.json").write_text(mm.to_json(meta) + "\n", encoding="utf-8")
        ops = ", ".join(o["op_type"] for o in meta["ops"])
        print(f"{spec.name}.onnx  {len(data)} bytes  ops: {ops}")
    print(f"{len(SPECS)} models in {args.out}")


if __name__ == "__main__":
    sys.exit(main())
