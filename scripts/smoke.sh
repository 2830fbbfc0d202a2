#!/usr/bin/env bash
# A quick end-to-end run of the command-line tool: train, evaluate and score on a slice of the shared data.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/MLNet.Rewards.Cli -c Release --nologo -v quiet
cli=(dotnet src/MLNet.Rewards.Cli/bin/Release/net10.0/mlnet-rewards.dll)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
data=../shared/data
"${cli[@]}" train --data "$data/hh-harmless-train-sample.jsonl.gz" --head linear --epochs 3 --output "$work/model.zip"
"${cli[@]}" evaluate --model "$work/model.zip" --data "$data/llmbar.jsonl.gz" --per-source
echo '{"id":"a","prompt":"How do I boil an egg?","response":"Put it in boiling water for eight minutes."}' | "${cli[@]}" score --model "$work/model.zip"
"${cli[@]}" train --data "$data/hh-harmless-train-sample.jsonl.gz" --head prototype --prototypes 8 --epochs 2 --output "$work/proto.zip"
"${cli[@]}" evaluate --model "$work/proto.zip" --data "$data/llmbar.jsonl.gz"
"${cli[@]}" ensemble-bench --train-pairs 200 --prompts 5 --members 2 --hidden 8 --out "$work/results" > /dev/null
"${cli[@]}" active-sim --labels 10 --seeds 1 --members 2 --candidates 4 --out "$work/results" > /dev/null
ls "$work/results/ensemble-accuracy.svg" "$work/results/active-selection.md" > /dev/null
set +e
"${cli[@]}" evaluate --model "$work/missing.zip" --data "$data/llmbar.jsonl.gz"; code=$?
set -e
[ "$code" -eq 3 ] || { echo "expected exit code 3 for a missing model, got $code"; exit 1; }
echo "smoke: ok"
