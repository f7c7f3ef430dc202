#!/usr/bin/env python3
"""Fetches Google's Magika content-type model from its PyPI wheel into a cache outside
the clone, and writes its onnxruntime reference outputs on files of this repository.

    PYTHONHASHSEED=0 ~/.cache/aioracle/venv/bin/python scripts/models/fetch_magika.py \
        [--cache ~/.cache/aioracle/models/magika] [--reference models/magika/magika.json]

(scripts/models/fetch-magika.sh runs it in the pinned virtualenv.)

1. `pip download --no-deps --only-binary=:all:` of the pinned wheel (MAGIKA_VERSION, for
   the platform WHEEL_PLATFORM whatever the machine, so that the bytes are always the
   same), checked against WHEEL_SHA256. Nothing is installed.
2. The wheel's metadata must say `License: Apache-2.0` (and the Apache classifier).
3. From the wheel, into the cache: the model (magika/models/<MODEL>/model.onnx, checked
   against MODEL_BLAKE2_256), its config (config.min.json: the 214 labels of the output,
   the feature-extraction parameters), its model card (README.md), the content-types
   knowledge base, the wheel's METADATA, and provenance.json (version, wheel, hashes,
   licence).
4. The reference JSON, in the format of models/*.json: 6 files of this repository at
   commit SOURCE_COMMIT (read with `git show`, so the bytes do not move with the tree),
   turned into the model's int32 [1, 2048] input exactly as Magika does it, and
   onnxruntime's outputs (no graph optimisation, one thread) in float32 and fixed point.
   The feature extraction is reimplemented here from the wheel's
   magika/magika.py (`_extract_features_from_seekable`: the first 4096 bytes lstripped
   of ASCII whitespace, their first 1024, padded at the end with token 256; the last
   4096 bytes rstripped, their last 1024, padded at the start; the two concatenated)
   and checked against Magika's own code, imported from the unpacked wheel, whose
   `identify_bytes` label must be the reference's argmax.

The model is not committed: Apache-2.0 would allow it, but at 3.2 MB it is ten times the
size of everything in models/. The reference JSON (hashes, inputs, outputs) is, at
models/magika/magika.json.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_models as mm  # noqa: E402  (BLAS settings, JSON and fixed-point helpers)

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import zipfile  # noqa: E402
from email.parser import Parser  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402

MAGIKA_VERSION = "1.0.3"
WHEEL_PLATFORM = "manylinux_2_28_x86_64"
WHEEL_FILE = f"magika-{MAGIKA_VERSION}-py3-none-{WHEEL_PLATFORM}.whl"
WHEEL_SHA256 = "3e9b49134e8116ee40b431664dcbed9e199413efddcce1a173c734b4e0521529"
MODEL = "standard_v3_3"
MODEL_BLAKE2_256 = "0x6884b6afab6cc796bfad26bf62e97598c2c63c0a74ba0b5d6165b115bcd5d828"
LICENSE = "Apache-2.0"
# The repository's files the reference cases are made of, at a fixed commit.
SOURCE_COMMIT = "6720245"
SOURCE_FILES = [
    ("inference/src/engine.rs", "rust"),
    ("models/iris-logreg.json", "json"),
    ("models/digits-onehot.onnx", "onnx"),
    ("README.md", "markdown"),
    ("scripts/bench-inference.sh", "shell"),
    ("models/iris-logreg.onnx", "onnx"),
]
OUTPUT_SCALE = 6
ROOT = Path(__file__).resolve().parents[2]


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def download_wheel(cache: Path) -> bytes:
    wheel_dir = cache / "wheel"
    wheel = wheel_dir / WHEEL_FILE
    if not wheel.exists() or sha256(wheel.read_bytes()) != WHEEL_SHA256:
        wheel_dir.mkdir(parents=True, exist_ok=True)
        print(f"fetch-magika: pip download magika=={MAGIKA_VERSION} ({WHEEL_PLATFORM})", file=sys.stderr)
        subprocess.run(
            [
                sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q",
                "--no-deps", "--only-binary=:all:", "--platform", WHEEL_PLATFORM,
                "--python-version", "3.11", "-d", str(wheel_dir), f"magika=={MAGIKA_VERSION}",
            ],
            check=True,
        )
    data = wheel.read_bytes()
    if sha256(data) != WHEEL_SHA256:
        raise SystemExit(f"{wheel}: sha256 {sha256(data)}, expected {WHEEL_SHA256}")
    return data


def extract(wheel: Path, cache: Path):
    with zipfile.ZipFile(wheel) as z:
        metadata_text = z.read(f"magika-{MAGIKA_VERSION}.dist-info/METADATA").decode()
        metadata = Parser().parsestr(metadata_text, headersonly=True)
        licence = metadata.get("License")
        classifiers = metadata.get_all("Classifier") or []
        if licence != LICENSE or "License :: OSI Approved :: Apache Software License" not in classifiers:
            raise SystemExit(f"magika {MAGIKA_VERSION}: licence {licence!r}, {classifiers}; expected {LICENSE}")
        files = {
            "model.onnx": f"magika/models/{MODEL}/model.onnx",
            "config.min.json": f"magika/models/{MODEL}/config.min.json",
            "README.md": f"magika/models/{MODEL}/README.md",
            "metadata.json": f"magika/models/{MODEL}/metadata.json",
            "content_types_kb.min.json": "magika/config/content_types_kb.min.json",
        }
        for name, member in files.items():
            (cache / name).write_bytes(z.read(member))
        (cache / "METADATA").write_text(metadata_text)
        # Magika's Python package, unpacked beside, to check the feature extraction
        # against (it needs only onnxruntime and the standard library).
        package = cache / "python"
        shutil.rmtree(package, ignore_errors=True)
        for member in z.namelist():
            if member.startswith("magika/") and not member.endswith("/"):
                target = package / member
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(member))
    return licence, classifiers, metadata.get("Home-Page") or metadata.get("Project-URL")


def features(content: bytes, config) -> list:
    """Magika's model input for `content` (magika.py, _extract_features_from_seekable,
    feature extraction v2, and _get_raw_predictions): see the module's docstring."""
    beg_size, end_size = config["beg_size"], config["end_size"]
    block, pad = config["block_size"], config["padding_token"]
    assert config["mid_size"] == 0 and not config["use_inputs_at_offsets"]
    n = min(block, len(content))
    beg = content[:n].lstrip()[:beg_size]
    beg_ints = list(beg) + [pad] * (beg_size - len(beg))
    end = content[len(content) - n :].rstrip()
    end = end[max(0, len(end) - end_size) :]
    end_ints = [pad] * (end_size - len(end)) + list(end)
    return beg_ints + end_ints


def magika_itself(cache: Path, content: bytes, config):
    """Magika's own features and label for `content`, from the unpacked wheel."""
    import io

    sys.path.insert(0, str(cache / "python"))
    try:
        from magika import Magika
        from magika.types.seekable import Seekable
    finally:
        sys.path.pop(0)
    fs = Magika._extract_features_from_seekable(
        Seekable(io.BytesIO(content)), config["beg_size"], config["mid_size"],
        config["end_size"], config["padding_token"], config["block_size"],
        config["use_inputs_at_offsets"],
    )
    result = Magika().identify_bytes(content)
    return fs.beg + fs.end, str(result.dl.label), float(result.score)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache/aioracle/models/magika")
    parser.add_argument("--reference", type=Path, default=ROOT / "models/magika/magika.json")
    args = parser.parse_args()
    cache = args.cache
    cache.mkdir(parents=True, exist_ok=True)

    download_wheel(cache)
    licence, classifiers, home = extract(cache / "wheel" / WHEEL_FILE, cache)
    data = (cache / "model.onnx").read_bytes()
    model_hash = mm.blake2_256(data)
    if model_hash != MODEL_BLAKE2_256:
        raise SystemExit(f"model.onnx: blake2-256 {model_hash}, expected {MODEL_BLAKE2_256}")
    config = json.loads((cache / "config.min.json").read_text())
    labels = config["target_labels_space"]

    provenance = {
        "package": "magika",
        "version": MAGIKA_VERSION,
        "wheel": WHEEL_FILE,
        "wheel_sha256": WHEEL_SHA256,
        "source": f"https://pypi.org/project/magika/{MAGIKA_VERSION}/",
        "licence": licence,
        "licence_classifiers": [c for c in classifiers if c.startswith("License")],
        "model": MODEL,
        "model_path_in_wheel": f"magika/models/{MODEL}/model.onnx",
        "model_bytes": len(data),
        "model_blake2_256": model_hash,
        "model_sha256": sha256(data),
        "config_sha256": sha256((cache / "config.min.json").read_bytes()),
        "labels": len(labels),
    }
    (cache / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")

    sess = mm.session(data)
    proto = onnx.load_from_string(data)
    inp = sess.get_inputs()[0]
    out = sess.get_outputs()
    assert len(sess.get_inputs()) == 1 and len(out) == 1
    input_meta = {
        "name": inp.name,
        "element_type": mm.element_type(inp.type),
        "shape": [d if isinstance(d, int) else None for d in inp.shape],
    }
    output_meta = [
        {"name": o.name, "element_type": mm.element_type(o.type),
         "shape": [d if isinstance(d, int) else None for d in o.shape]}
        for o in out
    ]
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    optimised = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])

    cases = []
    opt_diff = 0.0
    for index, (path, expected_type) in enumerate(SOURCE_FILES):
        content = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{SOURCE_COMMIT}:{path}"],
            check=True, capture_output=True,
        ).stdout
        ints = features(content, config)
        theirs, label, score = magika_itself(cache, content, config)
        if ints != theirs:
            raise SystemExit(f"{path}: our features differ from Magika's own")
        x = np.array([ints], dtype=np.int32)
        (proba,) = sess.run(None, {inp.name: x})
        (again,) = optimised.run(None, {inp.name: x})
        opt_diff = max(opt_diff, float(np.max(np.abs(proba.astype(np.float64) - again))))
        top = int(np.argmax(proba[0]))
        if labels[top] != label:
            raise SystemExit(f"{path}: argmax {labels[top]}, Magika says {label}")
        flat = proba.reshape(-1)
        cases.append({
            "row": index,
            "file": f"{path} at commit {SOURCE_COMMIT}",
            "file_bytes": len(content),
            "file_blake2_256": mm.blake2_256(content),
            "target": expected_type,
            "predicted": {"label": labels[top], "index": top, "score": float(flat[top])},
            "input_fixed_point": ints,
            "input": ints,
            "outputs": [{
                "name": output_meta[0]["name"],
                "element_type": output_meta[0]["element_type"],
                "shape": [int(d) for d in proba.shape],
                "values": [float(v) for v in flat],
                "fixed_point": [mm.fixed(v, OUTPUT_SCALE) for v in flat],
            }],
        })

    reference = {
        "name": "magika",
        "description": (
            f"Google's Magika file content-type classifier (model {MODEL}, from the magika "
            f"{MAGIKA_VERSION} wheel on PyPI): the first and last 1024 bytes of a file "
            "(whitespace-stripped, padded with token 256) as int32 [N, 2048] -> "
            f"probabilities of {len(labels)} content types."
        ),
        "note": (
            "The model is not committed: scripts/models/fetch-magika.sh puts it in "
            "~/.cache/aioracle/models/magika/model.onnx (with its config and provenance). "
            "Inputs are byte values 0-255 and the padding token 256; the output has no "
            "label tensor: the class is the argmax, named by `classes`. Magika itself then "
            "applies per-type thresholds and an overwrite map (config.min.json), not "
            "reproduced here."
        ),
        "file": "model.onnx",
        "location": "~/.cache/aioracle/models/magika/model.onnx (scripts/models/fetch-magika.sh)",
        "hash": model_hash,
        "hash_algorithm": "blake2b-256 (BLAKE2b, 32-byte digest, no key) of the .onnx file bytes",
        "size_bytes": len(data),
        "source": provenance,
        "dataset": {
            "name": "repository files",
            "loader": f"git show {SOURCE_COMMIT}:<path>, then Magika's feature extraction",
            "n_samples": len(SOURCE_FILES),
            "feature_names": [f"beg_{i}" for i in range(config["beg_size"])]
            + [f"end_{i}" for i in range(config["end_size"])],
        },
        "kind": "classifier",
        "n_features": config["beg_size"] + config["end_size"],
        "classes": list(range(len(labels))),
        "class_names": labels,
        "input": input_meta,
        "outputs": output_meta,
        "ops": mm.op_list(proto),
        "opset_imports": {(o.domain or mm.DEFAULT_DOMAIN): int(o.version) for o in proto.opset_import},
        "ir_version": int(proto.ir_version),
        "producer": f"{proto.producer_name} {proto.producer_version}",
        "feature_extraction": {
            k: config[k] for k in ("beg_size", "mid_size", "end_size", "block_size",
                                   "padding_token", "use_inputs_at_offsets")
        },
        "training": {"metrics": {"cases_max_abs_diff_ort_optimised_vs_not": opt_diff}},
        "reference": {
            "runtime": f"onnxruntime {ort.__version__}",
            "graph_optimization_level": "ORT_DISABLE_ALL",
            "threads": 1,
            "batch_size": 1,
            "input_shape": [1, config["beg_size"] + config["end_size"]],
        },
        "fixed_point": {
            "input_scale": 0,
            "output_scale": OUTPUT_SCALE,
            "quantise": "q = round_half_even(x * 10^scale), exact on the binary value",
            "dequantise": "integer input: the value itself at scale 0",
            "integer_outputs": "none",
        },
        "generator": {
            "script": "scripts/models/fetch_magika.py",
            "versions": {"numpy": np.__version__, "onnx": onnx.__version__, "onnxruntime": ort.__version__},
        },
        "cases": cases,
    }
    args.reference.parent.mkdir(parents=True, exist_ok=True)
    args.reference.write_text(mm.to_json(reference) + "\n", encoding="utf-8")
    (cache / "magika.json").write_text(mm.to_json(reference) + "\n", encoding="utf-8")
    print(f"magika {MAGIKA_VERSION} ({licence}): {cache / 'model.onnx'}, {len(data)} bytes, {model_hash}")
    for case in cases:
        p = case["predicted"]
        print(f"  {case['file']}: {p['label']} {p['score']:.4f}")
    print(f"reference: {args.reference}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
