#!/usr/bin/env bash
# Runs every test of the project: formatting and lints, the Rust unit, property, golden and
# integration tests (which read ../shared/ in place where it exists; under CI=true they must),
# then the main job's dashboard and the live server's page in headless Chromium (tests/dashboard.sh,
# tests/live.sh) with a load run of the server, the mobile bindings
# from Kotlin and Python (tests/mobile.sh), and the Python package built as a wheel into a fresh
# virtual environment with its pytest suite.
# Installs what it needs; a new machine has Rust, Python 3.11, Java 17 and Node.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every build of the run happens once: incremental caches would only take disk.
export CARGO_INCREMENTAL=0
# The disk a stage leaves, so a machine that runs short shows where it went.
disk() { echo "-- disk: target $(du -sh target 2>/dev/null | cut -f1), free $(df -h . | awk 'NR==2 {print $4}')"; }
disk

echo "== rustfmt and clippy =="
rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

# One feature set for every build of the run (the bindings generator included), so the scripts
# below reuse these artifacts instead of rebuilding shared dependencies.
echo "== Rust tests =="
cargo test --workspace --locked --features omo-mobile/bindgen
disk

echo "== The dashboard in headless Chromium =="
bash tests/dashboard.sh

echo "== The live server: its page in headless Chromium, then a bounded load run on loopback =="
bash tests/live.sh
# A report, not a timed test: it fails only if an acknowledged event is lost or booked twice.
target/debug/serve_load --clients 50 --seconds 10

echo "== Mobile bindings: Kotlin on the JVM and Python over the generated uniffi bindings =="
bash tests/mobile.sh
disk

echo "== Python bindings: the wheel in a fresh virtual environment, then pytest =="
venv=target/python-test-venv
rm -rf "$venv" target/wheels
python3 -m venv "$venv"
# statsforecast, polars and pyarrow are the peers omo.statsforecast is tested against
# (tests/python/test_statsforecast.py); pyspark (on the machine's Java 17), ray and dask run it
# per partition (tests/python/test_scale.py).
"$venv/bin/pip" install -q --no-cache-dir --disable-pip-version-check "maturin>=1.16,<2" numpy pandas pytest tqdm distributed nbclient nbformat ipykernel matplotlib \
    "statsforecast==2.1.1" polars pyarrow pyspark ray
"$venv/bin/maturin" build --release -q -m bindings-python/Cargo.toml -o target/wheels
disk
"$venv/bin/pip" install -q --no-cache-dir --disable-pip-version-check target/wheels/omo-*.whl
(cd "$venv" && bin/python -m pytest -q ../../tests/python && bin/python -m pytest -q --doctest-modules --pyargs omo)
