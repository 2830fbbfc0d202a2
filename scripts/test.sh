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
run_tests() { # run_tests PROJECT [dotnet args...]
  local project="$1" name
  shift
  name="$(basename "$project")"
  echo "== $name"
  if ! dotnet test "$project" -c Release --nologo "$@" --logger "trx;LogFileName=$name.trx" --results-directory "$results_dir" -- ${TEST_FILTER:+--filter "$TEST_FILTER"}; then
    failed_runs=$((failed_runs + 1))
  fi
}

for project in "${core_projects[@]}"; do
  run_tests "$project"
done

# The ML.NET layer (its tests also start the model-loader helper and the scoring-service sample) needs Microsoft.ML;
# MLNET_PACKAGE_SOURCE / MLNET_PACKAGE_VERSION select another ML.NET build (see mlnet_build_args in lib.sh).
mlnet_build_args
if restore_log="$(dotnet restore src/MLNet.Rewards --nologo "${MLNET_BUILD_ARGS[@]}" 2>&1)"; then
  run_tests tests/MLNet.Rewards.Tests "${MLNET_BUILD_ARGS[@]}"
else
  reason="$(grep -o 'NU1[0-9]*: [^[]*' <<<"$restore_log" | head -1)"
  NOT_RUN_NOTES+=("tests/MLNet.Rewards.Tests (the ML.NET layer and the scoring-service sample): Microsoft.ML does not restore here (${reason:-restore failed}). Set MLNET_PACKAGE_SOURCE=<feed> [MLNET_PACKAGE_VERSION=<version>] to run them against another ML.NET build.")
fi

summarize_trx "$results_dir" "$failed_runs"
