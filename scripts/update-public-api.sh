#!/usr/bin/env bash
# Brings each library's PublicAPI.Unshipped.txt in line with its code: builds the three packages, adds every symbol the
# analyzer reports as undeclared (RS0016), deletes every declared symbol that is gone (RS0017), and sorts the file.
# Run it after changing public API on purpose, then review the diff: the files are the record of the public surface.
set -euo pipefail
cd "$(dirname "$0")/.."
projects=(src/MLNet.Rewards.Core src/MLNet.Rewards src/MLNet.Rewards.Extensions.AI)
log="$(mktemp)"
trap 'rm -f "$log" "$log".*' EXIT

symbols() { # symbols RULE PROJECT: the symbols the build log reports under RULE for PROJECT's csproj, one per line
  grep -E "(warning|error) $1: Symbol '.*\[$(pwd)/$2/[^/]*\.csproj\]" "$log" \
    | sed -E "s/.*(warning|error) $1: Symbol '(.*)' is (not part of|part of) the declared (public )?API.*/\2/" | sort -u || true
}

for project in "${projects[@]}"; do
  file="$project/PublicAPI.Unshipped.txt"
  # --no-incremental: the analyzer reports only when the project compiles. Warnings stay warnings so that every symbol is listed.
  dotnet build "$project" -c Release --nologo --no-incremental -v quiet -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= >"$log" 2>&1 || true
  symbols RS0016 "$project" >"$log.added"
  symbols RS0017 "$project" >"$log.removed"
  { grep -vxF "#nullable enable" "$file" | grep -vxF -f "$log.removed" || true; cat "$log.added"; } | LC_ALL=C sort -u >"$log.body"
  { echo "#nullable enable"; cat "$log.body"; } >"$file"
  echo "$file: $(wc -l <"$log.added") added, $(wc -l <"$log.removed") removed"
done
