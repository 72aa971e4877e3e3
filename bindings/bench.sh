#!/usr/bin/env bash
# The bindings' overhead against the native SDK, in one run (BENCHMARKS.md): criterion
# times the Rust SDK and the C interface (bindings/c/benches/ffi.rs), then the Python
# wheel, built in release mode into its own venv, is timed on the same inputs and the
# ratios are printed. Needs python3 and PyPI (maturin).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo bench -p ikd-c --bench ffi

venv=target/bench-venv
rm -rf "$venv" target/bench-wheels
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.5,<2"
"$venv/bin/maturin" build --quiet --release --manifest-path bindings/python/Cargo.toml \
  --interpreter "$venv/bin/python" --out target/bench-wheels
"$venv/bin/pip" install --quiet --disable-pip-version-check target/bench-wheels/*.whl
"$venv/bin/python" bindings/python/bench/verify_overhead.py --criterion target/criterion
