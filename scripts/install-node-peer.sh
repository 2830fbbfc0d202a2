#!/usr/bin/env bash
# Installs the Node.js peer of docs/generation-speed.md (npm's onnxruntime-node, pinned with its lock file in
# scripts/peers/) into a cache outside the repository and prints the folder. Idempotent: when the cache already holds
# the same package.json and lock file and the package is present, it only prints the folder.
# Scripts are not run (--ignore-scripts): onnxruntime-node's postinstall only downloads GPU providers; the CPU binding
# and libonnxruntime.so.1 are in the package itself. Needs node and npm (and the npm registry on the first run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
peer="${MLNET_REWARDS_NODE_PEER:-${XDG_CACHE_HOME:-$HOME/.cache}/mlnet-rewards/node-peer}"
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "install-node-peer: $tool is needed for the Node.js peer" >&2; exit 1; }
done
if [ -f "$peer/node_modules/onnxruntime-node/package.json" ] \
  && cmp -s "$here/peers/package.json" "$peer/package.json" && cmp -s "$here/peers/package-lock.json" "$peer/package-lock.json"; then
  echo "$peer"
  exit 0
fi
mkdir -p "$peer"
cp "$here/peers/package.json" "$here/peers/package-lock.json" "$peer/"
(cd "$peer" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
echo "$peer"
