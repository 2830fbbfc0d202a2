#!/usr/bin/env bash
# The README's test command. Builds and runs every test project that can be built on this machine, then prints one
# closing line "tests: N passed, N failed, N skipped". A project that fails to restore or build counts as a failed run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

results_dir="$(mktemp -d)"
trap 'rm -rf "$results_dir"' EXIT

core_projects=(tests/MLNet.Rewards.Core.Tests)
for extra in tests/MLNet.Rewards.Cli.Tests tests/MLNet.Rewards.Extensions.AI.Tests; do
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
  if ! dotnet test "$project" -c Release --nologo "$@" --logger "trx;LogFileName=$name.trx" --results-directory "$results_dir" -- ${TEST_FILTER:+--filter "$TEST_FILTER"}; then
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
