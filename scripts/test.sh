#!/usr/bin/env bash
# The README's test command. Builds and runs every test project that can be built on this machine, then prints one
# closing line "tests: N passed, N failed, N skipped". A project that fails to restore or build counts as a failed run.
#
#   bash scripts/test.sh          every test
#   bash scripts/test.sh --fast   the inner loop: the tests outside the NeedsModels category (no ONNX model is loaded),
#                                 run with the shared models hidden (a folder holding only ../shared/data), so that a
#                                 test that reads a model without the category fails here instead of passing by chance
# TEST_FILTER=<MSTest filter> narrows either run (e.g. TEST_FILTER="FullyQualifiedName~Gemm").
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

fast=0
case "${1:-}" in
  --fast) fast=1 ;;
  "") ;;
  *) echo "test.sh: unknown argument '$1' (expected --fast or nothing)" >&2; exit 2 ;;
esac

results_dir="$(mktemp -d)"
trap 'rm -rf "$results_dir"' EXIT
if [ "$fast" = 1 ]; then
  shared="${MLNET_REWARDS_SHARED:-$(cd .. && pwd)/shared}"
  [ -d "$shared/data" ] || { echo "test.sh: no shared data at $shared/data (set MLNET_REWARDS_SHARED)" >&2; exit 1; }
  ln -s "$(cd "$shared/data" && pwd)" "$results_dir/data"
  export MLNET_REWARDS_SHARED="$results_dir"
  TEST_FILTER="TestCategory!=NeedsModels${TEST_FILTER:+&($TEST_FILTER)}"
fi

core_projects=(tests/MLNet.Rewards.Core.Tests)
for extra in tests/MLNet.Rewards.Cli.Tests tests/MLNet.Rewards.Experiments.Tests tests/MLNet.Rewards.Extensions.AI.Tests; do
  [ -d "$extra" ] && core_projects+=("$extra")
done

# The evidence plots' PNG text (ScottPlot via SkiaSharp) needs a TrueType font; a bare Debian has none. Installed from
# Debian apt when running as root, otherwise a clear error.
if ! find /usr/share/fonts /usr/local/share/fonts -name '*.ttf' -print -quit 2>/dev/null | grep -q .; then
  if [ "$(id -u)" = 0 ]; then apt-get update -q >/dev/null && apt-get install -y -q fonts-dejavu-core >/dev/null
  else echo "test.sh: no TrueType font found; install one (Debian: sudo apt-get install fonts-dejavu-core)" >&2; exit 1; fi
fi

failed_runs=0
run_tests() { # run_tests PROJECT [dotnet args...]
  local project="$1" name
  shift
  name="$(basename "$project")"
  echo "== $name"
  # The filter goes before any "--": after it, dotnet test would take it for a run setting and run every test.
  if ! dotnet test "$project" -c Release --nologo "$@" ${TEST_FILTER:+--filter "$TEST_FILTER"} --logger "trx;LogFileName=$name.trx" --results-directory "$results_dir"; then
    failed_runs=$((failed_runs + 1))
  fi
}

for project in "${core_projects[@]}"; do
  run_tests "$project"
done

# The ML.NET layer (its tests also start the model-loader helper and the scoring-service sample). It always runs: a
# Microsoft.ML that does not restore fails the test command. MLNET_PACKAGE_SOURCE / MLNET_PACKAGE_VERSION optionally select
# another ML.NET build (see mlnet_build_args in lib.sh).
mlnet_build_args
run_tests tests/MLNet.Rewards.Tests "${MLNET_BUILD_ARGS[@]}"

summarize_trx "$results_dir" "$failed_runs"
