#!/usr/bin/env bash
# The mobile bindings, tested from two foreign languages: builds the omo-mobile cdylib, generates
# its Kotlin, Swift and Python bindings with the workspace's uniffi-bindgen (library mode), then
# runs the Kotlin test on the JVM (kotlinc from npm, JNA from Debian) and the Python test of the
# generated module. Both read the snapshot and the core's figures that
# bindings-mobile/tests/engine.rs wrote to target/mobile-fixture/ (run by `cargo test` before).
# The Swift bindings are kept in test-output/mobile/swift; where swiftc exists they are compiled.
set -euo pipefail
cd "$(dirname "$0")/.."

out=test-output/mobile
tools=target/mobile-tools
fixture=target/mobile-fixture
mkdir -p "$out" "$tools"
[ -f "$fixture/expected.properties" ] || cargo test -q --workspace --locked --features omo-mobile/bindgen --test engine

echo "-- JNA and kotlinc"
[ -e /usr/share/java/jna.jar ] || bash tests/apt-install.sh libjna-java
if [ ! -x "$tools/kotlin/bin/kotlinc" ]; then
    (cd "$tools" && rm -rf package kotlin && npm pack -q kotlin-compiler@2.4 >/dev/null && tar xzf kotlin-compiler-*.tgz \
        && mv package kotlin && rm -f kotlin-compiler-*.tgz)
fi

echo "-- cdylib and bindings"
# The cdylib and the bindings generator, with the feature set of the workspace's `cargo test`
# (dev-dependencies included, hence --all-targets): only omo's own crates build again, not a
# second copy of the dependencies (a CI machine once ran out of disk on that copy).
cargo build -q --locked --workspace --all-targets --features omo-mobile/bindgen
lib=target/debug/libomo_mobile.so
rm -rf "$out/kotlin" "$out/python" "$out/swift"
for lang in kotlin swift python; do
    target/debug/uniffi-bindgen generate "$lib" --library --no-format --language "$lang" --out-dir "$out/$lang" >/dev/null
done

echo "-- Kotlin on the JVM (the test, and the Android-style sample so it never rots)"
"$tools/kotlin/bin/kotlinc" "$out/kotlin/omo/core/omo_core.kt" "$out/kotlin/omo/mobile/omo_mobile.kt" tests/kotlin/MobileTest.kt examples/mobile/OrderCheck.kt \
    -cp /usr/share/java/jna.jar -d "$out/kotlin-test.jar" -nowarn
java -Djna.library.path=target/debug \
    -cp "$out/kotlin-test.jar:/usr/share/java/jna.jar:$tools/kotlin/lib/kotlin-stdlib.jar" MobileTestKt "$fixture"

echo "-- Python on the generated bindings"
cp "$lib" "$out/python/"
python3 tests/mobile_python/test_mobile.py "$out/python" "$fixture"

echo "-- Swift"
if command -v swiftc >/dev/null; then
    # The core's types and the engine compile as one Swift module.
    swiftc -emit-library -module-name omo_mobile -Xcc -fmodule-map-file="$out/swift/omo_coreFFI.modulemap" \
        -Xcc -fmodule-map-file="$out/swift/omo_mobileFFI.modulemap" -L target/debug -lomo_mobile \
        "$out/swift/omo_core.swift" "$out/swift/omo_mobile.swift" -o "$out/swift/libomo_mobile_swift.so"
    echo "Swift bindings compiled"
else
    echo "no Swift toolchain here: the Swift bindings are kept in $out/swift"
fi
