#!/usr/bin/env bash
# Assembles
#   dist/       what a teacher copies to any static host: the widgets (digitrain.js and the
#               modules it imports), the worker, the WASM modules (the trainer, and the
#               TF.js converter it fetches on demand), the styles, MNIST
#               as .gz IDX files, and the example page embed.html;
#   build/web/  the demo page served by npm start: dist/ plus index.html, app.js and a
#               default model.
# Run after scripts/build.sh all (it needs build/native/digitrain and build/wasm/digitrain.*).
#   scripts/build-web.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/web

modules=(build/wasm/digitrain.mjs build/wasm/digitrain.wasm build/wasm/digitrain-formats.mjs build/wasm/digitrain-formats.wasm)
for f in "${modules[@]}"; do
  [ -f "$f" ] || { echo "build-web: $f is missing; run scripts/build.sh wasm first" >&2; exit 1; }
done
[ -x build/native/digitrain ] || {
  echo "build-web: build/native/digitrain is missing; run scripts/build.sh native first" >&2; exit 1; }

# The page part is rebuilt from scratch each time so a file deleted from web/ does not
# linger; data/ and models/ are kept because they are slow to make and rarely change.
mkdir -p "$out"
find "$out" -mindepth 1 -maxdepth 1 ! -name data ! -name models -exec rm -rf {} +
if [ -d web ] && [ -n "$(ls -A web)" ]; then
  cp -R web/. "$out/"
else
  echo "build-web: web/ is empty; the page itself is not written yet" >&2
fi
cp "${modules[@]}" "$out/"
# The threaded build (scripts/build.sh wasm-threads), used by the worker only on a cross-origin
# isolated page with more than one core (README "Threads"). Without it the page runs on one
# thread everywhere.
threaded=(build/wasm-threads/digitrain-threads.mjs build/wasm-threads/digitrain-threads.wasm
  build/wasm-threads/digitrain-threads.worker.js)
if [ -f "${threaded[0]}" ] && [ -f "${threaded[1]}" ] && [ -f "${threaded[2]}" ]; then
  cp "${threaded[@]}" "$out/"
else
  echo "build-web: no threaded build in build/wasm-threads (scripts/build.sh wasm-threads); one thread only" >&2
fi

# Page weight: what is served (build/web and so dist/) is bundled and minified by esbuild,
# while web/ stays plain, readable ES modules. Three bundles, one per way in: digitrain.js
# (the widgets, for any page), worker.js (the training worker with the module's glue) and
# the demo page's app.js (which loads digitrain.js as any host page does). One bundle per
# way in is ~10 KB gzip lighter than 35 modules minified one by one, and fewer requests.
# The TF.js converter stays a file of its own: the worker imports it only when needed.
# The targets are the supported browsers (README), so no syntax newer than theirs appears.
esbuild="$PWD/node_modules/.bin/esbuild"
[ -x "$esbuild" ] || { echo "build-web: node_modules/.bin/esbuild is missing; run scripts/setup.sh first" >&2; exit 1; }
minify=(--minify --target=chrome95,firefox100,safari16.4 --allow-overwrite --log-level=warning)
bundle=(--bundle --format=esm "${minify[@]}")
(
  cd "$out"
  "$esbuild" digitrain.js --outfile=digitrain.js "${bundle[@]}"
  # The worker's import() of the converter names its URL at run time, so esbuild leaves it be.
  "$esbuild" worker.js --outfile=worker.js "${bundle[@]}"
  "$esbuild" app.js --outfile=app.js --external:./digitrain.js "${bundle[@]}"
  # frame.html's script (the widget in an iframe, driven by postMessage), for dist/ too.
  "$esbuild" frame.js --outfile=frame.js --external:./digitrain.js "${bundle[@]}"
  "$esbuild" digitrain-formats.mjs --outfile=digitrain-formats.mjs "${minify[@]}"
  # Not bundled: its import.meta.url locates its .wasm and the pthread workers' script, which
  # imports it again by name.
  if [ -f digitrain-threads.mjs ]; then
    "$esbuild" digitrain-threads.mjs --outfile=digitrain-threads.mjs "${minify[@]}"
    "$esbuild" digitrain-threads.worker.js --outfile=digitrain-threads.worker.js "${minify[@]}"
  fi
  "$esbuild" $(find . -name '*.css') --outdir=. --outbase=. "${minify[@]}"
  # What the bundles took in is not served on its own.
  find . -name '*.js' ! -name digitrain.js ! -name worker.js ! -name app.js ! -name frame.js ! -name sw.js \
    ! -name digitrain-threads.worker.js -delete
  rm -f digitrain.mjs
  find . -type d -empty -delete
)

# MNIST, gzipped: about 11 MB instead of 55 MB; the page gunzips with DecompressionStream.
# -n leaves the name and time out of the header, so the same input gives the same bytes.
mkdir -p "$out/data"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  src="data/mnist/$f" dst="$out/data/$f.gz"
  [ -f "$src" ] || { echo "build-web: $src is missing; run scripts/setup.sh first" >&2; exit 1; }
  if [ ! -f "$dst" ] || [ "$src" -nt "$dst" ]; then
    echo "build-web: gzip $src -> $dst"
    gzip -9 -n -c "$src" > "$dst.tmp" && mv "$dst.tmp" "$dst"
  fi
done

# Fashion-MNIST as Debian's dataset-fashion-mnist ships it: the four original gzip IDX files
# (MIT licence, Zalando SE), beside MNIST. Not in the npm package (package.json's `files`):
# a teacher who wants it copies dist/ from a build.
fashion_src=/usr/share/datasets/fashion-mnist
mkdir -p "$out/data/fashion-mnist"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  src="$fashion_src/$f.gz" dst="$out/data/fashion-mnist/$f.gz"
  [ -f "$src" ] || { echo "build-web: $src is missing: apt-get install dataset-fashion-mnist (scripts/setup.sh)" >&2; exit 1; }
  [ -f "$dst" ] && [ ! "$src" -nt "$dst" ] || cp "$src" "$dst"
done

# A default model, so a first visitor can draw a digit at once: a small MLP (784-64-10,
# scripts/default-model.json) whose weights are rounded to 4 mantissa bits, so it ships in
# under 100 KB of gzip (mlp-128-128 as plain float32 JSON was 633 KB, ~470 KB gzip) and
# still reads >= 97 % of the test set (checked here: a weaker one fails the build). Trained
# into a temporary file: an interrupted run (Ctrl-C still saves) must not leave a
# half-trained default.
mkdir -p "$out/models"
model="$out/models/default.json"
if [ ! -f "$model" ] || [ build/native/digitrain -nt "$model" ] || [ scripts/default-model.json -nt "$model" ] ||
   [ scripts/round-weights.mjs -nt "$model" ]; then
  echo "build-web: training the default model (784-64-10, 8 epochs, weights rounded) -> $model"
  build/native/digitrain train --model-spec scripts/default-model.json --save "$model.float.tmp"
  node scripts/round-weights.mjs "$model.float.tmp" 4 "$model.tmp"
  rm -f "$model.float.tmp"
  accuracy=$(build/native/digitrain evaluate --model "$model.tmp" | sed -n 's/.*test_accuracy: //p')
  if ! awk -v a="$accuracy" 'BEGIN { exit !(a >= 0.97) }'; then
    echo "build-web: the default model reads only $accuracy of the test set (< 0.97)" >&2
    exit 1
  fi
  mv "$model.tmp" "$model"
  echo "build-web: default model: test accuracy $accuracy, $(gzip -9 -c "$model" | wc -c) bytes gzipped"
fi

# dist/: build/web without what only the demo page uses. Rebuilt from scratch but for data/.
dist=dist
mkdir -p "$dist/data"
find "$dist" -mindepth 1 -maxdepth 1 ! -name data -exec rm -rf {} +
(cd "$out" && find . -type f ! -path './data/*' ! -path './models/*' ! -name index.html ! -name app.js -print0) |
  while IFS= read -r -d '' f; do mkdir -p "$dist/$(dirname "$f")" && cp "$out/$f" "$dist/$f"; done
cp -u "$out"/data/*.gz "$dist/data/"
mkdir -p "$dist/data/fashion-mnist"
cp -u "$out"/data/fashion-mnist/*.gz "$dist/data/fashion-mnist/"
# The offline copy (sw.js): each folder's worker lists that folder's own files.
# The threaded build is left out: precaching it would make every visit fetch both builds,
# and pages that are not isolated must never request it. Offline, the worker falls back to
# one thread.
node scripts/lib/write-precache.mjs "$out" embed. frame. digitrain-threads.
cp web/sw.js "$dist/sw.js"
node scripts/lib/write-precache.mjs "$dist" digitrain-threads.
# Sizes as gzip would send them: "<bytes> <files>" for the files under $1 that the find
# tests after it let through.
gzipped_size() {
  local dir=$1 bytes=0 files=0 f
  shift
  while IFS= read -r -d '' f; do
    bytes=$(( bytes + $(gzip -9 -c "$f" | wc -c) )) files=$(( files + 1 ))
  done < <(find "$dir" -type f "$@" -print0)
  echo "$bytes $files"
}

read -r dist_bytes _ < <(gzipped_size "$dist" ! -path "$dist/data/*")
echo "build-web: dist/ (the embeddable widget): $dist_bytes bytes gzipped without MNIST; with MNIST $(du -sh "$dist" | cut -f1)"

# Page weight: what a visitor downloads before MNIST and the model (bench/page-figures.mjs
# measures what the page really fetches); the TF.js converter only when it is used, and the
# embedding example (embed.*) and the iframe page (frame.*) never.
read -r bytes files < <(gzipped_size "$out" ! -path "$out/data/*" ! -path "$out/models/*" ! -name 'digitrain-formats.*' \
  ! -name 'embed.*' ! -name 'frame.*' ! -name 'digitrain-threads.*')
read -r formats_bytes _ < <(gzipped_size "$out" -name 'digitrain-formats.*')
echo "build-web: page weight without MNIST and the model: $bytes bytes gzipped ($files files;" \
     "the default model adds $(gzip -9 -c "$model" | wc -c); opening or saving a TF.js model" \
     "fetches $formats_bytes more)"
