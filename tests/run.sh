#!/usr/bin/env bash
# Runs every test of the project: formatting and lints, then the Rust unit, property, golden and
# integration tests (which read ../shared/ in place where it exists; under CI=true they must).
# Installs what it needs; a new machine has Rust, Python 3.11, Java 17 and Node.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== rustfmt and clippy =="
rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== Rust tests =="
cargo test --workspace --locked
