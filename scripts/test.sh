#!/usr/bin/env bash
# npm test: installs what is missing, builds native and WASM, makes the TF.js parity
# fixtures, then runs the GoogleTest suite natively and under Node.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/setup.sh
echo "test: eslint (eslint.config.mjs)"
node_modules/.bin/eslint web scripts tests bench eslint.config.mjs
bash scripts/build.sh all
bash scripts/build-web.sh
echo "test: TF.js parity fixtures (build/fixtures/parity)"
node scripts/make-parity-fixtures.mjs build/fixtures/parity
# Native first: it writes the seed checksum that the WASM run compares against.
echo "test: native suite"
(cd build/native && ctest --output-on-failure -j"$(nproc)")
echo "test: WASM suite under Node"
(cd build/wasm && NODE_PATH=/usr/share/nodejs ctest --output-on-failure -j"$(nproc)")
echo "test: browser tests (headless Chromium against the served page)"
node --test --test-concurrency=1 tests/browser/
echo "test: all suites passed in $(( $(date +%s) - start ))s"
