#!/usr/bin/env bash
# Builds the native tree (tests, terminal trainer) into build/native and the WASM tree
# (the same core and tests, for Node) into build/wasm. wasm-threads builds the threaded
# module (digitrain-threads.*, -pthread) and its tests into build/wasm-threads; `all`
# includes it (docs/toolchain.md "Threads").
#   scripts/build.sh [native|wasm|wasm-threads|all]   (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
jobs="$(nproc)"
# Debian's emscripten finds its own node modules (acorn, ...) only through NODE_PATH.
export NODE_PATH=/usr/share/nodejs

if [ "$what" = all ] || [ "$what" = native ]; then
  echo "build: native (build/native)"
  cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/native -j"$jobs"
fi
if [ "$what" = all ] || [ "$what" = wasm ]; then
  echo "build: WebAssembly (build/wasm)"
  # Node 20 rejects the flag emcmake's default test runner passes, so name the runner.
  emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node;--no-experimental-fetch" >/dev/null
  cmake --build build/wasm -j"$jobs"
fi
if [ "$what" = all ] || [ "$what" = wasm-threads ]; then
  echo "build: WebAssembly with threads (build/wasm-threads)"
  emcmake cmake -S . -B build/wasm-threads -DCMAKE_BUILD_TYPE=Release -DDIGITRAIN_WASM_THREADS=ON \
    "-DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node;--no-experimental-fetch" >/dev/null
  # Only the module and the tests: the formats module is the default build's.
  cmake --build build/wasm-threads -j"$jobs" --target digitrain_module digitrain_tests
fi
