#!/usr/bin/env bash
# The dashboard in a real browser: runs the main job (the README's first command) writing its
# dashboard into test-output/dashboard/, then opens it in headless Chromium (Debian's package,
# driven by playwright-core from npm) and checks every section, the lights against the core's
# (target/dashboard-fixture/expected-lights.json, written by examples/tests/dashboard.rs during
# `cargo test`), the console, and saves a screenshot beside the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."

out=test-output/dashboard
mkdir -p "$out"
[ -f target/dashboard-fixture/expected-lights.json ] || cargo test -q --workspace --locked --features omo-mobile/bindgen --test dashboard

[ -e /usr/bin/chromium ] || bash tests/apt-install.sh chromium
(cd tests/browser && npm ci --no-audit --no-fund --silent)

# The binary of the workspace build that tests/run.sh made (same features: nothing rebuilds).
cargo test -q --workspace --locked --features omo-mobile/bindgen --no-run 2>/dev/null
NO_COLOR=1 target/debug/omo-examples --out "$out/omo-dashboard.html" > "$out/report.txt"
grep -q "Dashboard: $out/omo-dashboard.html" "$out/report.txt"
(cd tests/browser && node dashboard.test.mjs "../../$out/omo-dashboard.html" \
    ../../target/dashboard-fixture/expected-lights.json "../../$out/dashboard.png")
