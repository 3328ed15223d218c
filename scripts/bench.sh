#!/usr/bin/env bash
# npm run bench: installs what is missing (the project's and the peers' dependencies),
# builds native, WASM, the bench's own programs and the page, then runs bench/run.mjs.
# Knobs (BENCH_QUICK=1, BENCH_MODELS=..., BENCH_SKIP_PEERS=1, ...): bench/README.md.
# BENCH_SKIP_BUILD=1 runs what is already built.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's emscripten finds its own node modules only through NODE_PATH.
export NODE_PATH=/usr/share/nodejs

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  bash scripts/setup.sh
  bash scripts/build.sh all
  echo "bench: building the bench programs"
  cmake --build build/native -j"$(nproc)" --target digitrain_model_bench digitrain_gemm_bench
  cmake --build build/wasm -j"$(nproc)" --target digitrain_gemm_bench
  # The page's figures are one part of the bench: a page that does not build makes that
  # part report "unavailable", not the whole bench fail.
  if ! bash scripts/build-web.sh; then
    echo "bench: scripts/build-web.sh failed; the page figures will be unavailable" >&2
  fi
fi
if [ "${BENCH_SKIP_PEERS:-0}" != 1 ]; then
  bash bench/setup-peers.sh
fi
node bench/run.mjs
