#!/usr/bin/env bash
# Measures the WebAssembly figures of BENCHMARKS.md in one run:
#   1. the .wasm size, raw and gzipped (-9): the verifier, its --small build, with
#      scanning, with the holder side; and the region tables file that ships beside the
#      module;
#   2. verify time in Node against the native SDK (criterion, benches/node.rs), for the
#      package and its --small build;
#   3. the offline page's time from navigation to its first verdict (headless Chromium,
#      tests/page.rs).
# Needs what the tests need (see README.md). Usage: bindings/wasm/bench.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${CARGO_TARGET_DIR:-$root/target}/ikd-wasm"

"$here/build.sh" "$work/pkg" >/dev/null
"$here/build.sh" --small "$work/pkg-small" >/dev/null
"$here/build.sh" --scan "$work/pkg-scan" >/dev/null
"$here/build.sh" --holder "$work/pkg-holder" >/dev/null
size() {
  local file="$1"
  printf '%s: %s bytes raw, %s bytes gzipped\n' "$2" "$(wc -c < "$file")" "$(gzip -9c "$file" | wc -c)"
}
echo "== .wasm size"
size "$work/pkg/ikd_wasm_bg.wasm" "verifier, no scanning"
size "$work/pkg-small/ikd_wasm_bg.wasm" "verifier, no scanning, --small"
size "$work/pkg-scan/ikd_wasm_bg.wasm" "with scanning"
size "$work/pkg-holder/ikd_wasm_bg.wasm" "with the holder side"
size "$work/pkg/ikd_wilayah.bin" "region tables (ikd_wilayah.bin)"

echo "== verify in Node against native (criterion)"
cd "$root"
IKD_WASM_PKG="$work/pkg" cargo bench -p ikd-wasm --bench node 2>&1 | grep -E "time:"
echo "-- the --small build"
IKD_WASM_PKG="$work/pkg-small" cargo bench -p ikd-wasm --bench node 2>&1 | grep -E "time:"

echo "== offline page: navigation to first verdict"
cargo test -p ikd-wasm --test page -- --nocapture --test-threads=1 2>&1 | grep "navigation to first verdict"
