#!/usr/bin/env bash
# Generation speed of our runner against ONNX Runtime driven from Node.js (npm's onnxruntime-node, its own copy of the native
# library; the same session options), on the chat model folder's fixture prompts; writes
# docs/results/generation-speed/generation-speed.md (the guide, docs/generation-speed.md, links to it).
# Installs the Node.js peer first (scripts/install-node-peer.sh, idempotent). Run it by hand on a machine as quiet as
# you can get it: 10-20 s per repetition on 2 cores, depending on load. Not part of CI (it needs the npm registry once).
#
#   bash scripts/bench-generation.sh [--repetitions R] [--prompts N] [--threads T] [--warmup W] [--output FILE] [--runs DIR]
#
# R (default 3) repetitions, interleaved: each runs both programs once, alternating which goes first, so that changes in
# machine load affect both alike. --prompts N times only the first N fixture prompts (default all 4); --warmup W untimed
# passes over those prompts precede the timed one in each program (default 1). --runs DIR keeps the raw timings (one JSON
# file per program and repetition) in DIR; by default they are temporary.
set -euo pipefail
cd "$(dirname "$0")/.."
repetitions=3 prompts=0 threads=2 warmup=1 output=docs/results/generation-speed/generation-speed.md runs=
while [ $# -gt 0 ]; do
  case "$1" in
    --repetitions) repetitions="$2"; shift 2 ;;
    --prompts) prompts="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "bench-generation: unknown argument '$1' (expected --repetitions, --prompts, --threads, --warmup, --output, --runs)" >&2; exit 2 ;;
  esac
done
[[ "$repetitions" =~ ^[1-9][0-9]*$ ]] || { echo "bench-generation: --repetitions must be a positive integer" >&2; exit 2; }
command_line="bash scripts/bench-generation.sh --repetitions $repetitions --prompts $prompts --threads $threads --warmup $warmup --output $output"
model=../shared/models/SmolLM2-135M-Instruct-q4

peer="$(bash scripts/install-node-peer.sh)"
dotnet build src/MLNet.Rewards.Experiments -c Release --nologo -v quiet >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Run from a copy, so that rebuilding the repository during the run cannot change the running binaries.
cp -r src/MLNet.Rewards.Experiments/bin/Release/net10.0 "$work/experiments"
ours=(dotnet "$work/experiments/mlnet-rewards-experiments.dll" generation-speed --llm "$model" --threads "$threads" --prompts "$prompts" --warmup "$warmup" --json)
theirs=(node scripts/peers/ort-node-generate.mjs --peer-dir "$peer" --model-dir "$model" --threads "$threads" --prompts "$prompts" --warmup "$warmup")

load() { cut -d' ' -f1-3 /proc/loadavg | sed 's/ /, /g'; }
# CPU used by other processes while the benchmark ran = busy time of the whole machine (/proc/stat: user, nice, system,
# irq, softirq; not steal) minus the CPU time of this script's finished children (/proc/$$/stat: cutime, cstime); both
# in clock ticks. The load average cannot say this: the benchmark itself keeps about 2 threads busy.
busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
children_ticks() { awk '{print $16 + $17}' "/proc/$$/stat"; }
load_start="$(load)"
busy_start="$(busy_ticks)" children_start="$(children_ticks)" wall_start="$(date +%s.%N)"
echo "bench-generation: $repetitions repetitions, $threads threads; load average at start $load_start" >&2
# With --runs DIR the raw timings stay, so that the page can be re-rendered and checked:
#   node scripts/peers/generation-speed-table.mjs --runs DIR --fixture ../shared/models/SmolLM2-135M-Instruct-q4/fixture.json --kept
kept=(--kept)
if [ -z "$runs" ]; then runs="$work/runs" kept=(); fi
mkdir -p "$runs"
rm -f "$runs"/ours-*.json "$runs"/peer-*.json "$runs"/machine.json
for r in $(seq 1 "$repetitions"); do
  if [ $((r % 2)) -eq 1 ]; then
    "${ours[@]}" > "$runs/ours-$r.json"
    "${theirs[@]}" > "$runs/peer-$r.json"
  else
    "${theirs[@]}" > "$runs/peer-$r.json"
    "${ours[@]}" > "$runs/ours-$r.json"
  fi
  echo "bench-generation: repetition $r/$repetitions done (load average $(load))" >&2
done
load_end="$(load)"
wall="$(echo "$(date +%s.%N) $wall_start" | awk '{printf "%.0f", $1 - $2}')"
others="$(awk -v busy="$(( $(busy_ticks) - busy_start ))" -v ours="$(( $(children_ticks) - children_start ))" -v hz="$(getconf CLK_TCK)" \
  -v wall="$wall" \
  'BEGIN { other = (busy - ours) / hz; if (other < 0) other = 0; printf "%.1f CPU-seconds in %.0f s (%.2f cores on average)", other, wall, other / wall }')"
echo "bench-generation: other processes used $others" >&2

cpu="$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
node -e 'const [command, cpu, cores, loadStart, loadEnd, others, seconds, date] = process.argv.slice(1); console.log(JSON.stringify({ command, cpu, cores, loadStart, loadEnd, others, seconds, date }, null, 2))' \
  "$command_line" "$cpu" "$(nproc)" "$load_start" "$load_end" "$others" "$wall" "$(date -u '+%Y-%m-%d %H:%M UTC')" > "$runs/machine.json"
mkdir -p "$(dirname "$output")"
node scripts/peers/generation-speed-table.mjs --runs "$runs" --fixture "$model/fixture.json" "${kept[@]}" > "$output.tmp.$$"
mv "$output.tmp.$$" "$output"
cat "$output"
