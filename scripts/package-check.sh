#!/usr/bin/env bash
# Uses the NuGet packages the way a user does, from a local folder feed (run by .ci/run):
#  1. packs them (scripts/pack.sh) and checks each package's contents and its nuspec dependencies against the versions
#     in Directory.Build.targets;
#  2. copies the samples out of the repository (away from its Directory.Build.* files), turns each ProjectReference to
#     src/NAME into a PackageReference to NAME at the packed version, adds a NuGet.config with the folder feed (the
#     machine's usual source still applies), builds them all with warnings as errors and runs sample 1 on shared data;
#  3. installs the tool with `dotnet tool install --tool-path --add-source` and runs --help, train, evaluate and embed,
#     and sample 4 (the Microsoft.Extensions.AI chat app) with the local SmolLM2 model and the tool's model zip.
# Usage: bash scripts/package-check.sh [--version X] [--output DIR]   (the folder feed; defaults: as scripts/pack.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
start=$SECONDS

parse_package_options package-check.sh "$@"
version="$PACKAGE_VERSION" feed="$PACKAGE_FEED"
data="$(cd ../shared/data && pwd)"
minilm="$(cd ../shared/models/all-MiniLM-L6-v2 && pwd)"
smollm="$(cd ../shared/models/SmolLM2-135M-Instruct-q4 && pwd)"
fail() { echo "package-check: $*" >&2; exit 1; }
step() { echo "== [$((SECONDS - start)) s] $*"; }

step "pack $version into $feed"
bash scripts/pack.sh --version "$version" --output "$feed"
feed="$(cd "$feed" && pwd)"

step "package contents and dependencies"
package_ids=()
for project in "${PACKAGE_PROJECTS[@]}"; do package_ids+=("$(basename "$project")"); done
expected_version() { # the version Directory.Build.targets (or this run, for our own packages) gives package $1
  local id="$1" v
  for own in "${package_ids[@]}"; do [ "$own" = "$id" ] && { echo "$version"; return; }; done
  v="$(grep -oE "<PackageReference Update=\"$id\" Version=\"[^\"]+\"" Directory.Build.targets | sed -E 's/.*Version="([^"]+)"/\1/')"
  if [[ "$v" =~ ^\$\(([A-Za-z]+)\)$ ]]; then # a version property such as $(MicrosoftMLVersion): its value
    v="$(dotnet msbuild src/MLNet.Rewards.Core -getProperty:"${BASH_REMATCH[1]}")"
  fi
  echo "$v"
}
for id in "${package_ids[@]}"; do
  nupkg="$feed/$id.$version.nupkg"
  [ -f "$nupkg" ] && [ -f "$feed/$id.$version.snupkg" ] || fail "$id: $nupkg or its .snupkg is missing"
  listing="$(unzip -Z1 "$nupkg")"
  nuspec="$(unzip -p "$nupkg" "$id.nuspec")"
  grep -qx README.md <<<"$listing" || fail "$id: no README.md in the package"
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || fail "$id: no MIT licence expression"
  if [ "$id" = MLNet.Rewards.Cli ]; then
    grep -q '<packageType name="DotnetTool"' <<<"$nuspec" || fail "$id: not a .NET tool package"
    grep -qx 'tools/net10.0/any/mlnet-rewards.dll' <<<"$listing" || fail "$id: no tools/net10.0/any/mlnet-rewards.dll"
    grep -q '^tools/net10.0/any/runtimes/\(android\|ios\)' <<<"$listing" && fail "$id: mobile native libraries in the tool package"
    grep -qx 'tools/net10.0/any/runtimes/linux-x64/native/libonnxruntime.so' <<<"$listing" || fail "$id: no linux-x64 ONNX Runtime"
  else
    assembly="$(unzip -Z1 "$nupkg" 'lib/net10.0/*.dll')"
    grep -qx "${assembly%.dll}.xml" <<<"$listing" || fail "$id: no XML documentation beside $assembly"
  fi
  while read -r dep dep_version; do
    want="$(expected_version "$dep")"
    [ "$dep_version" = "$want" ] || fail "$id depends on $dep $dep_version, Directory.Build.targets says '$want'"
    echo "$id -> $dep $dep_version"
  done < <(grep -oE '<dependency id="[^"]+" version="[^"]+"' <<<"$nuspec" | sed -E 's/.*id="([^"]+)" version="([^"]+)"/\1 \2/')
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# NuGet keeps a package in the global packages folder by id and version for good: a repacked version would be taken from
# there, stale, instead of from the feed. Evict this version of our packages first (nothing else is touched).
global_packages="$(dotnet nuget locals global-packages -l | sed 's/^global-packages: //')"
for id in "${package_ids[@]}"; do rm -rf "${global_packages:?}/${id,,}/${version,,}"; done

step "samples against the packages (copied to $work/samples)"
mkdir -p "$work/samples"
tar -C samples --exclude=bin --exclude=obj -cf - . | tar -C "$work/samples" -xf -
cat > "$work/samples/NuGet.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="mlnet-rewards-local" value="$feed" />
  </packageSources>
</configuration>
CONFIG
for csproj in "$work"/samples/*/*.csproj; do
  sed -i -E "s#<ProjectReference Include=\"\.\./\.\./src/([^/\"]+)/\1\.csproj\" />#<PackageReference Include=\"\1\" Version=\"$version\" />#" "$csproj"
  ! grep -q "<ProjectReference" "$csproj" || fail "$(basename "$csproj") still has a ProjectReference after the rewrite"
done
(cd "$work/samples" && dotnet new sln -n Samples >/dev/null && dotnet sln Samples.slnx add ./*/*.csproj >/dev/null)
dotnet build "$work/samples/Samples.slnx" -c Release --nologo -v quiet -p:TreatWarningsAsErrors=true
for sample in "$work"/samples/*/; do
  name="$(basename "$sample")"
  # deps.json lists each library as {"type": "package"|"project", ...}: ours must all be packages at this version.
  libraries="$(grep -A1 -E "\"MLNet\.Rewards[A-Za-z.]*/" "$sample/bin/Release/net10.0/$name.deps.json" | grep -oE '"type": "[a-z]+"' | sort -u)"
  [ "$libraries" = '"type": "package"' ] && grep -q "\"MLNet\.Rewards[A-Za-z.]*/$version\"" "$sample/bin/Release/net10.0/$name.deps.json" \
    || fail "$name was not built against the MLNet.Rewards packages $version"
done
sample1="$work/samples/PairwiseRewardModel/bin/Release/net10.0/PairwiseRewardModel.dll"
(cd "$work" && dotnet "$sample1" --train "$data/hh-harmless-train-sample.jsonl.gz" --test "$data/llmbar.jsonl.gz" --output "$work/sample.zip") | tee "$work/sample1.out"
grep -q "^Pairwise accuracy on .*llmbar.jsonl.gz: " "$work/sample1.out" || fail "sample 1 printed no accuracy"
grep -qE "^Reward of a sample answer, from the saved zip: -?[0-9]" "$work/sample1.out" || fail "sample 1 printed no reward"

step "the tool: dotnet tool install --tool-path --add-source $feed MLNet.Rewards.Cli --version $version"
dotnet tool install --tool-path "$work/tools" --add-source "$feed" MLNet.Rewards.Cli --version "$version"
tool="$work/tools/mlnet-rewards"
"$tool" --help > "$work/help.out"
head -5 "$work/help.out"
grep -q "train" "$work/help.out" || fail "mlnet-rewards --help lists no train command"
"$tool" train --data "$data/hh-harmless-train-sample.jsonl.gz" --head linear --epochs 3 --output "$work/model.zip"
"$tool" evaluate --model "$work/model.zip" --data "$data/llmbar.jsonl.gz" | tee "$work/evaluate.out"
grep -qE "[0-9]\.[0-9]{3} \[" "$work/evaluate.out" || fail "evaluate printed no accuracy"
# ONNX Runtime's native library, from inside the tool package: embed a 20-pair slice with the int8 encoder.
zcat "$data/llmbar.jsonl.gz" | sed -n 1,20p > "$work/slice.jsonl"   # (sed reads to the end: no SIGPIPE)
"$tool" embed --int8 --model "$minilm" --data "$work/slice.jsonl" --store "$work/embeddings.sqlite" | tee "$work/embed.out"
grep -qE "[1-9][0-9]* computed" "$work/embed.out" || fail "embed computed no vectors"
step "sample 4 from the packages: best-of-4 from the local SmolLM2 on ONNX Runtime, ranked by the tool's model zip"
sample4="$work/samples/RewardRankedChat/bin/Release/net10.0/RewardRankedChat.dll"
(cd "$work" && dotnet "$sample4" --reward "$work/model.zip" --llm "$smollm" --candidates 4 "How do I boil an egg?") | tee "$work/chat.out"
grep -qE "^reward -?[0-9.]+; candidates ([^,]+, ){3}[^,]+; refused False$" "$work/chat.out" || fail "sample 4 printed no ranked answer"
echo "package-check: ok ($((SECONDS - start)) s)"
