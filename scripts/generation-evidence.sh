#!/usr/bin/env bash
# Reruns the evidence of docs/generation.md: trains two GenARM heads (pku-saferlhf harmless/helpful, first 64 pairs),
# a best-of-N selector on the same 64 harmlessness pairs, two independent MiniLM judges on the hh samples, then runs
# 'generation-bench', which writes docs/generation-results.md and docs/genarm-frontier.svg.
# About 45 minutes on 2 cores shared with other jobs (load average 15-30 when measured). WORK=<dir> keeps the models.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/MLNet.Rewards.Cli -c Release --nologo -v quiet
work="${WORK:-$(mktemp -d)}"
mkdir -p "$work"
# Run from a copy, so that rebuilding the repository during the run cannot change the running binaries.
rm -rf "$work/cli" && cp -r src/MLNet.Rewards.Cli/bin/Release/net10.0 "$work/cli"
cli=(nice -n 10 dotnet "$work/cli/mlnet-rewards.dll")
data=../shared/data

"${cli[@]}" genarm-train --data "$data/pku-saferlhf-harmless.jsonl.gz" "$data/pku-saferlhf-helpful.jsonl.gz" \
  --principle harmless helpful --output "$work/arm-harmless.zip" "$work/arm-helpful.zip" \
  --pairs 64 --validation-fraction 0.25 --max-prompt-tokens 96 --max-response-tokens 48 --epochs 8 --threads 2 \
  --features "$work/arm-features.zip"
"${cli[@]}" train --data "$data/hh-harmless-train-sample.jsonl.gz" --featurizer minilm --int8 --head linear --output "$work/judge-harmless.zip"
"${cli[@]}" train --data "$data/hh-helpful-train-sample.jsonl.gz" --featurizer minilm --int8 --head linear --output "$work/judge-helpful.zip"
zcat "$data/pku-saferlhf-harmless.jsonl.gz" | head -n 64 > "$work/pku-harmless-first64.jsonl"
"${cli[@]}" train --data "$work/pku-harmless-first64.jsonl" --featurizer minilm --int8 --head linear --output "$work/selector-harmless.zip"
"${cli[@]}" generation-bench --arm-harmless "$work/arm-harmless.zip" --arm-helpful "$work/arm-helpful.zip" \
  --selector "$work/selector-harmless.zip" --judge-harmless "$work/judge-harmless.zip" --judge-helpful "$work/judge-helpful.zip" \
  --prompts "$data/hh-harmless-test.jsonl.gz" "$data/pku-saferlhf-harmless.jsonl.gz" --skip 0 400 \
  --prompt-count 6 --frontier-prompts 6 --max-tokens 40 --seed 1 --threads 2 --output docs
