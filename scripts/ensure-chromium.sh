#!/usr/bin/env bash
# Browser tests drive Debian's Chromium. Install it when missing and we are allowed to (root with apt).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "CI needs /usr/bin/chromium for the browser tests and cannot install it here." >&2
  exit 1
fi
echo "No /usr/bin/chromium: browser tests will be skipped (install Debian's chromium to run them)." >&2
