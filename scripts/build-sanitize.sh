#!/usr/bin/env bash
# Builds the sanitizer tree, build/sanitize: the core, the native tests and the fuzz
# harnesses with clang-14, AddressSanitizer and UndefinedBehaviorSanitizer, at -O1 (a third
# of -O3's build time; the sanitizers' checks dominate the run time either way).
#   scripts/build-sanitize.sh [TARGET...]   (default: digitrain_tests fuzzers)
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("${@:-digitrain_tests}")
[ $# -eq 0 ] && targets=(digitrain_tests fuzzers)
CC=clang-14 CXX=clang++-14 cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g -DNDEBUG" -DDIGITRAIN_SANITIZE=ON >/dev/null
for target in "${targets[@]}"; do
  cmake --build build/sanitize --target "$target" -j"$(nproc)"
done
