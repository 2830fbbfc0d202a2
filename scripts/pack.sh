#!/usr/bin/env bash
# Packs the NuGet packages into a folder feed: the libraries MLNet.Rewards.Core, MLNet.Rewards (the ML.NET layer) and
# MLNet.Rewards.Extensions.AI, and the .NET tool MLNet.Rewards.Cli (command mlnet-rewards), each with its .snupkg.
# Usage: bash scripts/pack.sh [--version X] [--output DIR]
#   --version  package version (default: Version in Directory.Build.props)
#   --output   the folder feed (default: artifacts/packages, gitignored)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

parse_package_options pack.sh "$@"
version="$PACKAGE_VERSION" output="$PACKAGE_FEED"

mkdir -p "$output"
for project in "${PACKAGE_PROJECTS[@]}"; do
  echo "== pack $project $version"
  dotnet pack "$project" -c Release --nologo -v quiet -o "$output" -p:Version="$version"
done
ls -l "$output"/*."$version".nupkg "$output"/*."$version".snupkg
