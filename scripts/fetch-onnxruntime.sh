#!/usr/bin/env bash
# Fetches ONNX Runtime's Linux x64 native library into a cache outside the source tree and prints its path.
# The library ships inside npm's onnxruntime-node package; a plain `npm install` of it runs a postinstall that needs the
# network, so the package is `npm pack`ed in a temporary folder and only the one shared library is extracted.
# Idempotent: when the library is already in the cache it only prints the path.
set -euo pipefail
version="${MLNET_REWARDS_ONNXRUNTIME_VERSION:-1.30.0}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mlnet-rewards/onnxruntime/$version"
library="$cache/libonnxruntime.so.1"
if [ -s "$library" ]; then
  echo "$library"
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-onnxruntime: npm is needed to fetch onnxruntime-node@$version (or set MLNET_REWARDS_ONNXRUNTIME to a libonnxruntime.so)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "onnxruntime-node@$version" >/dev/null)
tar -xzf "$work"/onnxruntime-node-*.tgz -C "$work" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
mkdir -p "$cache"
# Copy then rename, so an interrupted run never leaves a truncated library in the cache.
cp "$work/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$library.tmp.$$"
mv "$library.tmp.$$" "$library"
echo "$library"
