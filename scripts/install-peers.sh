#!/usr/bin/env bash
# Installs the benchmark's peers from Debian packages for Debian's own /usr/bin/python3: PyTorch 1.13 (CPU),
# scikit-learn and NumPy. Idempotent: does nothing when all three already import. Needs root (or sudo) and apt.
# The peers are large (python3-torch pulls in a few hundred MB), so CI never calls this: the smoke benchmark runs
# our side alone when they are missing.
set -euo pipefail
python=/usr/bin/python3
# libopenblas0-pthread: without it numpy, scipy and torch fall back to the netlib reference BLAS, which is not what a
# practitioner runs; with it the peers use OpenBLAS (threadpoolctl shows which kernel).
packages=(python3-torch python3-sklearn python3-numpy python3-threadpoolctl libopenblas0-pthread)
if [ -x "$python" ] && "$python" -c 'import torch, sklearn, numpy' 2>/dev/null && [ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  echo "peers: already installed ($("$python" -c 'import torch, sklearn, numpy; print(f"torch {torch.__version__}, scikit-learn {sklearn.__version__}, numpy {numpy.__version__}")'))"
  exit 0
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
"$python" -c 'import torch, sklearn, numpy; print(f"peers: installed torch {torch.__version__}, scikit-learn {sklearn.__version__}, numpy {numpy.__version__}")'
