#!/usr/bin/env bash
# Helpers shared by the repository's scripts.

# summarize_trx DIR FAILED_RUNS: adds up the outcome counters of every .trx file in DIR and prints the closing line.
# Exits non-zero when a test failed or a test run failed to start.
summarize_trx() {
  local dir="$1" failed_runs="$2" passed=0 failed=0 skipped=0 p f s
  for trx in "$dir"/*.trx; do
    [ -f "$trx" ] || continue
    p=$(grep -o 'passed="[0-9]*"' "$trx" | head -1 | grep -o '[0-9]*' || echo 0)
    f=$(grep -o 'failed="[0-9]*"' "$trx" | head -1 | grep -o '[0-9]*' || echo 0)
    s=$(grep -o 'notExecuted="[0-9]*"' "$trx" | head -1 | grep -o '[0-9]*' || echo 0)
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  done
  echo
  for note in "${NOT_RUN_NOTES[@]:-}"; do [ -n "$note" ] && echo "not run: $note"; done
  echo "tests: $passed passed, $failed failed, $skipped skipped"
  if [ "$failed" -gt 0 ] || [ "$failed_runs" -gt 0 ] || [ "$passed" -eq 0 ]; then
    return 1
  fi
}

# mlnet_build_args: sets the array MLNET_BUILD_ARGS to the dotnet arguments that select the ML.NET build for the ML.NET
# layer: MLNET_PACKAGE_SOURCE (an extra NuGet feed, folder or URL) and MLNET_PACKAGE_VERSION (the Microsoft.ML version;
# default: the nuget.org release in Directory.Build.props).
mlnet_build_args() {
  MLNET_BUILD_ARGS=()
  if [ -n "${MLNET_PACKAGE_SOURCE:-}" ]; then MLNET_BUILD_ARGS+=("-p:RestoreAdditionalProjectSources=$MLNET_PACKAGE_SOURCE"); fi
  if [ -n "${MLNET_PACKAGE_VERSION:-}" ]; then MLNET_BUILD_ARGS+=("-p:MicrosoftMLVersion=$MLNET_PACKAGE_VERSION"); fi
}

# The projects that are NuGet packages (scripts/pack.sh); their folder names are their package ids.
PACKAGE_PROJECTS=(src/MLNet.Rewards.Core src/MLNet.Rewards src/MLNet.Rewards.Extensions.AI src/MLNet.Rewards.Cli)

# default_package_version: prints the package version that Directory.Build.props sets.
default_package_version() {
  dotnet msbuild src/MLNet.Rewards.Core -getProperty:Version
}
