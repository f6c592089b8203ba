#!/usr/bin/env bash
# The live dashboard in a real browser: starts the live server (`omo-examples serve`) on a free
# port with a small sample company and a fresh store, waits until it listens, then opens its page
# in headless Chromium (Debian's package, driven by playwright-core from npm): every section, a
# light turned red by a posted event within a second and without a reload, the drill-down to a
# distributor's shops, a KPI's history chart, a phone's width. Screenshots stay in
# test-output/live/; the server's output beside them.
set -euo pipefail
cd "$(dirname "$0")/.."

out=test-output/live
mkdir -p "$out"
[ -e /usr/bin/chromium ] || bash tests/apt-install.sh chromium
(cd tests/browser && npm ci --no-audit --no-fund --silent)

# The binary of the workspace build that tests/run.sh made (same features: nothing rebuilds).
cargo test -q --workspace --locked --features omo-mobile/bindgen --no-run 2>/dev/null

tmp=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

token=test-token
# Port 0: the server takes a free one and says which.
target/debug/omo-examples serve --distributors 3 --retailers-per-distributor 4 --farmers 300 --years 2 \
  --store "$tmp/live.db" --token "$token" --port 0 > "$out/server.out" 2> "$out/server.err" &
server=$!

# Ready once it says where it listens (opening the store and the engine comes first).
for _ in $(seq 1 600); do
  grep -q "^listening on http://127.0.0.1:" "$out/server.out" 2>/dev/null && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "the server stopped before listening:" >&2
    cat "$out/server.err" >&2
    exit 1
  fi
  sleep 0.2
done
grep -q "^listening on http://127.0.0.1:" "$out/server.out" || { echo "the server did not listen within 120 s" >&2; exit 1; }
port=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$out/server.out")

(cd tests/browser && OMO_URL="http://127.0.0.1:$port" OMO_TOKEN="$token" node live.test.mjs "../../$out")
