#!/usr/bin/env bash
# Builds the npm package of the IKD SDK into OUT_DIR (default: target/ikd-wasm/pkg).
#
#   bindings/wasm/build.sh [--scan] [--target web|no-modules] [OUT_DIR]
#
# --scan adds scanRgba (QR codes from ImageData). --target web (the default) is the npm
# package: ES modules, TypeScript types, Node's entry point. --target no-modules is a
# classic script, for pages opened from disk (file://), where browsers refuse modules.
# Needs: rustup target wasm32-unknown-unknown, and wasm-bindgen-cli at the version of the
# wasm-bindgen crate in Cargo.lock (.ci/run installs both).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
features=()
target=web
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --scan) features=(--features scan); shift ;;
    --target) target="$2"; shift 2 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) out="$1"; shift ;;
  esac
done
target_dir="${CARGO_TARGET_DIR:-$root/target}"
out="${out:-$target_dir/ikd-wasm/pkg}"

want="$(grep -A1 '^name = "wasm-bindgen"$' "$root/Cargo.lock" | sed -n 's/^version = "\(.*\)"$/\1/p')"
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" || true
if [ "$have" != "$want" ]; then
  echo "wasm-bindgen-cli $want is needed (found: ${have:-none}):" >&2
  echo "  cargo install wasm-bindgen-cli --version $want --locked" >&2
  exit 1
fi

cd "$root"
cargo build --quiet -p ikd-wasm --target wasm32-unknown-unknown --profile wasm "${features[@]}"
mkdir -p "$out"
wasm-bindgen --target "$target" --out-dir "$out" --out-name ikd_wasm \
  "$target_dir/wasm32-unknown-unknown/wasm/ikd_wasm.wasm"
if [ "$target" = web ]; then
  cp bindings/wasm/npm/package.json bindings/wasm/npm/node.js bindings/wasm/npm/node.d.ts \
    bindings/wasm/README.md "$out/"
fi
echo "$out"
