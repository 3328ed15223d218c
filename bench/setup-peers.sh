#!/usr/bin/env bash
# Installs what the peers need, outside the repository: the TF.js harness's npm packages and
# MNIST copy in /tmp/peerbench (the peers' own setup.sh), Debian's python3-torch, and
# OpenBLAS for PyTorch (without it torch runs on reference BLAS, ~10x slower: not the peer
# a user would meet). Idempotent; does nothing when ../shared/peers does not exist.
#   bash bench/setup-peers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS="${BENCH_PEERS_DIR:-../shared/peers}"
if [ ! -d "$PEERS" ]; then
  echo "setup-peers: $PEERS does not exist; the bench will run Digitrain alone"
  exit 0
fi

bash "$PEERS/setup.sh"
# jax-js (issue 19): its pinned npm package beside TF.js' (jaxjs/setup.sh).
if [ -f "$PEERS/jaxjs/setup.sh" ] && [ ! -d "${PEERBENCH_DIR:-/tmp/peerbench}/node_modules/@jax-js/jax" ]; then
  bash "$PEERS/jaxjs/setup.sh"
fi

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
apt_install() {
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "$@"
}
if ! /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
  echo "setup-peers: installing Debian's python3-torch (the PyTorch peer)"
  apt_install python3-torch python3-numpy
fi
OPENBLAS=/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3
if [ ! -f "$OPENBLAS" ]; then
  echo "setup-peers: installing libopenblas0-pthread (PyTorch's BLAS for the bench)"
  apt_install libopenblas0-pthread
  # The bench selects OpenBLAS per process (LD_LIBRARY_PATH); the system default stays the
  # reference BLAS it was, so nothing else on the machine changes behaviour.
  for lib in blas lapack; do
    ref=/usr/lib/x86_64-linux-gnu/$lib/lib$lib.so.3
    [ -f "$ref" ] && $SUDO update-alternatives --set "lib$lib.so.3-x86_64-linux-gnu" "$ref" || true
  done
fi
echo "setup-peers: ready (torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'))"
