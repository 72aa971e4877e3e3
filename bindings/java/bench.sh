#!/usr/bin/env bash
# The JNI overhead figures of BENCHMARKS.md, in one run: builds the release JNI library
# with its native baseline loop (feature `bench`), compiles the Java sources, and times
# Verifier.verify from Java against the same verification in the native loop.
# Usage: bindings/java/bench.sh [ROUNDS [ITERATIONS]]
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo build --release -p ikd-java --features bench
target_dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
classes="$target_dir/ikd-java-bench"
rm -rf "$classes"
mkdir -p "$classes"
javac --release 17 -d "$classes" $(find bindings/java/java/src -name '*.java')
java -Djava.library.path="$target_dir/release" -cp "$classes" id.ikd.verify.Bench \
  conformance/vectors "${1:-30}" "${2:-2000}"
