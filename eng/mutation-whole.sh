#!/usr/bin/env bash
# The whole core's mutation score, in parts that each fit in a sitting (docs/mutation-testing.md, "The whole core").
#
#   bash eng/mutation-whole.sh                  every part not yet run, then the total (hours on a 2-core machine)
#   bash eng/mutation-whole.sh --part deadline  one part again (ci, stacking, deadline, retry, breaker, overload, telemetry)
#   bash eng/mutation-whole.sh --report-only    the total of the parts already run
#   bash eng/mutation-whole.sh --part deadline -- --concurrency 1   passes what follows -- to Stryker
#
# The part "ci" is the three CI configurations of the core (eng/stryker-{core,overload,breaker}.json): the decision
# code, against its own tests. Every other part mutates one area's remaining files (every file no CI configuration
# mutates) against that area's tests and the stacking and disposal tests, which reach every layer; the integration tests
# (real time) are left out. The last part mutates each pattern's telemetry and the shared call plumbing (Internal/)
# again, against the telemetry and tracing tests, which reach both through whole calls. A mutant killed by a subset of
# the tests is killed by all of them, so a mutant counts as detected when any part detected it, and the total is a lower
# bound of the whole core's score against every test.
# Coverage: Stryker runs only the tests that covered a mutant ("perTest"), but it can miss a test whose work goes on
# after it returns (a continuation, a timer, a listener), so some killable mutants read as survived. The parts whose
# code is mostly such work and whose tests are few enough run every test of the part against each covered mutant
# ("all"): deadline, breaker and telemetry. The retry part, with 480 tests, would take hours that way.
# Reports: StrykerOutput/<configuration>/ for the CI part, StrykerOutput/whole-<part>/ for the others.
set -euo pipefail
cd "$(dirname "$0")/.."

parts=(ci stacking deadline retry breaker overload telemetry)
only=""
run=true
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --part) only="$2"; shift 2 ;;
    --report-only) run=false; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "mutation-whole: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v jq >/dev/null || { echo "mutation-whole: jq is needed (apt-get install jq)" >&2; exit 2; }

# Each part: the files it mutates, then the test namespaces it runs.
files_of() {
  case "$1" in
    stacking) echo "Stacking/**/*.cs Telemetry/**/*.cs" ;;
    deadline) echo "Deadline/**/*.cs" ;;
    retry) echo "Retry/**/*.cs Hedging/**/*.cs Internal/**/*.cs" ;;
    breaker) echo "CircuitBreaker/**/*.cs" ;;
    overload) echo "Overload/**/*.cs" ;;
    telemetry) echo "Retry/RetryTelemetry.cs Hedging/HedgingTelemetry.cs CircuitBreaker/CircuitBreakerTelemetry.cs Internal/**/*.cs" ;;
  esac
}
tests_of() {
  case "$1" in
    stacking) echo "Stacking Telemetry Tracing DependencyInjection Configuration Dispose" ;;
    telemetry) echo "Telemetry Tracing" ;;
    deadline) echo "Deadline Stacking Dispose" ;;
    retry) echo "Retry Hedging Internal Stacking Dispose" ;;
    breaker) echo "CircuitBreaker Stacking" ;;
    overload) echo "Overload Stacking" ;;
  esac
}

coverage_of() {
  case "$1" in
    deadline|breaker|telemetry) echo all ;;
    *) echo perTest ;;
  esac
}

run_part() {
  local part=$1
  if [[ $part == ci ]]; then
    for configuration in core overload breaker; do
      bash eng/mutation.sh --package "$configuration" >/dev/null
    done
    return
  fi

  local args=() filter=""
  for files in $(files_of "$part"); do args+=(--mutate "**/$files"); done
  # The CI configurations' files are theirs: never mutated twice.
  while read -r measured; do args+=(--mutate "!$measured"); done < <(jq -r '."stryker-config".mutate[]' eng/stryker-core.json eng/stryker-overload.json eng/stryker-breaker.json)
  for namespace in $(tests_of "$part"); do filter+="${filter:+|}FullyQualifiedName~ResilientGrpc.Tests.$namespace."; done
  rm -rf "StrykerOutput/whole-$part"
  mkdir -p StrykerOutput
  local config="StrykerOutput/whole-$part.json"
  jq --arg coverage "$(coverage_of "$part")" '."stryker-config"."coverage-analysis" = $coverage' eng/stryker-whole.json >"$config"
  echo "== stryker: whole-$part ($(files_of "$part"); coverage $(coverage_of "$part"))"
  (cd Tests && dotnet stryker --config-file "../$config" --output "../StrykerOutput/whole-$part" --skip-version-check \
    "${args[@]}" --test-case-filter "($filter)&FullyQualifiedName!~ResilientGrpc.Tests.Integration." ${extra[@]+"${extra[@]}"})
}

report_of() {
  if [[ $1 == ci ]]; then
    echo StrykerOutput/{core,overload,breaker}/reports/mutation-report.json
  else
    echo "StrykerOutput/whole-$1/reports/mutation-report.json"
  fi
}

if $run; then
  dotnet tool restore >/dev/null
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  for part in "${parts[@]}"; do
    if [[ -n $only && $part != "$only" ]]; then continue; fi
    # shellcheck disable=SC2046
    if [[ -z $only ]] && ls $(report_of "$part") >/dev/null 2>&1; then continue; fi
    start=$SECONDS
    run_part "$part"
    echo "mutation-whole: $part took $((SECONDS - start)) s"
  done
fi

echo "== the whole core, per part (detected / counted: killed and timed out / also survived and not covered)"
all=()
for part in "${parts[@]}"; do
  # shellcheck disable=SC2046
  reports=($(report_of "$part"))
  for report in "${reports[@]}"; do
    [[ -f $report ]] || { echo "$part: not run ($report missing)"; continue 2; }
  done
  all+=("${reports[@]}")
  jq -rs --arg part "$part" '
    [ .[] | .files[] | .mutants[] ] as $m
    | ([$m[] | select(.status == "Killed" or .status == "Timeout")] | length) as $d
    | ([$m[] | select(.status == "Survived" or .status == "NoCoverage")] | length) as $u
    | "\($part): \((($d * 1000 / ([$d + $u, 1] | max)) | floor) / 10)% (\($d) of \($d + $u))"' "${reports[@]}"
done
[[ ${#all[@]} -gt 0 ]] || exit 0
# One verdict per mutant (its file, place, mutator and replacement): detected if any part detected it.
jq -rs '
  [ .[] | .files | to_entries[] | (.key | sub("^.*/Interceptors/"; "")) as $file | .value.mutants[]
    | { key: "\($file):\(.location.start.line):\(.location.start.column):\(.location.end.line):\(.location.end.column):\(.mutatorName):\(.replacement)",
        status } ]
  | group_by(.key)
  | map(if any(.[]; .status == "Killed" or .status == "Timeout") then "detected"
        elif any(.[]; .status == "Survived" or .status == "NoCoverage") then "undetected" else "uncounted" end) as $verdicts
  | ([$verdicts[] | select(. == "detected")] | length) as $d
  | ([$verdicts[] | select(. == "undetected")] | length) as $u
  | "total of the parts run: \((($d * 1000 / ([$d + $u, 1] | max)) | floor) / 10)% (\($d) of \($d + $u) mutants detected)"' "${all[@]}"
