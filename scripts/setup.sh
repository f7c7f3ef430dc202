#!/usr/bin/env bash
# Installs what building and testing aioracle needs, if it is missing, and exports the
# build environment. Sourced by run-dev.sh and test.sh; safe to run again.
#
#   protobuf-compiler (apt)          litep2p's build script runs protoc
#   wasm32v1-none, wasm32-unknown-unknown, rust-src (rustup)   the wasm runtime
#   npm packages of e2e/             the end-to-end tests and the explorer's Polkadot.js
#   chromium (apt)                   the explorer's browser test (test.sh only)
#   Magika's model (PyPI wheel)      the Magika end-to-end test (test.sh only)
#   the Python client (PyPI)         client-python.test.js: a virtualenv with the pins of
#                                    e2e/examples/python/requirements.txt (test.sh only)
#
# Cargo's target directory defaults to ~/.cache/aioracle/target, outside the clone, so
# every clone on this machine (and CI) reuses one build. Set CARGO_TARGET_DIR to override.

set -euo pipefail

AIORACLE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export AIORACLE_ROOT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/aioracle/target}"
# rustup must not wander off to install toolchains on its own.
export RUSTUP_AUTO_INSTALL=0

die() {
	echo "setup: $*" >&2
	exit 1
}

step() {
	echo "setup: $*" >&2
}

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		return 1
	fi
}

apt_install() {
	# $1: the command the package provides, $2: the Debian package.
	command -v "$1" >/dev/null 2>&1 && return 0
	step "installing $2 (apt)"
	command -v apt-get >/dev/null 2>&1 || die "cannot install $2: no apt-get here; install it by hand"
	if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null 2>&1; then
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 || true
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null ||
			die "cannot install $2 with apt-get (are you root or a sudoer?)"
	fi
	command -v "$1" >/dev/null 2>&1 || die "$2 was installed but '$1' is not on PATH"
}

setup_rust() {
	command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup (https://rustup.rs)"
	command -v rustup >/dev/null 2>&1 || die "rustup not found: the wasm targets are installed with rustup"
	# Outside the clone, so that rust-toolchain.toml cannot get in the way of fixing itself.
	cd /
	local installed
	installed="$(rustup target list --installed --toolchain stable)"
	for target in wasm32v1-none wasm32-unknown-unknown; do
		if ! grep -qx "$target" <<<"$installed"; then
			step "adding the Rust target $target (rustup)"
			rustup target add --toolchain stable "$target" >/dev/null || die "cannot add the Rust target $target (rustup target add $target)"
		fi
	done
	if ! rustup component list --installed --toolchain stable | grep -q '^rust-src'; then
		step "adding the Rust component rust-src (rustup)"
		rustup component add --toolchain stable rust-src >/dev/null || die "cannot add the Rust component rust-src (rustup component add rust-src)"
	fi
}

setup_node_js() {
	command -v node >/dev/null 2>&1 || apt_install node nodejs
	command -v npm >/dev/null 2>&1 || apt_install npm npm
	local major
	major="$(node -p 'process.versions.node.split(".")[0]')"
	[ "$major" -ge 20 ] || die "Node.js $major is too old for the end-to-end tests: Node.js 20 or newer is needed"
	cd "$AIORACLE_ROOT/e2e"
	# Reinstall when the lockfile changed since the last install.
	if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
		step "installing the e2e npm packages (npm ci)"
		npm ci --no-audit --no-fund --loglevel=error >/dev/null || die "cannot install the e2e npm packages (npm ci in e2e/)"
	fi
}

# The browser the explorer's test drives headless (playwright-core downloads none).
setup_magika() {
	# Google's Magika model (Apache-2.0, from its PyPI wheel, not committed), which the
	# end-to-end test magika.test.js serves on-chain. Fetched once into a cache outside the
	# clone; the fetch needs the models' virtualenv, which make-models.sh --venv creates.
	local dir="${AIORACLE_MAGIKA_DIR:-$HOME/.cache/aioracle/models/magika}"
	[ -f "$dir/model.onnx" ] && return 0
	local venv="${AIORACLE_VENV:-$HOME/.cache/aioracle/venv}"
	if ! { [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import onnxruntime, onnx, numpy' 2>/dev/null; }; then
		step "creating the models' virtualenv (scripts/models/make-models.sh --venv)"
		"$AIORACLE_ROOT/scripts/models/make-models.sh" --venv >&2 || die "cannot create the models' virtualenv"
	fi
	step "fetching Magika's model from PyPI (scripts/models/fetch-magika.sh)"
	"$AIORACLE_ROOT/scripts/models/fetch-magika.sh" >&2 || die "cannot fetch Magika's model"
}

setup_browser() {
	apt_install chromium chromium
}

setup_python_client() {
	# The Python client of e2e/examples/python/ (async-substrate-interface and what it
	# needs, pinned in its requirements.txt, wheels only), which client-python.test.js
	# runs. Its own virtualenv: its codec (cyscale) installs as the module `scalecodec`,
	# which must not meet the `scalecodec` package. pip runs again only when the
	# requirements or the Python change.
	local venv="${AIORACLE_CLIENT_VENV:-$HOME/.cache/aioracle/client-venv}"
	local requirements="$AIORACLE_ROOT/e2e/examples/python/requirements.txt"
	local stamp="$venv/.aioracle-client-requirements"
	command -v python3 >/dev/null 2>&1 || apt_install python3 python3
	python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ||
		die "python3 is $(python3 -c 'import platform; print(platform.python_version())'); the Python client needs 3.11 or newer"
	local want
	want="$(cat "$requirements"; python3 -c 'import sys; print(sys.version)')"
	if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
		return 0
	fi
	if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
		step "installing python3-venv (apt)"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null 2>&1 ||
			{ as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 &&
				as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null 2>&1; } ||
			true
		python3 -c 'import venv, ensurepip' >/dev/null 2>&1 ||
			die "python3 has no working venv module: on Debian or Ubuntu, apt-get install python3-venv"
	fi
	step "creating the Python client's virtualenv $venv (pip)"
	rm -rf "$venv"
	mkdir -p "$(dirname "$venv")"
	python3 -m venv "$venv" || die "python3 -m venv $venv failed (on Debian or Ubuntu: apt-get install python3-venv)"
	"$venv/bin/python" -m pip install --disable-pip-version-check -q --only-binary=:all: -r "$requirements" ||
		die "pip install -r $requirements failed (is PyPI reachable? does every pin have a wheel for $(python3 --version)?)"
	printf '%s' "$want" >"$stamp"
}

# Builds the node (and with it the wasm runtime); prints the binary's path.
build_node() {
	cd "$AIORACLE_ROOT"
	step "building aioracle-node (cargo build; the first build takes about 30 minutes on 2 cores)"
	cargo build --locked -p aioracle-node >&2 || die "cargo build -p aioracle-node failed"
	echo "$CARGO_TARGET_DIR/debug/aioracle-node"
}

# Builds aioracle-node with the `benchmark pallet` command (cargo profile $1, default
# `release`, what production weights need), without the default `metadata-hash`: weights
# do not depend on it, and it would add wasm-builder's host dependencies. Prints its path.
build_benchmark_node() {
	local profile="${1:-release}"
	cd "$AIORACLE_ROOT"
	step "building aioracle-node --features runtime-benchmarks ($profile profile)"
	cargo build --locked --profile "$profile" -p aioracle-node --no-default-features \
		--features runtime-benchmarks >&2 ||
		die "cargo build --features runtime-benchmarks failed"
	echo "$CARGO_TARGET_DIR/$([ "$profile" = dev ] && echo debug || echo "$profile")/aioracle-node"
}

apt_install protoc protobuf-compiler
setup_rust
