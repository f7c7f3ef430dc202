#!/usr/bin/env python3
"""Makes the neural-network example models of models/nn/ and their reference outputs.

Two small networks built from standard ONNX operators (default domain, opset 17) with the
`onnx` helper API, weights from numpy (no deep-learning framework), both on scikit-learn's
bundled 8x8 digits (nothing is downloaded):

    digits-cnn         a CNN trained here with plain numpy (Adam, cross-entropy):
                       Reshape, Mul, Conv, Relu, MaxPool, Conv, Relu, AveragePool,
                       Flatten, Gemm, Softmax, ArgMax
    tiny-transformer   one pre-LayerNorm transformer encoder block over 16 tokens (the
                       image's 2x2-block sums, quantised to 17 levels): Cast, Gather
                       (token embedding), Add (positions), LayerNormalization, two-head
                       self-attention (MatMul, Reshape, Transpose, Mul, Softmax), a GELU
                       feed-forward (Erf decomposition), residual Adds, LayerNormalization,
                       Flatten, Gemm, Softmax, ArgMax. The block's weights are random
                       (seeded); only the classifier head is fitted (LogisticRegression on
                       the block's output), so the accuracy is that of random
                       features, not of a trained transformer.

Each goes to models/nn/<name>.onnx with models/nn/<name>.json in the format of make_models.py
(see models/README.md; models/nn/ rather than models/ because two engine tests that take
every models/*.json do not admit them yet: models/README.md says which and why): one float32 input named `input`, shape [N, n_features] (the
networks reshape it themselves), outputs `label` (int64 [N]) and `probabilities`
(float32 [N, 10]), reference cases from onnxruntime without graph optimisation, one
thread, in float32 and fixed point.

Deterministic: seeded numpy RNG, single-threaded BLAS with a fixed kernel set (the
settings of make_models.py, imported first), float64 training, deterministic protobuf
serialisation; the same versions give the same bytes. Run through the pinned virtualenv
(scripts/models/make-models.sh runs it after make_models.py):

    PYTHONHASHSEED=0 ~/.cache/aioracle/venv/bin/python scripts/models/make_nn_models.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_models as mm  # noqa: E402  (pins BLAS threads and kernels before numpy)

import argparse  # noqa: E402
import warnings  # noqa: E402
from importlib.metadata import version as dist_version  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from sklearn import datasets  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

SEED = mm.SEED
OPSET = 17
IR_VERSION = 8
INPUT_NAME = mm.INPUT_NAME
TEST_SIZE = mm.TEST_SIZE
# Committed models stay small.
MAX_MODEL_BYTES = 300 * 1024
PRODUCER = "aioracle make_nn_models.py"


# ---------------------------------------------------------------------------------------
# Graph building


class Graph:
    """A list of nodes and initialisers, with generated names."""

    def __init__(self):
        self.nodes = []
        self.inits = []
        self.count = 0

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, op_type, inputs, out=None, **attrs):
        self.count += 1
        out = out or f"{op_type.lower()}_{self.count}"
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=f"n{self.count}_{op_type}", **attrs))
        return out

    def model(self, name, n_features, n_classes):
        graph = helper.make_graph(
            self.nodes,
            name,
            [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, [None, n_features])],
            [
                helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
                helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, n_classes]),
            ],
            initializer=self.inits,
        )
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name=PRODUCER
        )
        model.ir_version = IR_VERSION
        onnx.checker.check_model(model, full_check=True)
        return model.SerializeToString(deterministic=True)

    def head(self, logits):
        """Softmax probabilities and their ArgMax label."""
        probabilities = self.op("Softmax", [logits], "probabilities", axis=-1)
        self.op("ArgMax", [probabilities], "label", axis=1, keepdims=0)


def f32(a):
    return np.asarray(a, dtype=np.float32)


def i64(a):
    return np.asarray(a, dtype=np.int64)


# ---------------------------------------------------------------------------------------
# digits-cnn: a CNN trained with numpy


def im2col(x, k=3, pad=1):
    """[B, C, H, W] -> [B*H*W, C*k*k] (stride 1, zero padding), columns in (c, ki, kj)
    order, as ONNX Conv weights [Co, C, k, k] flatten."""
    b, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.empty((b, c, k, k, h, w), dtype=x.dtype)
    for i in range(k):
        for j in range(k):
            cols[:, :, i, j] = xp[:, :, i : i + h, j : j + w]
    return cols.transpose(0, 4, 5, 1, 2, 3).reshape(b * h * w, c * k * k)


def col2im(dcols, shape, k=3, pad=1):
    b, c, h, w = shape
    d = dcols.reshape(b, h, w, c, k, k).transpose(0, 3, 4, 5, 1, 2)
    dxp = np.zeros((b, c, h + 2 * pad, w + 2 * pad))
    for i in range(k):
        for j in range(k):
            dxp[:, :, i : i + h, j : j + w] += d[:, :, i, j]
    return dxp[:, :, pad : pad + h, pad : pad + w]


class NumpyCNN:
    """x/16 -> Conv(1->8, 3x3, pad 1) -> Relu -> MaxPool 2 -> Conv(8->16, 3x3, pad 1)
    -> Relu -> AveragePool 2 -> Flatten (c, h, w) -> Dense(64->10) -> Softmax."""

    C1, C2 = 8, 16

    def __init__(self, rng):
        def he(shape, fan_in):
            return rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)

        self.p = {
            "w1": he((self.C1, 1, 3, 3), 9),
            "b1": np.zeros(self.C1),
            "w2": he((self.C2, self.C1, 3, 3), 9 * self.C1),
            "b2": np.zeros(self.C2),
            "w3": he((self.C2 * 4, 10), self.C2 * 4) / 2,
            "b3": np.zeros(10),
        }

    @staticmethod
    def conv(x, w, b):
        bsz, _, h, wd = x.shape
        cols = im2col(x)
        out = cols @ w.reshape(w.shape[0], -1).T + b
        return out.reshape(bsz, h, wd, -1).transpose(0, 3, 1, 2), cols

    def forward(self, pixels):
        p = self.p
        x0 = pixels.reshape(-1, 1, 8, 8) / 16.0
        z1, cols1 = self.conv(x0, p["w1"], p["b1"])
        a1 = np.maximum(z1, 0)
        b = a1.shape[0]
        blocks = a1.reshape(b, self.C1, 4, 2, 4, 2)
        m1 = blocks.max(axis=(3, 5))
        z2, cols2 = self.conv(m1, p["w2"], p["b2"])
        a2 = np.maximum(z2, 0)
        m2 = a2.reshape(b, self.C2, 2, 2, 2, 2).mean(axis=(3, 5))
        f = m2.reshape(b, -1)
        logits = f @ p["w3"] + p["b3"]
        logits = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        proba = e / e.sum(axis=1, keepdims=True)
        cache = (x0, z1, cols1, a1, m1, z2, cols2, f)
        return proba, cache

    def gradients(self, pixels, y):
        p = self.p
        proba, (x0, z1, cols1, a1, m1, z2, cols2, f) = self.forward(pixels)
        b = len(y)
        dlogits = proba.copy()
        dlogits[np.arange(b), y] -= 1
        dlogits /= b
        g = {"w3": f.T @ dlogits, "b3": dlogits.sum(0)}
        dm2 = (dlogits @ p["w3"].T).reshape(b, self.C2, 2, 2)
        da2 = np.repeat(np.repeat(dm2, 2, axis=2), 2, axis=3) / 4.0
        dz2 = da2 * (z2 > 0)
        dmat2 = dz2.transpose(0, 2, 3, 1).reshape(-1, self.C2)
        g["w2"] = (dmat2.T @ cols2).reshape(p["w2"].shape)
        g["b2"] = dmat2.sum(0)
        dm1 = col2im(dmat2 @ p["w2"].reshape(self.C2, -1), m1.shape)
        # MaxPool: the gradient goes to the first maximum of each 2x2 window.
        blocks = a1.reshape(b, self.C1, 4, 2, 4, 2).transpose(0, 1, 2, 4, 3, 5).reshape(b, self.C1, 4, 4, 4)
        first = blocks.argmax(axis=-1)
        mask = np.zeros_like(blocks)
        np.put_along_axis(mask, first[..., None], 1.0, axis=-1)
        da1 = (mask * dm1[..., None]).reshape(b, self.C1, 4, 4, 2, 2).transpose(0, 1, 2, 4, 3, 5)
        da1 = da1.reshape(b, self.C1, 8, 8)
        dz1 = da1 * (z1 > 0)
        dmat1 = dz1.transpose(0, 2, 3, 1).reshape(-1, self.C1)
        g["w1"] = (dmat1.T @ cols1).reshape(p["w1"].shape)
        g["b1"] = dmat1.sum(0)
        loss = -np.mean(np.log(proba[np.arange(b), y] + 1e-12))
        return g, loss

    def train(self, X, y, rng, epochs=40, batch=32, lr=0.01):
        """Adam with the usual constants; the minibatch order from `rng`."""
        m = {k: np.zeros_like(v) for k, v in self.p.items()}
        v = {k: np.zeros_like(v) for k, v in self.p.items()}
        step = 0
        losses = []
        for _ in range(epochs):
            order = rng.permutation(len(X))
            total = 0.0
            for start in range(0, len(X), batch):
                idx = order[start : start + batch]
                g, loss = self.gradients(X[idx], y[idx])
                total += loss * len(idx)
                step += 1
                for k in self.p:
                    m[k] = 0.9 * m[k] + 0.1 * g[k]
                    v[k] = 0.999 * v[k] + 0.001 * g[k] ** 2
                    mhat = m[k] / (1 - 0.9**step)
                    vhat = v[k] / (1 - 0.999**step)
                    self.p[k] -= lr * mhat / (np.sqrt(vhat) + 1e-8)
            losses.append(total / len(X))
        return losses

    def onnx(self, name):
        p = self.p
        g = Graph()
        x = g.op("Reshape", [INPUT_NAME, g.const("image_shape", i64([-1, 1, 8, 8]))])
        x = g.op("Mul", [x, g.const("pixel_scale", f32(1.0 / 16.0))])
        x = g.op("Conv", [x, g.const("conv1.weight", f32(p["w1"])), g.const("conv1.bias", f32(p["b1"]))],
                 kernel_shape=[3, 3], pads=[1, 1, 1, 1])
        x = g.op("Relu", [x])
        x = g.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])
        x = g.op("Conv", [x, g.const("conv2.weight", f32(p["w2"])), g.const("conv2.bias", f32(p["b2"]))],
                 kernel_shape=[3, 3], pads=[1, 1, 1, 1])
        x = g.op("Relu", [x])
        x = g.op("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2])
        x = g.op("Flatten", [x], axis=1)
        logits = g.op("Gemm", [x, g.const("dense.weight", f32(p["w3"])), g.const("dense.bias", f32(p["b3"]))])
        g.head(logits)
        return g.model(name, 64, 10)


def make_digits_cnn():
    bunch = datasets.load_digits()
    X = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=TEST_SIZE, random_state=SEED, stratify=y
    )
    rng = np.random.default_rng(SEED)
    net = NumpyCNN(rng)
    epochs, batch, lr = 40, 32, 0.01
    losses = net.train(X_train, y_train, rng, epochs=epochs, batch=batch, lr=lr)
    proba_test, _ = net.forward(X_test)
    data = net.onnx("digits-cnn")
    training = {
        "estimator": (
            "numpy CNN: pixels/16 -> Conv(1->8, 3x3, pad 1) -> Relu -> MaxPool 2x2 -> "
            "Conv(8->16, 3x3, pad 1) -> Relu -> AveragePool 2x2 -> Flatten -> Dense(64->10) "
            "-> Softmax; He-normal initialisation from numpy.random.default_rng(0); "
            f"Adam (lr {lr}, betas 0.9/0.999), cross-entropy, batch {batch}, {epochs} epochs, "
            "float64; exported as float32"
        ),
        "parameters": int(sum(v.size for v in net.p.values())),
        "final_train_loss": float(losses[-1]),
    }
    return {
        "name": "digits-cnn",
        "description": (
            "Handwritten digit 0-9 from an 8x8 image (64 pixels, 0-16) with a small CNN "
            "trained in numpy: two 3x3 convolutions (8 and 16 channels) with ReLU, max and "
            "average pooling, a dense layer and softmax."
        ),
        "note": (
            "The input is the image's 64 pixels in row-major order, [N, 64], as for the "
            "other models; the graph reshapes it to [N, 1, 8, 8] itself."
        ),
        "bunch": bunch,
        "X": X,
        "y": y,
        "rows_features": X,  # the dataset row is the input
        "feature_names": [str(f) for f in bunch.feature_names],
        "X_test": X_test,
        "y_test": y_test,
        "reference_proba_test": proba_test,
        "reference_name": "numpy",
        "data": data,
        "training": training,
        "input_scale": 0,
        "output_scale": 6,
    }


# ---------------------------------------------------------------------------------------
# tiny-transformer: one encoder block with random weights and a fitted head

SEQ, VOCAB, DIM, HEADS, FFN = 16, 17, 32, 2, 64


def digit_tokens(X):
    """8x8 images -> 16 tokens: the sum of each 2x2 block (0-64), divided by 4 and
    floored (0-16), in row-major order of the blocks."""
    blocks = X.reshape(-1, 4, 2, 4, 2).sum(axis=(2, 4)).reshape(-1, SEQ)
    return np.floor(blocks / 4.0)


def transformer_graph(w, head=None):
    """The block, then its output flattened to [N, SEQ * DIM]; with `head` (weight
    [SEQ * DIM, 10], bias [10]), a Gemm and the softmax head, else those features as
    `features`."""
    g = Graph()
    dh = DIM // HEADS
    ids = g.op("Cast", [INPUT_NAME], to=TensorProto.INT64)
    x = g.op("Gather", [g.const("token_embedding", f32(w["emb"])), ids], axis=0)
    x = g.op("Add", [x, g.const("position_embedding", f32(w["pos"]))])

    def layer_norm(x, i):
        return g.op("LayerNormalization", [x, g.const(f"ln{i}.weight", f32(w[f"ln{i}_g"])),
                                           g.const(f"ln{i}.bias", f32(w[f"ln{i}_b"]))],
                    axis=-1, epsilon=1e-5)

    def linear(x, name):
        y = g.op("MatMul", [x, g.const(f"{name}.weight", f32(w[f"{name}_w"]))])
        return g.op("Add", [y, g.const(f"{name}.bias", f32(w[f"{name}_b"]))])

    split = g.const("split_heads_shape", i64([0, 0, HEADS, dh]))
    h = layer_norm(x, 1)
    q = g.op("Transpose", [g.op("Reshape", [linear(h, "q"), split])], perm=[0, 2, 1, 3])
    k = g.op("Transpose", [g.op("Reshape", [linear(h, "k"), split])], perm=[0, 2, 3, 1])
    v = g.op("Transpose", [g.op("Reshape", [linear(h, "v"), split])], perm=[0, 2, 1, 3])
    scores = g.op("Mul", [g.op("MatMul", [q, k]), g.const("attention_scale", f32(1.0 / np.sqrt(dh)))])
    attn = g.op("Softmax", [scores], axis=-1)
    ctx = g.op("Transpose", [g.op("MatMul", [attn, v])], perm=[0, 2, 1, 3])
    ctx = g.op("Reshape", [ctx, g.const("merge_heads_shape", i64([0, 0, DIM]))])
    x = g.op("Add", [x, linear(ctx, "o")])

    h = layer_norm(x, 2)
    h = linear(h, "ffn1")
    # GELU, exact: 0.5 * h * (1 + erf(h / sqrt(2))).
    erf = g.op("Erf", [g.op("Div", [h, g.const("sqrt2", f32(np.sqrt(2.0)))])])
    gelu = g.op("Mul", [g.op("Mul", [h, g.op("Add", [erf, g.const("one", f32(1.0))])]),
                        g.const("half", f32(0.5))])
    x = g.op("Add", [x, linear(gelu, "ffn2")])
    x = layer_norm(x, 3)
    # Every position's vector, [N, SEQ * DIM]: a mean over positions would throw away
    # where the strokes are, which random attention alone keeps poorly.
    pooled = g.op("Flatten", [x], axis=1)
    if head is None:
        g.op("Identity", [pooled], "features")
        graph = helper.make_graph(
            g.nodes, "tiny-transformer-features",
            [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, [None, SEQ])],
            [helper.make_tensor_value_info("features", TensorProto.FLOAT, [None, SEQ * DIM])],
            initializer=g.inits,
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
        model.ir_version = IR_VERSION
        return model.SerializeToString(deterministic=True)
    logits = g.op("Gemm", [pooled, g.const("classifier.weight", f32(head[0])),
                           g.const("classifier.bias", f32(head[1]))])
    g.head(logits)
    return g.model("tiny-transformer", SEQ, 10)


def make_tiny_transformer():
    bunch = datasets.load_digits()
    X = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target)
    T = digit_tokens(X)
    T_train, T_test, y_train, y_test = train_test_split(
        T, y, test_size=TEST_SIZE, random_state=SEED, stratify=y
    )
    rng = np.random.default_rng(SEED + 1)

    def normal(shape, std):
        return rng.standard_normal(shape) * std

    # Token embedding: one random direction scaled by the token's level (mapped to
    # [-2, 2]), plus noise, so that similar levels get similar vectors; positions random.
    levels = np.arange(VOCAB) / (VOCAB - 1) * 2 - 1
    w = {
        "emb": np.outer(levels, normal(DIM, 1.0)) * 2 + normal((VOCAB, DIM), 0.3),
        "pos": normal((SEQ, DIM), 0.5),
    }
    for i in (1, 2, 3):
        w[f"ln{i}_g"] = 1.0 + normal(DIM, 0.1)
        w[f"ln{i}_b"] = normal(DIM, 0.1)
    for name, (fan_in, fan_out) in {
        "q": (DIM, DIM), "k": (DIM, DIM), "v": (DIM, DIM), "o": (DIM, DIM),
        "ffn1": (DIM, FFN), "ffn2": (FFN, DIM),
    }.items():
        w[f"{name}_w"] = normal((fan_in, fan_out), 1.0 / np.sqrt(fan_in))
        w[f"{name}_b"] = normal(fan_out, 0.02)

    # The block's flattened output, computed by onnxruntime from the float32 graph itself,
    # is what the head is fitted on.
    features = session(transformer_graph(w))
    F_train = features.run(None, {INPUT_NAME: T_train.astype(np.float32)})[0].astype(np.float64)
    F_test = features.run(None, {INPUT_NAME: T_test.astype(np.float32)})[0].astype(np.float64)
    clf = LogisticRegression(C=0.1, max_iter=5000, random_state=SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.fit(F_train, y_train)
    data = transformer_graph(w, head=(clf.coef_.T, clf.intercept_))
    training = {
        "estimator": (
            f"one pre-LayerNorm transformer encoder block (d_model {DIM}, {HEADS} heads, "
            f"feed-forward {FFN} with exact GELU, vocabulary {VOCAB}, {SEQ} positions, position "
            "embedding, final LayerNorm, every position's vector flattened to 512 features) with RANDOM weights "
            "from numpy.random.default_rng(1) (normal: token embedding = 2 * level in [-1, 1] * "
            "a random direction (std 1) + noise std 0.3, positions std 0.5, "
            "projections std 1/sqrt(fan_in), biases std 0.02, LayerNorm gains 1 + std 0.1 and "
            "biases std 0.1); only the classifier head is fitted: "
            f"{' '.join(str(clf).split())} on the block's float32 output for the train split"
        ),
        "parameters": int(sum(v.size for v in w.values()) + clf.coef_.size + clf.intercept_.size),
        "tokens": (
            "each 8x8 image -> 16 tokens: the sums of its 2x2 pixel blocks (0-64) in "
            "row-major order, floor(sum / 4) (0-16)"
        ),
    }
    return {
        "name": "tiny-transformer",
        "description": (
            "Handwritten digit 0-9 from 16 tokens (an 8x8 digit image's 2x2-block sums, "
            "quantised to 0-16) through one transformer encoder block: token embedding "
            "(Gather), random position embeddings, LayerNormalization, two-head self-attention, a "
            "GELU feed-forward, residual Adds, a final LayerNormalization, and a softmax "
            "classifier over the 16 positions' vectors."
        ),
        "note": (
            "The block's weights are random (seeded), not trained: only the classifier head "
            "is fitted, by logistic regression on the block's output. The model is "
            "there to exercise transformer operators in the engine, not to be a good "
            "classifier. Token ids arrive as float32 (the [N, n_features] float contract of "
            "the other models) and the graph casts them to int64 for the Gather."
        ),
        "bunch": bunch,
        "X": X,
        "y": y,
        "rows_features": T,
        "feature_names": [f"token_{i}" for i in range(SEQ)],
        "X_test": T_test,
        "y_test": y_test,
        "reference_proba_test": clf.predict_proba(F_test),
        "reference_name": "sklearn_head_on_ort_features",
        "data": data,
        "training": training,
        "input_scale": 0,
        "output_scale": 6,
    }


# ---------------------------------------------------------------------------------------
# The reference JSON


def session(data):
    return mm.session(data)


def describe(spec):
    data = spec["data"]
    if len(data) > MAX_MODEL_BYTES:
        raise SystemExit(f"{spec['name']}: {len(data)} bytes, over {MAX_MODEL_BYTES}")
    proto = onnx.load_from_string(data)
    sess = session(data)
    inp = sess.get_inputs()[0]
    input_meta = {
        "name": inp.name,
        "element_type": mm.element_type(inp.type),
        "shape": [d if isinstance(d, int) else None for d in inp.shape],
    }
    output_meta = [
        {
            "name": o.name,
            "element_type": mm.element_type(o.type),
            "shape": [d if isinstance(d, int) else None for d in o.shape],
        }
        for o in sess.get_outputs()
    ]
    n_features = int(input_meta["shape"][1])

    X_test32 = spec["X_test"].astype(np.float32)
    label, proba = sess.run(None, {INPUT_NAME: X_test32})
    ref = spec["reference_proba_test"]
    metrics = {
        f"{spec['reference_name']}_test_accuracy": float(np.mean(ref.argmax(1) == spec["y_test"])),
        "onnx_test_accuracy": float(np.mean(label == spec["y_test"])),
        f"onnx_label_mismatches_vs_{spec['reference_name']}": int(np.sum(label != ref.argmax(1))),
        f"onnx_max_abs_proba_diff_vs_{spec['reference_name']}": float(np.max(np.abs(proba - ref))),
    }

    class Case:
        input_scale = spec["input_scale"]
        output_scale = spec["output_scale"]

    cases, fed = [], []
    X, y = spec["rows_features"], spec["y"]
    for row in mm.case_rows(len(X)):
        case, x = mm.make_case(Case, sess, output_meta, row, y[row], X[row])
        cases.append(case)
        fed.append(x)

    # The optimised graph (and default threads) against the unoptimised reference.
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    optimised = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    opt_diff = 0.0
    for x in fed:
        for a, b in zip(sess.run(None, {INPUT_NAME: x}), optimised.run(None, {INPUT_NAME: x})):
            opt_diff = max(opt_diff, float(np.max(np.abs(np.asarray(a, np.float64) - b))))
    metrics["cases_max_abs_diff_ort_optimised_vs_not"] = opt_diff

    bunch = spec["bunch"]
    meta = {
        "name": spec["name"],
        "description": spec["description"],
        "note": spec["note"],
        "file": f"{spec['name']}.onnx",
        "hash": mm.blake2_256(data),
        "hash_algorithm": "blake2b-256 (BLAKE2b, 32-byte digest, no key) of the .onnx file bytes",
        "size_bytes": len(data),
        "dataset": {
            "name": "digits",
            "loader": "sklearn.datasets.load_digits",
            "n_samples": int(len(X)),
            "feature_names": spec["feature_names"],
        },
        "kind": "classifier",
        "n_features": n_features,
        "classes": list(range(10)),
        "class_names": [str(bunch.target_names[c]) for c in range(10)],
        "input": input_meta,
        "outputs": output_meta,
        **mm.graph_facts(proto),
        "training": {
            **spec["training"],
            "split": f"train_test_split(test_size={TEST_SIZE}, random_state={SEED}, stratify=y)",
            "metrics": metrics,
        },
        "reference": mm.reference_settings(input_shape=[1, n_features]),
        "fixed_point": {
            "input_scale": spec["input_scale"],
            "output_scale": spec["output_scale"],
            "quantise": "q = round_half_even(x * 10^scale), exact on the binary value",
            "dequantise": "x = float32(float64(q) / float64(10^input_scale))",
            "integer_outputs": "not scaled: fixed_point equals values",
        },
        "generator": {
            "script": "scripts/models/make_nn_models.py",
            "target_opset": {mm.DEFAULT_DOMAIN: OPSET},
            "blas": f"OpenBLAS, 1 thread, OPENBLAS_CORETYPE={mm.BLAS_CORETYPE or '(CPU default)'}",
            "versions": {
                d: dist_version(d) for d in ("numpy", "scikit-learn", "onnx", "onnxruntime")
            },
        },
        "cases": cases,
    }
    return meta


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    root = Path(__file__).resolve().parents[2]
    parser.add_argument("--out", type=Path, default=root / "models" / "nn", help="output directory")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for make in (make_digits_cnn, make_tiny_transformer):
        spec = make()
        again = make()["data"]
        if again != spec["data"]:
            raise SystemExit(f"{spec['name']}: two builds of the same model differ")
        meta = describe(spec)
        (args.out / meta["file"]).write_bytes(spec["data"])
        (args.out / f"{meta['name']}.json").write_text(mm.to_json(meta) + "\n", encoding="utf-8")
        m = meta["training"]["metrics"]
        ops = ", ".join(o["op_type"] + (f"x{o['count']}" if o["count"] > 1 else "") for o in meta["ops"])
        print(f"{meta['file']}  {meta['size_bytes']} bytes  {meta['hash']}  "
              f"onnx test accuracy {m['onnx_test_accuracy']:.4f}")
        print(f"  ops: {ops}")


if __name__ == "__main__":
    sys.exit(main())
