#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (Playwright drives it; it never downloads its own).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is not installed and this is not root: run 'sudo apt-get install chromium' to enable browser tests" >&2
  exit 0
fi
echo "installing Debian's chromium for the browser tests..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
