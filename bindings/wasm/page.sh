#!/usr/bin/env bash
# Builds the offline verifier page: a static folder (HTML, CSS, classic scripts, the
# WebAssembly module and the region tables inlined as Base64) that verifies QR codes with no server and no
# network, opened from disk or from any static web server.
#
#   bindings/wasm/page.sh [--trust DIR] [OUT_DIR]     (default: target/ikd-wasm/offline-verifier)
#
# --trust DIR writes trust-data.js beside the page from the files in DIR (a trust store
# .json, or trust-list.cwt with the roots' .json and status list files), so that the page
# loads them at start; without it the operator loads them from the page.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
trust=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --trust) trust="$2"; shift 2 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) out="$1"; shift ;;
  esac
done
out="${out:-${CARGO_TARGET_DIR:-$root/target}/ikd-wasm/offline-verifier}"
rm -rf "$out"
mkdir -p "$out"
"$here/build.sh" --scan --target no-modules "$out" >/dev/null
# Browsers do not fetch a .wasm from file://; the module travels inside a classic script.
{ printf 'self.IKD_WASM_BASE64 = "'; base64 -w0 "$out/ikd_wasm_bg.wasm"; printf '";\n'; } > "$out/ikd_wasm_module.js"
# The region tables likewise (the module does not hold them).
{ printf 'self.IKD_WILAYAH_BASE64 = "'; base64 -w0 "$out/ikd_wilayah.bin"; printf '";\n'; } > "$out/ikd_wilayah.js"
rm -f "$out"/ikd_wasm_bg.wasm "$out"/ikd_wilayah.bin "$out"/*.d.ts
cp "$here/page/index.html" "$here/page/offline.js" "$here/page/offline.css" "$out/"
# The counter page's stylesheet and verdict layout script: the same verdict layout.
cp "$root/verifier-service/assets/counter/app.css" "$root/verifier-service/assets/counter/verdict.js" "$out/"
if [ -n "$trust" ]; then
  {
    printf 'self.IKD_TRUST_DATA = { files: [\n'
    for file in "$trust"/*; do
      [ -f "$file" ] || continue
      printf '  { name: "%s", base64: "' "$(basename "$file")"
      base64 -w0 "$file"
      printf '" },\n'
    done
    printf '] };\n'
  } > "$out/trust-data.js"
fi
echo "$out"
