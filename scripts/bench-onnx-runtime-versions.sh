#!/usr/bin/env bash
# Greedy-decoding speed (`generation-speed --json`, SmolLM2 fixture prompts, 2 threads) of five builds side by side,
# interleaved round by round with the order rotated so that load changes hit every build alike:
#   old-npm     our former C-API binding (commit 5b5000b) over npm's onnxruntime-node 1.30.0 native library
#   old-nuget   the same binding over the native library of the Microsoft.ML.OnnxRuntime 1.31.1 package
#   new-X       the current managed binding built with -p:OnnxRuntimeVersion=X (1.30.0, 1.31.1, 1.32.0)
# Prints one line per run (round, build, ONNX Runtime version, decode and total tokens/s, load) and per build the
# median over rounds of decode tokens/s relative to old-npm in the same round.
#
#   bash scripts/bench-onnx-runtime-versions.sh [--rounds R] [--work DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=6 work="$(cd .. && pwd)/bench-onnx-runtime-versions" old_commit=5b5000b
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    *) echo "bench-onnx-runtime-versions: unknown argument '$1' (expected --rounds, --work)" >&2; exit 2 ;;
  esac
done
model=../shared/models/SmolLM2-135M-Instruct-q4
model="$(cd "$model" && pwd)"
mkdir -p "$work"
build() { # build NAME COMMIT PROJECT [msbuild args...]: a detached worktree outside the repository, built, copied to $work/NAME
  local name="$1" commit="$2" project="$3"; shift 3
  [ -d "$work/src-$name" ] || git worktree add -q --detach "$work/src-$name" "$commit"
  dotnet build "$work/src-$name/src/$project" -c Release --nologo -v quiet "$@" >/dev/null
  rm -rf "$work/$name" && cp -r "$work/src-$name/src/$project/bin/Release/net10.0" "$work/$name"
}
# The old build had generation-speed in the user tool; it now lives in the experiments executable.
build old "$old_commit" MLNet.Rewards.Cli
bash "$work/src-old/scripts/fetch-onnxruntime.sh" >/dev/null
versions=(1.30.0 1.31.1 1.32.0)
for v in "${versions[@]}"; do build "new-$v" HEAD MLNet.Rewards.Experiments "-p:OnnxRuntimeVersion=$v"; done
variants=(old-npm old-nuget "${versions[@]/#/new-}")
run() {
  local dll="$work/$1/mlnet-rewards-experiments.dll"
  case "$1" in
    old-npm) dll="$work/old/mlnet-rewards.dll" ;;
    old-nuget) dll="$work/old/mlnet-rewards.dll"; export MLNET_REWARDS_ONNXRUNTIME="$work/new-1.31.1/runtimes/linux-x64/native/libonnxruntime.so" ;;
  esac
  dotnet "$dll" generation-speed --llm "$model" --threads 2 --warmup 1 --json
  unset MLNET_REWARDS_ONNXRUNTIME
}
results="$work/results.txt"
: > "$results"
for r in $(seq 1 "$rounds"); do
  for i in "${!variants[@]}"; do
    v="${variants[$(( (i + r) % ${#variants[@]} ))]}"
    run "$v" > "$work/run.json" 2>/dev/null
    line="$r $v $(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(j.onnxRuntimeVersion, j.overall.decodeTokensPerSecond, j.overall.totalTokensPerSecond)' "$work/run.json") load $(cut -d' ' -f1 /proc/loadavg)"
    echo "$line" | tee -a "$results"
  done
done
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(l => l.split(" "));
const byRound = {};
for (const [round, build, , decode] of rows) (byRound[round] ??= {})[build] = +decode;
const median = a => { const s = [...a].sort((x, y) => x - y), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
for (const build of Object.keys(Object.values(byRound)[0])) {
  const ratios = Object.values(byRound).map(r => r[build] / r["old-npm"]);
  console.log(`${build}: decode tokens/s / old-npm per round ${ratios.map(x => x.toFixed(2)).join(" ")}; median ${median(ratios).toFixed(3)}`);
}' "$results"
