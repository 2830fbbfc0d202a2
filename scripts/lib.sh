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

# parse_package_options SCRIPT [--version X] [--output DIR]: sets PACKAGE_VERSION (default: Version in
# Directory.Build.props) and PACKAGE_FEED (the folder feed; default artifacts/packages). Exits 2 on anything else.
parse_package_options() {
  local script="$1"
  shift
  PACKAGE_VERSION="" PACKAGE_FEED=artifacts/packages
  while [ $# -gt 0 ]; do
    case "$1" in
      --version) PACKAGE_VERSION="${2:?--version needs a value}"; shift 2 ;;
      --output) PACKAGE_FEED="${2:?--output needs a value}"; shift 2 ;;
      *) echo "usage: bash scripts/$script [--version X] [--output DIR]" >&2; exit 2 ;;
    esac
  done
  [ -n "$PACKAGE_VERSION" ] || PACKAGE_VERSION="$(dotnet msbuild src/MLNet.Rewards.Core -getProperty:Version)"
  if ! [[ "$PACKAGE_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
    echo "$script: '$PACKAGE_VERSION' is not a package version (major.minor.patch[-prerelease])" >&2; exit 2
  fi
}
