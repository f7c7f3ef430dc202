#!/usr/bin/env bash
# Fetches Google's Magika content-type model (magika's PyPI wheel, pinned version and
# sha256, licence checked to be Apache-2.0; nothing installed) into a cache outside the
# clone, and writes its onnxruntime reference outputs on files of this repository.
#
#   scripts/models/fetch-magika.sh
#
# Cache: ${AIORACLE_MAGIKA_DIR:-$HOME/.cache/aioracle/models/magika}/ gets model.onnx,
# config.min.json (the 214 labels and feature parameters), README.md (the model card),
# METADATA (the wheel's), provenance.json (version, wheel and model hashes, licence),
# magika.json (the reference) and wheel/ (the wheel itself). The reference JSON is also
# written to models/magika/magika.json (committed; the model is not). Runs in the
# virtualenv of scripts/models/make-models.sh (run that once first). See
# scripts/models/fetch_magika.py for what exactly is done.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${AIORACLE_VENV:-$HOME/.cache/aioracle/venv}"
CACHE="${AIORACLE_MAGIKA_DIR:-$HOME/.cache/aioracle/models/magika}"

[ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import onnxruntime, onnx, numpy' 2>/dev/null || {
	echo "fetch-magika: no virtualenv with onnxruntime at $VENV: run scripts/models/make-models.sh first" >&2
	exit 1
}
export PYTHONHASHSEED=0
exec "$VENV/bin/python" "$HERE/fetch_magika.py" --cache "$CACHE"
