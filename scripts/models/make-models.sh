#!/usr/bin/env bash
# Regenerates the example ONNX models in models/ (and their reference JSON) from
# scikit-learn's bundled datasets, with the exact Python packages of requirements.txt:
# make_models.py (scikit-learn exports), then make_nn_models.py (models/nn/: digits-cnn,
# tiny-transformer) and make_multi_input_model.py (models/nn/diabetes-wide-deep).
#
#   scripts/models/make-models.sh           write models/*.onnx and models/*.json
#   scripts/models/make-models.sh --check   regenerate into a temporary directory and
#                                           fail if anything differs from models/
#   scripts/models/make-models.sh --venv    only create (or update) the virtualenv
#
# The virtualenv lives at ${AIORACLE_VENV:-$HOME/.cache/aioracle/venv}, outside the clone;
# it is created on first use and pip runs again only when requirements.txt changes. Needs
# python3 (3.11 or newer, with the venv module) and access to PyPI on first use. Safe to
# run again: the same inputs give the same bytes.

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${AIORACLE_VENV:-$HOME/.cache/aioracle/venv}"
REQUIREMENTS="$HERE/requirements.txt"
STAMP="$VENV/.aioracle-models-requirements"

die() {
	echo "make-models: $*" >&2
	exit 1
}

step() {
	echo "make-models: $*" >&2
}

check=0
venv_only=0
case "${1:-}" in
"") ;;
--check) check=1 ;;
--venv) venv_only=1 ;;
-h | --help)
	sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*) die "unknown argument '$1' (try --help)" ;;
esac

command -v python3 >/dev/null 2>&1 || die "python3 not found: install Python 3.11 or newer (Debian: apt-get install python3)"
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ||
	die "python3 is $(python3 -c 'import platform; print(platform.python_version())'); the pinned numpy and scikit-learn need 3.11 or newer"

setup_venv() {
	if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
		# A venv made by another python3 (say, after an upgrade) is made again.
		if [ "$("$VENV/bin/python" -c 'import sys; print(sys.version_info[:2])')" = \
			"$(python3 -c 'import sys; print(sys.version_info[:2])')" ]; then
			return 0
		fi
		step "$VENV was made by another Python; making it again"
	fi
	python3 -c 'import venv, ensurepip' >/dev/null 2>&1 ||
		die "python3 has no working venv module: on Debian or Ubuntu, apt-get install python3-venv"
	step "creating the virtualenv $VENV"
	rm -rf "$VENV"
	mkdir -p "$(dirname "$VENV")"
	if ! python3 -m venv "$VENV"; then
		rm -rf "$VENV"
		die "python3 -m venv $VENV failed (on Debian or Ubuntu: apt-get install python3-venv)"
	fi
}

install_requirements() {
	local want
	want="$(cat "$REQUIREMENTS"; "$VENV/bin/python" -c 'import sys; print(sys.version)')"
	if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
		return 0
	fi
	step "installing $(grep -c '==' "$REQUIREMENTS") pinned packages into $VENV (pip)"
	rm -f "$STAMP"
	local start=$SECONDS
	"$VENV/bin/python" -m pip install --disable-pip-version-check -q --only-binary=:all: \
		-r "$REQUIREMENTS" ||
		die "pip install -r $REQUIREMENTS failed (is PyPI reachable? does every pin have a wheel for $(python3 --version)?)"
	step "pip install took $((SECONDS - start)) s"
	printf '%s' "$want" >"$STAMP"
}

setup_venv
install_requirements
[ "$venv_only" = 0 ] || exit 0

# make_models.py itself pins BLAS threads and kernels; a fixed hash seed on top.
export PYTHONHASHSEED=0

if [ "$check" = 0 ]; then
	"$VENV/bin/python" "$HERE/make_models.py" --out "$ROOT/models" || die "make_models.py failed"
	"$VENV/bin/python" "$HERE/make_nn_models.py" --out "$ROOT/models/nn" || die "make_nn_models.py failed"
	"$VENV/bin/python" "$HERE/make_multi_input_model.py" --out "$ROOT/models/nn" || die "make_multi_input_model.py failed"
	exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$VENV/bin/python" "$HERE/make_models.py" --out "$tmp/models" >/dev/null || die "make_models.py failed"
"$VENV/bin/python" "$HERE/make_nn_models.py" --out "$tmp/models/nn" >/dev/null || die "make_nn_models.py failed"
"$VENV/bin/python" "$HERE/make_multi_input_model.py" --out "$tmp/models/nn" >/dev/null || die "make_multi_input_model.py failed"
status=0
# models/*.{onnx,json} against make_models.py, models/nn/*.{onnx,json} against
# make_nn_models.py and make_multi_input_model.py.
for dir in models models/nn; do
	for made in "$tmp/$dir"/*.onnx "$tmp/$dir"/*.json; do
		[ -e "$made" ] || continue
		name="$(basename "$made")"
		if ! cmp -s "$made" "$ROOT/$dir/$name"; then
			echo "make-models: $dir/$name differs from what the scripts make now" >&2
			status=1
		fi
	done
	for kept in "$ROOT/$dir"/*.onnx "$ROOT/$dir"/*.json; do
		[ -e "$kept" ] || continue
		[ -e "$tmp/$dir/$(basename "$kept")" ] || {
			echo "make-models: $dir/$(basename "$kept") is not made by the model scripts" >&2
			status=1
		}
	done
done
[ "$status" = 0 ] || die "models/ is out of date: run scripts/models/make-models.sh and commit the result"
step "models/ and models/nn/ match what make_models.py, make_nn_models.py and make_multi_input_model.py make"
