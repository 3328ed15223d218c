#!/usr/bin/env bash
# npm start: installs what is missing, builds, and shows the product working: trains the
# default tutorial model in the terminal and recognises a test digit with it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh native
mkdir -p build/models
model=build/models/mlp-128-128.json
./build/native/digitrain train --preset mlp-128-128 --epochs "${EPOCHS:-3}" --save "$model"
echo
echo "Recognising test image 0 with the model just trained:"
./build/native/digitrain predict --model "$model" 0
echo
echo "Next: ./build/native/digitrain --help  (train other presets, evaluate, predict your own PNG)"
