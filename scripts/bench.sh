#!/usr/bin/env bash
# The side-by-side benchmark: MLNet.Rewards against PyTorch and scikit-learn on identical inputs, one table of medians
# and ratios, written to docs/benchmarks.md with the machine it ran on.
#   bash scripts/bench.sh                 full run (installs the peers from Debian packages first if needed)
#   bash scripts/bench.sh --size Smoke    seconds; what CI runs
#   bash scripts/bench.sh --no-peers      our side only
# Extra arguments go to the benchmark (--repetitions N, --only NAME, --work DIR; --help lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=false
peers=true
for arg in "$@"; do
  case "$arg" in
    Smoke|smoke) smoke=true ;;
    --no-peers) peers=false ;;
  esac
done
if $peers && ! $smoke; then
  bash scripts/install-peers.sh
fi
dotnet build tests/MLNet.Rewards.Benchmarks -c Release --nologo -v quiet
args=(--data ../shared/data)
if ! $smoke; then args+=(--output docs/benchmarks.md); fi
exec nice -n 5 dotnet tests/MLNet.Rewards.Benchmarks/bin/Release/net10.0/mlnet-rewards-benchmarks.dll "${args[@]}" "$@"
