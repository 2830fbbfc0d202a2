#!/usr/bin/env bash
# The README's test command. Builds and runs every test project that can be built on this machine, then prints one
# closing line "tests: N passed, N failed, N skipped". Projects that cannot run here (the ML.NET layer when Microsoft.ML
# does not restore) are named with the reason; they are not counted as passed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# ONNX Runtime's native library, for the ONNX binding and the sentence-encoder tests (cached outside the repository).
bash scripts/fetch-onnxruntime.sh >/dev/null

results_dir="$(mktemp -d)"
trap 'rm -rf "$results_dir"' EXIT

core_projects=(tests/MLNet.Rewards.Core.Tests)
for extra in tests/MLNet.Rewards.Cli.Tests; do
  [ -d "$extra" ] && core_projects+=("$extra")
done

failed_runs=0
for project in "${core_projects[@]}"; do
  name="$(basename "$project")"
  echo "== $name"
  if ! dotnet test "$project" -c Release --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results_dir" -- ${TEST_FILTER:+--filter "$TEST_FILTER"}; then
    failed_runs=$((failed_runs + 1))
  fi
done

summarize_trx "$results_dir" "$failed_runs"
