#!/usr/bin/env bash
# Scoring through ML.NET (a saved and loaded model zip) against Core's own scoring of the same model; prints the table
# of docs/mlnet-benchmark.md. Needs Microsoft.ML (set MLNET_PACKAGE_SOURCE / MLNET_PACKAGE_VERSION for another ML.NET
# build, as for scripts/test.sh). Arguments go to the benchmark: [--data ../shared/data] [--rows 2000] [--repeats 5].
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
mlnet_build_args
dotnet build tests/MLNet.Rewards.Pipelines.Benchmarks -c Release --nologo -v quiet "${MLNET_BUILD_ARGS[@]}"
exec dotnet tests/MLNet.Rewards.Pipelines.Benchmarks/bin/Release/net10.0/MLNet.Rewards.Pipelines.Benchmarks.dll "$@"
