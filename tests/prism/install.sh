#!/usr/bin/env sh
# Installs the pinned Prism mock server (see package.json / package-lock.json) used by
# tests/tests/contract_prism.rs. Does nothing when it is already installed.
set -eu
cd "$(dirname "$0")"
if [ -x node_modules/.bin/prism ]; then
    echo "prism already installed: $(pwd)/node_modules/.bin/prism"
    exit 0
fi
npm ci --no-audit --no-fund
test -x node_modules/.bin/prism
echo "prism installed: $(pwd)/node_modules/.bin/prism"
