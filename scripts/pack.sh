#!/usr/bin/env bash
# Packs the NuGet packages into a folder feed: the libraries MLNet.Rewards.Core, MLNet.Rewards (the ML.NET layer) and
# MLNet.Rewards.Extensions.AI, and the .NET tool MLNet.Rewards.Cli (command mlnet-rewards), each with its .snupkg.
# Usage: bash scripts/pack.sh [--version X] [--output DIR]
#   --version  package version (default: Version in Directory.Build.props)
#   --output   the folder feed (default: artifacts/packages, gitignored)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

version="" output=artifacts/packages
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version="${2:?--version needs a value}"; shift 2 ;;
    --output) output="${2:?--output needs a value}"; shift 2 ;;
    *) echo "usage: bash scripts/pack.sh [--version X] [--output DIR]" >&2; exit 2 ;;
  esac
done
[ -n "$version" ] || version="$(default_package_version)"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "pack.sh: '$version' is not a package version (major.minor.patch[-prerelease])" >&2; exit 2
fi

mkdir -p "$output"
for project in "${PACKAGE_PROJECTS[@]}"; do
  echo "== pack $project $version"
  dotnet pack "$project" -c Release --nologo -v quiet -o "$output" -p:Version="$version"
done
ls -l "$output"/*."$version".nupkg "$output"/*."$version".snupkg
