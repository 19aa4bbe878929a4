#!/usr/bin/env bash
# Mutation testing of the decision code with Stryker.NET (docs/mutation-testing.md).
#
#   bash eng/mutation.sh                    the core, overload, breaker and extensions configurations (eng/stryker-*.json)
#   bash eng/mutation.sh --break-at 95      exits 1 when the total score is below 95
#   bash eng/mutation.sh --package core     one configuration only (core, overload, breaker, extensions, whole: eng/stryker-NAME.json)
#   bash eng/mutation.sh --report-only      prints the scores of the last run again, without running Stryker
#   bash eng/mutation.sh -- --test-case-filter 'FullyQualifiedName~Retry'   passes what follows -- to Stryker
#   bash eng/mutation.sh --package extensions --break-at 99 --stamp
#                                           after a run that meets the break, records what it tested in
#                                           eng/stryker-NAME.stamp (a hash of the mutated project and its tests)
#   bash eng/mutation.sh --package extensions --break-at 99 --unless-stamped
#                                           skips the run when that code and those tests are unchanged since the stamp
#
# Stryker mutates one project per run, so each package has its own configuration. Reports (HTML and JSON) are written
# to StrykerOutput/<package>/reports/. The score is Stryker's: (killed + timeout) / (killed + timeout + survived +
# no coverage); mutants that do not compile and ignored mutants do not count.
set -euo pipefail
cd "$(dirname "$0")/.."

break_at=0
packages=(core overload breaker extensions)
run=true
stamp=false
unless_stamped=false
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --break-at) break_at="$2"; shift 2 ;;
    --package) packages=("$2"); shift 2 ;;
    --report-only) run=false; shift ;;
    --stamp) stamp=true; shift ;;
    --unless-stamped) unless_stamped=true; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "mutation: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

# What a configuration's score depends on, for its stamp: the project it mutates, the tests its filter selects, itself.
inputs_of() {
  case "$1" in
    extensions) echo "Interceptors/ResilientGrpc.Interceptors.Extensions Tests/OutlierDetection Tests/Infrastructure eng/stryker-extensions.json" ;;
    *) echo "mutation: --stamp and --unless-stamped take the extensions configuration only" >&2; exit 2 ;;
  esac
}
# One hash of the content of every file git tracks under the inputs, as they are in the working tree.
fingerprint() {
  # shellcheck disable=SC2046
  git ls-files -z -- $(inputs_of "$1") | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}

if $unless_stamped; then
  [[ ${#packages[@]} -eq 1 ]] || { echo "mutation: --unless-stamped takes one --package" >&2; exit 2; }
  stamp_file="eng/stryker-${packages[0]}.stamp"
  if [[ -f "$stamp_file" ]] && [[ "$(sed -n 's/^fingerprint: //p' "$stamp_file")" == "$(fingerprint "${packages[0]}")" ]]; then
    echo "mutation: ${packages[0]} skipped: its code and tests are unchanged since the run recorded in $stamp_file:"
    grep -v '^fingerprint: ' "$stamp_file"
    exit 0
  fi
  echo "mutation: ${packages[0]} changed since its stamp (or has none): running it"
fi

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

if $stamp; then
  [[ ${#packages[@]} -eq 1 ]] || { echo "mutation: --stamp takes one --package" >&2; exit 2; }
  detected=$(jq '[.files[] | .mutants[] | select(.status == "Killed" or .status == "Timeout")] | length' "${reports[0]}")
  counted=$(jq '[.files[] | .mutants[] | select(.status == "Killed" or .status == "Timeout" or .status == "Survived" or .status == "NoCoverage")] | length' "${reports[0]}")
  {
    echo "# eng/mutation.sh --package ${packages[0]} scored $score % ($detected of $counted mutants detected) on $(date -u +%Y-%m-%d)"
    echo "# with the files git tracks under: $(inputs_of "${packages[0]}")"
    echo "fingerprint: $(fingerprint "${packages[0]}")"
  } > "eng/stryker-${packages[0]}.stamp"
  echo "mutation: stamped eng/stryker-${packages[0]}.stamp"
fi
