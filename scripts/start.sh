#!/usr/bin/env bash
# npm start: installs what is missing, builds the trainer and the WebAssembly module,
# assembles the page (build/web) and serves it on http://127.0.0.1:8080/ (PORT=... to change).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "Installing what is missing (Debian packages, npm packages, MNIST)"
bash scripts/setup.sh
step "Building the terminal trainer and the WebAssembly module (the first build takes minutes)"
bash scripts/build.sh all
step "Assembling the page in build/web (MNIST gzipped, a default model trained)"
bash scripts/build-web.sh

step "Serving the page; open this address in a browser"
echo "(The terminal trainer is build/native/digitrain; try build/native/digitrain --help.)"
exec node scripts/serve.mjs
