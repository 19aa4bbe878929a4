#!/usr/bin/env bash
# Mutation testing of the decision code with Stryker.NET (docs/mutation-testing.md).
#
#   bash eng/mutation.sh                    both packages, scope of eng/stryker-core.json and eng/stryker-extensions.json
#   bash eng/mutation.sh --break-at 95      exits 1 when the total score is below 95
#   bash eng/mutation.sh --package core     one configuration only (core, extensions, or overload: eng/stryker-NAME.json)
#   bash eng/mutation.sh --report-only      prints the scores of the last run again, without running Stryker
#   bash eng/mutation.sh -- --test-case-filter 'FullyQualifiedName~Retry'   passes what follows -- to Stryker
#
# Stryker mutates one project per run, so each package has its own configuration. Reports (HTML and JSON) are written
# to StrykerOutput/<package>/reports/. The score is Stryker's: (killed + timeout) / (killed + timeout + survived +
# no coverage); mutants that do not compile and ignored mutants do not count.
set -euo pipefail
cd "$(dirname "$0")/.."

break_at=0
packages=(core extensions)
run=true
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --break-at) break_at="$2"; shift 2 ;;
    --package) packages=("$2"); shift 2 ;;
    --report-only) run=false; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "mutation: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

command -v jq >/dev/null || { echo "mutation: jq is needed to read Stryker's JSON report (apt-get install jq)" >&2; exit 2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if $run; then
  dotnet tool restore >/dev/null
  for package in "${packages[@]}"; do
    [[ -f "eng/stryker-$package.json" ]] || { echo "mutation: no eng/stryker-$package.json" >&2; exit 2; }
    rm -rf "StrykerOutput/$package"
    echo "== stryker: $package"
    start=$SECONDS
    # Stryker finds the test project in its working directory; the configuration names the project to mutate.
    (cd Tests && dotnet stryker --config-file "../eng/stryker-$package.json" --output "../StrykerOutput/$package" \
      --skip-version-check ${extra[@]+"${extra[@]}"})
    echo "mutation: $package took $((SECONDS - start)) s"
  done
fi

# Per file and in total: killed and timed-out mutants are detected; survived and not covered are not.
reports=()
for package in "${packages[@]}"; do
  report="StrykerOutput/$package/reports/mutation-report.json"
  [[ -f "$report" ]] || { echo "mutation: no report at $report" >&2; exit 1; }
  reports+=("$report")
done

echo "== mutation score per file (detected / counted)"
jq -rs '
  [ .[] | .files | to_entries[] | {
      file: (.key | sub("^.*/Interceptors/"; "")),
      detected: ([.value.mutants[] | select(.status == "Killed" or .status == "Timeout")] | length),
      undetected: ([.value.mutants[] | select(.status == "Survived" or .status == "NoCoverage")] | length),
      ignored: ([.value.mutants[] | select(.status == "Ignored" and ((.statusReason // "") | test("filter$") | not))] | length)
    } | select(.detected + .undetected > 0) ]
  | sort_by(.file)[]
  | "\((.detected * 1000 / (.detected + .undetected) | floor) / 10)%\t\(.detected)/\(.detected + .undetected)\t\(.ignored) ignored by comment\t\(.file)"
' "${reports[@]}" | column -t -s $'\t'
jq -rs '
  [ .[] | .files[] | .mutants[] ] as $m
  | ([$m[] | select(.status == "Killed" or .status == "Timeout")] | length) as $d
  | ([$m[] | select(.status == "Survived" or .status == "NoCoverage")] | length) as $u
  | "total: \((($d * 1000 / ($d + $u)) | floor) / 10)% (\($d) of \($d + $u) mutants detected)"' "${reports[@]}"

echo "== surviving mutants"
jq -r '
  .files | to_entries[] | (.key | sub("^.*/Interceptors/"; "")) as $file
  | .value.mutants[] | select(.status == "Survived" or .status == "NoCoverage")
  | "\($file):\(.location.start.line)  \(.status)  \(.mutatorName): \(.replacement | gsub("\\s+"; " ") | .[0:100])"
' "${reports[@]}"

score=$(jq -s '
  [ .[] | .files[] | .mutants[] ] as $m
  | ([$m[] | select(.status == "Killed" or .status == "Timeout")] | length) as $d
  | ([$m[] | select(.status == "Survived" or .status == "NoCoverage")] | length) as $u
  | ($d * 100 / ($d + $u))' "${reports[@]}")
if awk -v s="$score" -v b="$break_at" 'BEGIN { exit !(s < b) }'; then
  echo "mutation: score $score% is below --break-at $break_at%" >&2
  exit 1
fi
