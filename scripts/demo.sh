#!/usr/bin/env bash
# The README's main command: trains and evaluates reward models on the shared data and prints the results table.
# Extra arguments go to 'mlnet-rewards demo' (e.g. --seed 1). Without ../shared/data it runs the synthetic benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${MLNET_REWARDS_DATA:-../shared/data}"
dotnet build src/MLNet.Rewards.Cli -c Release --nologo -v quiet
args=(demo)
if [ -d "$data" ]; then args+=(--data "$data"); else echo "no $data: running the synthetic benchmark" >&2; fi
exec dotnet src/MLNet.Rewards.Cli/bin/Release/net10.0/mlnet-rewards.dll "${args[@]}" "$@"
