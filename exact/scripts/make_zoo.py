"""Common scikit-learn model types exported with skl2onnx, with onnxruntime references, to
measure which compile to exact programs (`cargo test -p aioracle-exact --test zoo --
--ignored --nocapture` with EXACT_ZOO_DIR set). Nothing here is committed as a model:

    ~/.cache/aioracle/venv/bin/python exact/scripts/make_zoo.py /tmp/zoo

Same conventions as scripts/models/make_models.py (float32 input `input`, no ZipMap,
ORT without graph optimisations, 12 rows spread over the dataset)."""

import json
import sys
import warnings
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import numpy as np
import onnxruntime as ort
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn import datasets, ensemble, linear_model, neural_network, preprocessing, tree
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.svm import SVC, LinearSVC, LinearSVR

warnings.filterwarnings("ignore")
SCALES = {"iris": (4, 6), "breast_cancer": (7, 6), "wine": (6, 6), "diabetes": (8, 4)}
S = preprocessing.StandardScaler


def models():
    r = dict(random_state=0)
    return [
        ("logreg-binary", "breast_cancer", make_pipeline(S(), linear_model.LogisticRegression(**r))),
        ("logreg-ovr", "iris", linear_model.LogisticRegression(max_iter=1000, **r)),
        ("sgd-classifier", "wine", make_pipeline(S(), linear_model.SGDClassifier(**r))),
        ("perceptron", "iris", make_pipeline(S(), linear_model.Perceptron(**r))),
        ("ridge-classifier", "wine", make_pipeline(S(), linear_model.RidgeClassifier())),
        ("linear-svc", "iris", make_pipeline(S(), LinearSVC(**r))),
        ("lda", "iris", LinearDiscriminantAnalysis()),
        ("ridge", "diabetes", linear_model.Ridge()),
        ("lasso", "diabetes", linear_model.Lasso(alpha=0.1)),
        ("elastic-net", "diabetes", linear_model.ElasticNet(alpha=0.01)),
        ("linear-svr", "diabetes", LinearSVR(**r)),
        ("minmax-logreg", "iris", make_pipeline(preprocessing.MinMaxScaler(), linear_model.LogisticRegression())),
        ("maxabs-logreg", "wine", make_pipeline(preprocessing.MaxAbsScaler(), linear_model.LogisticRegression())),
        ("robust-ridge", "diabetes", make_pipeline(preprocessing.RobustScaler(), linear_model.Ridge())),
        ("tree-classifier", "iris", tree.DecisionTreeClassifier(max_depth=4, **r)),
        ("tree-binary", "breast_cancer", tree.DecisionTreeClassifier(max_depth=5, **r)),
        ("tree-regressor", "diabetes", tree.DecisionTreeRegressor(max_depth=5, **r)),
        ("forest-multiclass", "wine", ensemble.RandomForestClassifier(n_estimators=20, max_depth=5, **r)),
        ("forest-regressor", "diabetes", ensemble.RandomForestRegressor(n_estimators=20, max_depth=5, **r)),
        ("extra-trees", "iris", ensemble.ExtraTreesClassifier(n_estimators=20, max_depth=5, **r)),
        ("gbc-binary", "breast_cancer", ensemble.GradientBoostingClassifier(n_estimators=30, max_depth=3, **r)),
        ("gbc-multiclass", "iris", ensemble.GradientBoostingClassifier(n_estimators=30, max_depth=2, **r)),
        ("hist-gbr", "diabetes", ensemble.HistGradientBoostingRegressor(max_iter=30, **r)),
        ("hist-gbc", "iris", ensemble.HistGradientBoostingClassifier(max_iter=20, **r)),
        ("adaboost", "breast_cancer", ensemble.AdaBoostClassifier(n_estimators=20, **r)),
        ("mlp-tanh", "wine", make_pipeline(S(), neural_network.MLPClassifier(hidden_layer_sizes=(8,), activation="tanh", max_iter=2000, **r))),
        ("mlp-logistic", "iris", make_pipeline(S(), neural_network.MLPClassifier(hidden_layer_sizes=(6,), activation="logistic", max_iter=3000, **r))),
        ("mlp-binary", "breast_cancer", make_pipeline(S(), neural_network.MLPClassifier(hidden_layer_sizes=(8,), max_iter=2000, **r))),
        ("mlp-regressor", "diabetes", make_pipeline(S(), neural_network.MLPRegressor(hidden_layer_sizes=(16,), max_iter=3000, **r))),
        ("pca-logreg", "wine", make_pipeline(S(), PCA(4), linear_model.LogisticRegression())),
        ("naive-bayes", "iris", GaussianNB()),
        ("knn", "iris", KNeighborsClassifier(3)),
        ("svc-rbf", "iris", SVC(probability=False)),
    ]


def fixed(value, scale):
    return int((Decimal(float(value)) * (Decimal(10) ** scale)).to_integral_value(ROUND_HALF_EVEN))


def main(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    for name, dataset, model in models():
        bunch = getattr(datasets, f"load_{dataset}")()
        X, y = np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target)
        model.fit(X.astype(np.float32), y)
        final = model.steps[-1][1] if isinstance(model, Pipeline) else model
        classifier = hasattr(final, "classes_")
        options = {id(final): {"zipmap": False}} if classifier else None
        try:
            onx = convert_sklearn(
                model,
                name=name,
                initial_types=[("input", FloatTensorType([None, X.shape[1]]))],
                options=options,
                target_opset={"": 17, "ai.onnx.ml": 3},
            )
        except Exception as e:  # noqa: BLE001
            print(f"{name}: skl2onnx cannot export: {str(e)[:160]}")
            continue
        data = onx.SerializeToString(deterministic=True)
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        opts.intra_op_num_threads = 1
        sess = ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])
        si, so = SCALES[dataset]
        outputs = [
            {"name": o.name, "element_type": "int64" if "int64" in o.type else "float32"}
            for o in sess.get_outputs()
        ]
        cases = []
        for row in [i * (len(X) - 1) // 11 for i in range(12)]:
            q = [fixed(v, si) for v in X[row]]
            x = np.array([[np.float32(float(v) / float(10**si)) for v in q]], dtype=np.float32)
            res = sess.run(None, {"input": x})
            outs = []
            for meta, value in zip(outputs, res):
                flat = np.asarray(value).reshape(-1)
                if meta["element_type"] == "int64":
                    vals = [int(v) for v in flat]
                    fx = vals
                else:
                    vals = [float(v) for v in flat]
                    fx = [fixed(v, so) for v in flat]
                outs.append({"name": meta["name"], "values": vals, "fixed_point": fx})
            cases.append({"row": row, "input_fixed_point": q, "outputs": outs})
        ops = sorted({(n.domain or "ai.onnx") + ":" + n.op_type for n in onx.graph.node})
        doc = {
            "name": name,
            "ops": ops,
            "fixed_point": {"input_scale": si, "output_scale": so},
            "outputs": outputs,
            "cases": cases,
        }
        (out / f"{name}.onnx").write_bytes(data)
        (out / f"{name}.json").write_text(json.dumps(doc))
        print(f"{name}: {', '.join(ops)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
