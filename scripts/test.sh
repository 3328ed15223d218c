#!/usr/bin/env bash
# npm test: installs what is missing, builds native and WASM, makes the TF.js parity
# fixtures, then runs the GoogleTest suite natively and under Node, the same suite under
# ASan + UBSan, a short smoke of every fuzz harness, and the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
# Each stage's time, so a slow one shows in CI's log (the whole run should stay under 30 min).
stage_start=$start
stage() {
  local now
  now=$(date +%s)
  echo "test: (that took $(( now - stage_start ))s; $(( now - start ))s so far)"
  stage_start=$now
  echo "test: $1"
}
bash scripts/setup.sh
stage "eslint (eslint.config.mjs)"
node_modules/.bin/eslint web scripts tests bench eslint.config.mjs
stage "tsc --checkJs (jsconfig.json: the page; jsconfig.worker.json: the workers)"
node_modules/.bin/tsc -p jsconfig.json
node_modules/.bin/tsc -p jsconfig.worker.json
stage "builds: native, WASM, threaded WASM, the page"
bash scripts/build.sh all
bash scripts/build-web.sh
stage "TF.js parity fixtures (build/fixtures/parity)"
node scripts/make-parity-fixtures.mjs build/fixtures/parity
# Native first: it writes the seed checksum that the WASM run compares against.
stage "native suite"
(cd build/native && ctest --output-on-failure -j"$(nproc)")
stage "WASM suite under Node"
(cd build/wasm && NODE_PATH=/usr/share/nodejs ctest --output-on-failure -j"$(nproc)")
stage "threaded WASM suite under Node (build/wasm-threads)"
(cd build/wasm-threads && NODE_PATH=/usr/share/nodejs ctest --output-on-failure -j"$(nproc)")
stage "native suite under ASan + UBSan (build/sanitize, clang-14 -O1)"
bash scripts/build-sanitize.sh digitrain_tests
# The GoogleTest suite only: the CLI and TF.js tests drive the -O3 binary (they test its
# behaviour, not memory safety, which the fuzzers cover for the CLI's readers).
(cd build/sanitize && ctest --output-on-failure -j"$(nproc)" -E '^(cli|cli_hostile|cli_datasets|package_manifest|tfjs_roundtrip)$')
stage "fuzz smoke (regressions replayed, then ${FUZZ_SECONDS:-10} s per harness)"
bash scripts/fuzz.sh --smoke
stage "browser tests (headless Chromium against the served page)"
node --test --test-concurrency=1 tests/browser/
stage "cross-engine suite (Chromium, Firefox ESR, WebKitGTK: tests/engines)"
node --test --test-concurrency=1 tests/engines/
stage "done"
echo "test: all suites passed in $(( $(date +%s) - start ))s"
