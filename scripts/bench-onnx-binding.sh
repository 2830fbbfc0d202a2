#!/usr/bin/env bash
# Side-by-side speed of the ONNX Runtime binding against the one it replaced (our own C-API binding over npm's
# onnxruntime-node 1.30.0 library, last at commit 5b5000b), on this machine, interleaved so that load changes hit both:
#   - greedy decoding of the SmolLM2 fixture prompts (`generation-speed --json`), R repetitions, alternating which goes
#     first; prints each run's total tokens/s and the ratio new / old;
#   - `bench-embed --limit N` with the new build (full pipeline against ONNX Runtime alone on the same batches, fp32 and
#     int8, interleaved batch by batch; the old build's figures are kept in docs/featurizer.md).
# The old build lives in a git worktree outside the repository (default ../wt-onnx-old-binding), made on first use.
#
#   bash scripts/bench-onnx-binding.sh [--repetitions R] [--embed-limit N] [--old-worktree DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
repetitions=4 limit=512 old="$(cd .. && pwd)/wt-onnx-old-binding" old_commit=5b5000b
while [ $# -gt 0 ]; do
  case "$1" in
    --repetitions) repetitions="$2"; shift 2 ;;
    --embed-limit) limit="$2"; shift 2 ;;
    --old-worktree) old="$2"; shift 2 ;;
    *) echo "bench-onnx-binding: unknown argument '$1' (expected --repetitions, --embed-limit, --old-worktree)" >&2; exit 2 ;;
  esac
done
model=../shared/models/SmolLM2-135M-Instruct-q4
[ -d "$old" ] || git worktree add --detach "$old" "$old_commit" >&2
bash "$old/scripts/fetch-onnxruntime.sh" >/dev/null
dotnet build src/MLNet.Rewards.Experiments -c Release --nologo -v quiet >/dev/null
# The old commit predates the experiments executable: its generation-speed is a command of mlnet-rewards.
dotnet build "$old/src/MLNet.Rewards.Cli" -c Release --nologo -v quiet >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Run from copies, so that rebuilding either tree during the run cannot change the running binaries.
cp -r src/MLNet.Rewards.Experiments/bin/Release/net10.0 "$work/new"
cp -r "$old/src/MLNet.Rewards.Cli/bin/Release/net10.0" "$work/old"
load() { cut -d' ' -f1-3 /proc/loadavg; }
program() { if [ "$1" = new ]; then echo "$work/new/mlnet-rewards-experiments.dll"; else echo "$work/old/mlnet-rewards.dll"; fi; }
speed() { dotnet "$(program "$1")" generation-speed --llm "$model" --threads 2 --warmup 1 --json > "$work/$1-$2.json"; }
total() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).overall.totalTokensPerSecond)' "$1"; }
echo "generation: $repetitions repetitions; load average at start $(load)"
for r in $(seq 1 "$repetitions"); do
  if [ $((r % 2)) -eq 1 ]; then speed old "$r"; speed new "$r"; first=old; else speed new "$r"; speed old "$r"; first=new; fi
  o="$(total "$work/old-$r.json")" n="$(total "$work/new-$r.json")"
  echo "repetition $r (first: $first): old $o, new $n total tokens/s, new / old $(awk -v n="$n" -v o="$o" 'BEGIN { printf "%.2f", n / o }'); load $(load)"
done
echo "bench-embed (new build), load average at start $(load)"
dotnet "$(program new)" bench-embed --limit "$limit"
echo "load average at end $(load)"
