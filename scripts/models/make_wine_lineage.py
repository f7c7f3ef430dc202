#!/usr/bin/env python3
"""Makes the wine lineage of e2e/examples/marketplace.js in e2e/examples/data/:

    wine.csv         scikit-learn's wine_data.csv as it ships it (the UCI wine data: a
                     count line, then 178 rows of 13 measurements and the cultivar)
    wine-named.csv   the same rows under a header of the feature names and `cultivar`
    wine-train.csv   that header and the 133 rows models/wine-mlp.onnx was fit on:
                     train_test_split(test_size=0.25, random_state=0, stratify=cultivar),
                     in the split's order

and checks that fitting wine-mlp's pipeline on the rows read back from wine-train.csv
exports models/wine-mlp.onnx byte for byte, so that the version the example proposes is
truly trained on the dataset it names. Run it with the virtualenv of make-models.sh:

    ~/.cache/aioracle/venv/bin/python scripts/models/make_wine_lineage.py [OUT_DIR]
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import make_models as mm  # noqa: E402  (pins BLAS before numpy is imported)
import numpy as np  # noqa: E402
from sklearn import datasets  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "e2e" / "examples" / "data"
    source = Path(os.path.dirname(datasets.__file__)) / "data" / "wine_data.csv"
    raw = source.read_bytes()
    lines = raw.decode("ascii").split("\n")
    if lines[-1] != "" or len(lines) != 180:
        raise SystemExit(f"{source}: not the 178 rows and count line expected")
    rows = lines[1:-1]

    wine = datasets.load_wine()
    header = ",".join(list(wine.feature_names) + ["cultivar"])
    train_rows, _ = train_test_split(
        np.arange(len(rows)), test_size=mm.TEST_SIZE, random_state=mm.SEED, stratify=wine.target
    )
    named = header + "\n" + "\n".join(rows) + "\n"
    train = header + "\n" + "\n".join(rows[i] for i in train_rows) + "\n"

    # The model, fit again on what wine-train.csv holds.
    table = np.array([[float(v) for v in line.split(",")] for line in train.strip().split("\n")[1:]])
    spec = next(s for s in mm.SPECS if s.name == "wine-mlp")
    model = spec.build()
    model.fit(table[:, :13], table[:, 13].astype(int))
    refit = mm.blake2_256(mm.export(spec, model, 13))
    committed = mm.blake2_256((ROOT / "models" / "wine-mlp.onnx").read_bytes())
    if refit != committed:
        raise SystemExit(f"wine-mlp fit on wine-train.csv exports {refit}, not models/wine-mlp.onnx ({committed})")

    out.mkdir(parents=True, exist_ok=True)
    (out / "wine.csv").write_bytes(raw)
    (out / "wine-named.csv").write_text(named)
    (out / "wine-train.csv").write_text(train)
    print(f"wrote {out}/wine.csv, wine-named.csv, wine-train.csv ({len(train_rows)} training rows); "
          f"wine-mlp refit on wine-train.csv = models/wine-mlp.onnx ({committed})")


if __name__ == "__main__":
    main()
