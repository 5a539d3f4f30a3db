#!/usr/bin/env bash
# The accessibility browser test injects axe-core into every page. It is installed at set-up from the npm
# registry into a git-ignored folder (var/axe), never committed, and no lock file is written.
set -euo pipefail
cd "$(dirname "$0")/.."
AXE_DIR=var/axe
AXE_JS="$AXE_DIR/node_modules/axe-core/axe.min.js"
if [ -f "$AXE_JS" ]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "The accessibility browser test needs axe-core, installed with npm, and npm is missing." >&2
  echo "Install Node.js and npm (Debian: apt-get install npm), then run this again." >&2
  exit 1
fi
echo "Installing axe-core for the accessibility browser test into $AXE_DIR..."
mkdir -p "$AXE_DIR"
if ! npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix "$AXE_DIR" "axe-core@4" \
  || [ ! -f "$AXE_JS" ]; then
  echo "Could not install axe-core with npm (offline, or the registry refused): the accessibility" >&2
  echo "browser test cannot run. Fix the network or npm's registry setting and run this again." >&2
  exit 1
fi
