#!/usr/bin/env bash
# Installs Debian packages for the tests (as root, or through sudo), refreshing the package
# lists once if the first attempt cannot find them: bash tests/apt-install.sh chromium libjna-java
set -euo pipefail
run() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
run apt-get install -y -q "$@" >/dev/null 2>&1 || { run apt-get update -q >/dev/null && run apt-get install -y -q "$@" >/dev/null; }
