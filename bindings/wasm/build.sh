#!/usr/bin/env bash
# Builds the npm package of the IKD SDK into OUT_DIR (default: target/ikd-wasm/pkg).
#
#   bindings/wasm/build.sh [--scan] [--holder] [--small] [--target web|no-modules] [OUT_DIR]
#
# Without options it is the verifier. --scan adds scanRgba (QR codes from ImageData).
# --holder adds the holder side, DeviceKey and present (a web wallet's build); the verifier
# leaves it out, being smaller without the signing code. --small builds with opt-level "s": a
# smaller module that verifies more slowly (BENCHMARKS.md). --target web (the default) is the npm
# package: ES modules, TypeScript types, Node's entry point. --target no-modules is a
# classic script, for pages opened from disk (file://), where browsers refuse modules.
# The module is then shrunk with wasm-opt (binaryen, from `npm ci` in bindings/wasm), and
# the region tables it does not hold are written beside it as ikd_wilayah.bin.
# Needs: rustup target wasm32-unknown-unknown, wasm-bindgen-cli at the version of the
# wasm-bindgen crate in Cargo.lock, and `npm ci` in bindings/wasm (.ci/run does all three).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
features=()
target=web
profile=wasm
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --scan) features+=(scan); shift ;;
    --holder) features+=(holder); shift ;;
    --small) profile=wasm-small; shift ;;
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

wasm_opt="$root/bindings/wasm/node_modules/.bin/wasm-opt"
if [ ! -x "$wasm_opt" ]; then
  echo "wasm-opt is needed: (cd bindings/wasm && npm ci)" >&2
  exit 1
fi

cd "$root"
messages="$(mktemp)"
trap 'rm -f "$messages"' EXIT
cargo build --quiet -p ikd-wasm --target wasm32-unknown-unknown --profile "$profile" \
  --features "$(IFS=,; echo "${features[*]}")" \
  --message-format=json-render-diagnostics > "$messages"
# The packed region tables are an output of the SDK's build script in this very build.
tables="$(node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
  for (const line of lines) {
    if (!line) continue;
    const m = JSON.parse(line);
    if (m.reason === "build-script-executed" && /[#/]ikd-sdk@/.test(m.package_id)) console.log(m.out_dir);
  }' "$messages")/wilayah.bin"
if [ ! -f "$tables" ]; then
  echo "the SDK's build did not report its packed region tables (wilayah.bin)" >&2
  exit 1
fi
mkdir -p "$out"
wasm-bindgen --target "$target" --out-dir "$out" --out-name ikd_wasm \
  "$target_dir/wasm32-unknown-unknown/$profile/ikd_wasm.wasm"
# -Oz: the smallest code, measured against its speed in BENCHMARKS.md. Functions that differ
# only in constants are merged first (the generic code's copies), which -Oz alone does not
# do. Debug names and the producers section go; the features are those Rust enables for
# wasm32 by default.
"$wasm_opt" --merge-similar-functions -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-multivalue --enable-reference-types \
  "$out/ikd_wasm_bg.wasm" -o "$out/ikd_wasm_bg.wasm"
cp "$tables" "$out/ikd_wilayah.bin"
if [ "$target" = web ]; then
  cp bindings/wasm/npm/package.json bindings/wasm/npm/node.js bindings/wasm/npm/node.d.ts \
    bindings/wasm/README.md "$out/"
fi
echo "$out"
