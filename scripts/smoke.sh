#!/usr/bin/env bash
# A quick end-to-end run of the command-line tool (train, evaluate and score on a slice of the shared data) and of five
# experiments of mlnet-rewards-experiments (ensemble-bench, active-sim, multi-objective-benchmark, bench-embed,
# ranking-head).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/MLNet.Rewards.Cli -c Release --nologo -v quiet
dotnet build src/MLNet.Rewards.Experiments -c Release --nologo -v quiet
cli=(dotnet src/MLNet.Rewards.Cli/bin/Release/net10.0/mlnet-rewards.dll)
experiments=(dotnet src/MLNet.Rewards.Experiments/bin/Release/net10.0/mlnet-rewards-experiments.dll)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
data=../shared/data
"${cli[@]}" train --data "$data/hh-harmless-train-sample.jsonl.gz" --head linear --epochs 3 --output "$work/model.zip"
"${cli[@]}" evaluate --model "$work/model.zip" --data "$data/llmbar.jsonl.gz" --per-source
echo '{"id":"a","prompt":"How do I boil an egg?","response":"Put it in boiling water for eight minutes."}' | "${cli[@]}" score --model "$work/model.zip"
"${cli[@]}" train-multi-objective --config docs/multi-objective-config.json --output "$work/multi.zip"
echo '{"id":"a","prompt":"How do I boil an egg?","response":"Put it in boiling water for eight minutes."}' | "${cli[@]}" score --model "$work/multi.zip" --explain
"${cli[@]}" score --model "$work/multi.zip" --prompt "How do I boil an egg?" --response "Put it in boiling water for eight minutes." --combine soft-min:0.5
"${cli[@]}" train --data "$data/hh-harmless-train-sample.jsonl.gz" --head prototype --prototypes 8 --epochs 2 --output "$work/proto.zip"
"${cli[@]}" evaluate --model "$work/proto.zip" --data "$data/llmbar.jsonl.gz"
"${cli[@]}" train-ensemble --data "$data/hh-harmless-train-sample.jsonl.gz" --members 3 --head linear --epochs 2 --buckets 128 --aggregation LowerConfidenceBound --output "$work/ensemble.zip"
echo '{"id":"a","prompt":"How do I boil an egg?","response":"Put it in boiling water for eight minutes."}' | "${cli[@]}" score --model "$work/ensemble.zip"
"${experiments[@]}" ensemble-bench --train-pairs 200 --prompts 5 --members 2 --hidden 8 --out "$work/results" > /dev/null
"${cli[@]}" train-generalist --data-dir "$data" --cap 50 --eval-cap 50 --head linear --epochs 2 --buckets 64 --output "$work/generalist.zip" > /dev/null
"${experiments[@]}" active-sim --labels 10 --seeds 1 --members 2 --candidates 4 --out "$work/results" > /dev/null
"${experiments[@]}" multi-objective-benchmark --alpaca-train 200 --folds 2 --gate-epochs 1 --gate-hidden 8 --buckets 64 --out "$work/results" > /dev/null
"${experiments[@]}" bench-embed --limit 8 --model-files model-int8.onnx --out "$work/results" > /dev/null
"${experiments[@]}" ranking-head --data "$data" --max-train 100 --hidden 16 --trees 5 --leaves 4 --buckets 64 --out "$work/results" > /dev/null
"${experiments[@]}" ranking-head --data "$data" --train Generalist --cap 30 --length Balance --hidden 16 --trees 5 --leaves 4 --buckets 64 --out "$work/generalist-results" > /dev/null
grep -q "train-generalist's sources at most 30 pairs each (alpaca-eval [0-9]*, helpsteer [0-9]*, hh-harmless [0-9]*, hh-helpful [0-9]*, pku-saferlhf-harmless [0-9]*, pku-saferlhf-helpful [0-9]*), length-balanced" "$work/generalist-results/ranking-head.md"
ls "$work/results/ensemble-accuracy.svg" "$work/results/active-selection.md" "$work/results/ranking-head.md" \
  "$work/results/accuracy.md" "$work/results/length-correlation.md" "$work/results/bench-embed.md" > /dev/null
set +e
"${cli[@]}" evaluate --model "$work/missing.zip" --data "$data/llmbar.jsonl.gz"; code=$?
set -e
[ "$code" -eq 3 ] || { echo "expected exit code 3 for a missing model, got $code"; exit 1; }

echo "== embedding store: kill -9 an 'embed' run part-way, then check that the next run resumes"
store="$work/embeddings.sqlite"
embed=("${cli[@]}" embed --int8 --data "$data/llmbar.jsonl.gz" "$data/llmbar-processed.jsonl.gz" --store "$store")
"${embed[@]}" >"$work/embed1.out" 2>"$work/embed1.err" &
pid=$!
for _ in $(seq 1 600); do
  grep -qE "embedding: [1-9][0-9,]*/" "$work/embed1.err" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
kill -9 "$pid" 2>/dev/null || { echo "the first embed run ended before it could be killed"; cat "$work/embed1.err"; exit 1; }
wait "$pid" 2>/dev/null || true
"${embed[@]}" | tee "$work/embed2.out"
grep -qE "^[0-9,]+ distinct texts: [1-9][0-9,]* already stored" "$work/embed2.out" || { echo "the second run did not resume from the killed run's vectors"; exit 1; }
"${embed[@]}" | tee "$work/embed3.out"
grep -q " 0 computed" "$work/embed3.out" || { echo "a third run recomputed stored vectors"; exit 1; }

echo "== generate: greedy answer"
answer="$("${cli[@]}" generate --prompt "What is the capital of France?" --temperature 0 --max-tokens 12 --threads 2)"
[[ "$answer" == *Paris* ]] || { echo "expected the greedy answer to name Paris, got: $answer"; exit 1; }
echo "== generation speed: ours and ONNX Runtime from Node.js on one fixture prompt, once (no timing assertions)"
bash scripts/bench-generation.sh --repetitions 1 --prompts 1 --warmup 0 --output "$work/generation-speed.md" >/dev/null
grep -q "^| \*\*all prompts\*\* |" "$work/generation-speed.md" || { echo "bench-generation wrote no table"; exit 1; }
echo "== Microsoft.Extensions.AI sample: best-of-4 from the local model, ranked by the reward zip"
dotnet build samples/RewardRankedChat -c Release --nologo -v quiet
dotnet samples/RewardRankedChat/bin/Release/net10.0/RewardRankedChat.dll --reward "$work/model.zip" --candidates 4 "How do I boil an egg?" | tee "$work/chat.out"
grep -qE "^reward -?[0-9.]+; candidates ([^,]+, ){3}[^,]+; refused False$" "$work/chat.out" || { echo "the chat sample printed no ranked answer"; exit 1; }
echo "smoke: ok"
