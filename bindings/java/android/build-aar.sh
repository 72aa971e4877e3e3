#!/usr/bin/env bash
# Builds the Android library (AAR) of the Java binding: the JNI library for arm64-v8a,
# armeabi-v7a and x86_64 with cargo-ndk, the Java classes (Java 8 bytecode, which the
# Android build's D8 dexes), packed as an AAR. Minimum API level 24 (Android 7).
#
# Needs: the Android NDK (ANDROID_NDK_HOME, r25 or later), cargo-ndk
# (`cargo install cargo-ndk`), the Rust targets
# (`rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android`),
# a JDK 17 (javac, jar), zip, and android.jar of any platform >= 24 (ANDROID_JAR, for
# example $ANDROID_HOME/platforms/android-34/android.jar) to compile against.
#
# Usage: bindings/java/android/build-aar.sh [OUT_DIR]   (default target/android)
set -euo pipefail
cd "$(dirname "$0")/../../.."

MIN_API=24
OUT="${1:-target/android}"
: "${ANDROID_NDK_HOME:?set ANDROID_NDK_HOME to the Android NDK}"
: "${ANDROID_JAR:?set ANDROID_JAR to a platform android.jar (API >= ${MIN_API})}"
command -v cargo-ndk >/dev/null || { echo "cargo-ndk is missing: cargo install cargo-ndk" >&2; exit 1; }

rm -rf "$OUT/aar" "$OUT/classes"
mkdir -p "$OUT/aar/jni" "$OUT/classes"

# 1. The JNI library, one per ABI, into jni/<abi>/libikd_java.so (stripped by the release
#    profile's settings of the integrator's choice; cargo-ndk picks the NDK's linker for
#    the platform level given).
cargo ndk --platform "$MIN_API" \
  -t arm64-v8a -t armeabi-v7a -t x86_64 \
  -o "$OUT/aar/jni" \
  build --release -p ikd-java

# 2. The Java classes, against android.jar (so that nothing beyond the platform is used).
javac --release 8 -cp "$ANDROID_JAR" -d "$OUT/classes" \
  $(find bindings/java/java/src/main/java -name '*.java')
jar --create --file "$OUT/aar/classes.jar" -C "$OUT/classes" .

# 3. The AAR: a zip of AndroidManifest.xml, classes.jar and jni/<abi>/*.so.
cat > "$OUT/aar/AndroidManifest.xml" <<MANIFEST
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="id.ikd.verify">
    <uses-sdk android:minSdkVersion="${MIN_API}" />
</manifest>
MANIFEST
# R8/ProGuard in the app must keep the native methods' names and the exception the native
# library constructs by name; an AAR's proguard.txt applies to the app that uses it.
cat > "$OUT/aar/proguard.txt" <<'RULES'
-keepclasseswithmembernames class id.ikd.verify.** { native <methods>; }
-keep class id.ikd.verify.IkdException { <init>(java.lang.String, java.lang.String); }
RULES
(cd "$OUT/aar" && rm -f ../ikd-verify.aar && zip -qr ../ikd-verify.aar AndroidManifest.xml classes.jar proguard.txt jni)
echo "built $OUT/ikd-verify.aar"
unzip -l "$OUT/ikd-verify.aar"
