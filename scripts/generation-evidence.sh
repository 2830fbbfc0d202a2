#!/usr/bin/env bash
# Reruns the evidence of docs/generation.md and writes docs/results/generation-bench/ (generation-results.md and
# genarm-frontier.svg/.png).
#
# Data design (no model sees the pairs it is judged on):
#   GenARM heads, one per principle and file, as the issue lists them:
#     harmless (used for guidance): hh-harmless-test pairs 101..1300 (1,200 pairs; 15% of prompts for validation)
#     helpful  (used for the frontier): pku-saferlhf-helpful, first 400 pairs (20% validation)
#     pku-saferlhf-harmless (first 400) and hh-helpful-train-sample (all 499): trained and validated, reported only
#   best-of-N selector: linear pairwise model on MiniLM embeddings, trained on the harmless head's pairs
#   judges (independent, other files): linear pairwise MiniLM models on hh-harmless-train-sample / hh-helpful-train-sample
#   held-out prompts: hh-harmless-test pairs 1..100 and pku-saferlhf pairs 401..500
# About 50 minutes on 2 quiet cores, half of it the base model's features (about 25 minutes when WORK has them).
# WORK=<dir> keeps the models and features (a rerun reuses the features); PROMPTS, PKU_PROMPTS, FRONTIER, MAX_TOKENS size
# the bench; SWEEP=1 adds the PKU head's regularisation sweep quoted in docs/generation.md.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/MLNet.Rewards.Cli -c Release --nologo -v quiet
dotnet build src/MLNet.Rewards.Experiments -c Release --nologo -v quiet
work="${WORK:-$(mktemp -d)}"
mkdir -p "$work"
# Run from a copy, so that rebuilding the repository during the run cannot change the running binaries.
rm -rf "$work/cli" "$work/experiments" && cp -r src/MLNet.Rewards.Cli/bin/Release/net10.0 "$work/cli"
cp -r src/MLNet.Rewards.Experiments/bin/Release/net10.0 "$work/experiments"
cli=(nice -n 10 dotnet "$work/cli/mlnet-rewards.dll")
experiments=(nice -n 10 dotnet "$work/experiments/mlnet-rewards-experiments.dll")
data=../shared/data
minilm=(--featurizer minilm --int8 --store "$work/embeddings.sqlite")

# Split of hh-harmless-test: the first 100 pairs give the held-out prompts, the next 1,200 train the harmless head and
# the selector (no prompt of the first 100 occurs among them).
zcat "$data/hh-harmless-test.jsonl.gz" | sed -n '1,100p' > "$work/hh-harmless-heldout.jsonl"
zcat "$data/hh-harmless-test.jsonl.gz" | sed -n '101,1300p' > "$work/hh-harmless-arm-train.jsonl"

"${cli[@]}" genarm-train --data "$work/hh-harmless-arm-train.jsonl" --principle harmless --output "$work/arm-harmless.zip" \
  --validation-fraction 0.15 --epochs 6 --threads 2 --features "$work/arm-features-hh-test.zip" | tee "$work/arm-harmless.log"
"${cli[@]}" genarm-train --data "$data/pku-saferlhf-harmless.jsonl.gz" "$data/pku-saferlhf-helpful.jsonl.gz" \
  --principle harmless helpful --output "$work/arm-pku-harmless.zip" "$work/arm-helpful.zip" \
  --pairs 400 --validation-fraction 0.2 --epochs 8 --threads 2 --features "$work/arm-features-pku.zip" | tee "$work/arm-pku.log"
"${cli[@]}" genarm-train --data "$data/hh-helpful-train-sample.jsonl.gz" --principle helpful --output "$work/arm-hh-helpful.zip" \
  --validation-fraction 0.2 --epochs 8 --threads 2 --features "$work/arm-features-hh-helpful.zip" | tee "$work/arm-hh-helpful.log"

if [[ "${SWEEP:-0}" == 1 ]]; then
  # Does any regularisation make the 327-pair PKU harmless head generalise? (reuses the stored features; a few minutes)
  for cfg in "2 1e-3 0" "8 1e-3 0" "8 1e-3 0.1" "2 3e-4 0" "8 3e-4 0.1" "1 1e-3 0" "8 5e-3 1.0"; do
    read -r rank lr wd <<< "$cfg"
    echo "sweep: rank $rank, learning rate $lr, weight decay $wd"
    "${cli[@]}" genarm-train --data "$data/pku-saferlhf-harmless.jsonl.gz" --principle harmless --output "$work/sweep.zip" \
      --pairs 400 --validation-fraction 0.2 --epochs 6 --threads 2 --rank "$rank" --learning-rate "$lr" --weight-decay "$wd" \
      --features "$work/arm-features-pku.zip" | grep '^| '
  done
fi

"${cli[@]}" train --data "$work/hh-harmless-arm-train.jsonl" "${minilm[@]}" --head linear --output "$work/selector-harmless.zip"
"${cli[@]}" train --data "$data/hh-harmless-train-sample.jsonl.gz" "${minilm[@]}" --head linear --output "$work/judge-harmless.zip"
"${cli[@]}" train --data "$data/hh-helpful-train-sample.jsonl.gz" "${minilm[@]}" --head linear --output "$work/judge-helpful.zip"
zcat "$data/pku-saferlhf-harmless.jsonl.gz" | tail -n +401 > "$work/pku-harmless-heldout.jsonl"
zcat "$data/pku-saferlhf-helpful.jsonl.gz" | tail -n +401 > "$work/pku-helpful-heldout.jsonl"
echo "How good are the judges and the selector on pairs they were not trained on?"
"${cli[@]}" evaluate --model "$work/judge-harmless.zip" --store "$work/embeddings.sqlite" --data "$work/hh-harmless-heldout.jsonl" "$work/pku-harmless-heldout.jsonl" | tee "$work/judges.log"
"${cli[@]}" evaluate --model "$work/selector-harmless.zip" --store "$work/embeddings.sqlite" --data "$work/hh-harmless-heldout.jsonl" "$data/hh-harmless-train-sample.jsonl.gz" "$work/pku-harmless-heldout.jsonl" | tee -a "$work/judges.log"
"${cli[@]}" evaluate --model "$work/judge-helpful.zip" --store "$work/embeddings.sqlite" --data "$work/pku-helpful-heldout.jsonl" | tee -a "$work/judges.log"

"${experiments[@]}" generation-bench --arm-harmless "$work/arm-harmless.zip" --arm-helpful "$work/arm-helpful.zip" \
  --selector "$work/selector-harmless.zip" --judge-harmless "$work/judge-harmless.zip" --judge-helpful "$work/judge-helpful.zip" \
  --prompts "$work/hh-harmless-heldout.jsonl" "$work/pku-harmless-heldout.jsonl" \
  --prompt-count "${PROMPTS:-48}" "${PKU_PROMPTS:-24}" --frontier-prompts "${FRONTIER:-24}" --max-tokens "${MAX_TOKENS:-64}" \
  --seed 1 --threads 2
