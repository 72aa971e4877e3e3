#!/usr/bin/env bash
# Measures the WebAssembly figures of BENCHMARKS.md in one run:
#   1. the .wasm size, raw and gzipped (-9), without and with scanning;
#   2. verify time in Node against the native SDK (criterion, benches/node.rs);
#   3. the offline page's time from navigation to its first verdict (headless Chromium,
#      tests/page.rs).
# Needs what the tests need (see README.md). Usage: bindings/wasm/bench.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${CARGO_TARGET_DIR:-$root/target}/ikd-wasm"

"$here/build.sh" "$work/pkg" >/dev/null
"$here/build.sh" --scan "$work/pkg-scan" >/dev/null
size() {
  local file="$1/ikd_wasm_bg.wasm"
  printf '%s: %s bytes raw, %s bytes gzipped\n' "$2" "$(wc -c < "$file")" "$(gzip -9c "$file" | wc -c)"
}
echo "== .wasm size"
size "$work/pkg" "verifier, no scanning"
size "$work/pkg-scan" "with scanning"

echo "== verify in Node against native (criterion)"
cd "$root"
IKD_WASM_PKG="$work/pkg" cargo bench -p ikd-wasm --bench node 2>&1 | grep -E "^verify_kk4|time:"

echo "== offline page: navigation to first verdict"
cargo test -p ikd-wasm --test page -- --nocapture 2>&1 | grep "navigation to first verdict"
