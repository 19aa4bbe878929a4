#!/usr/bin/env bash
# Static checks of the monitoring and Docker files, with no service running:
#  - the dashboard is valid JSON, every panel uses the provisioned data source uid, every query is
#    valid PromQL (promtool checks them as recording rules, Grafana variables substituted);
#  - the Prometheus configuration is valid (promtool check config);
#  - the compose file is valid (docker-compose config), when docker-compose is installed.
# Needs jq and promtool (Debian package `prometheus`); docker-compose is optional.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DOCKER=$ROOT/docker
DASHBOARD=$DOCKER/grafana/dashboards/resilientgrpc.json
DATASOURCES=$DOCKER/grafana/provisioning/datasources/prometheus.yml
WORK=$(mktemp -d "${TMPDIR:-/tmp}/resilientgrpc-static.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PASSED=0
FAILED=0

check() {
  local name=$1
  shift
  if "$@" >"$WORK/out" 2>&1; then
    PASSED=$((PASSED + 1))
    echo "PASS  $name"
  else
    FAILED=$((FAILED + 1))
    echo "FAIL  $name"
    sed 's/^/      /' "$WORK/out"
  fi
}

for tool in jq promtool; do
  command -v "$tool" >/dev/null || { echo "check-static: $tool is not installed" >&2; exit 1; }
done

check "dashboard is JSON with panels and queries" \
  jq -e '(.panels | length) > 0 and ([.. | objects | select(has("expr"))] | length) > 0' "$DASHBOARD"

uid=$(sed -n 's/^ *uid: *\([^ ]*\) *$/\1/p' "$DATASOURCES" | head -n 1)
# shellcheck disable=SC2016 # $uid is a jq variable
check "every panel and query uses the provisioned data source uid '$uid'" \
  jq -e --arg uid "$uid" '[.. | objects | select(has("datasource")) | .datasource.uid] | length > 0 and all(. == $uid)' "$DASHBOARD"

check "circuit breaker state panel maps 0..3 to Closed, Open, Half-open, Isolated" \
  jq -e '[.panels[] | select(.type == "state-timeline") | .fieldConfig.defaults.mappings[].options
          | [.["0"].text, .["1"].text, .["2"].text, .["3"].text]] | any(. == ["Closed", "Open", "Half-open", "Isolated"])' "$DASHBOARD"

# Every query as a recording rule, so that promtool parses it as PromQL.
{
  echo "groups:"
  echo "  - name: dashboard"
  echo "    rules:"
  n=0
  while IFS= read -r encoded; do
    n=$((n + 1))
    expr=$(printf '%s' "$encoded" | base64 -d)
    # shellcheck disable=SC2016 # the single-quoted patterns are Grafana's literal variable names
    expr=$(printf '%s' "$expr" | sed -e 's/\${\{0,1\}__rate_interval}\{0,1\}/30s/g' \
      -e 's/\${\{0,1\}__interval}\{0,1\}/10s/g' -e 's/\${\{0,1\}__range}\{0,1\}/5m/g')
    printf '      - record: dashboard:query_%d\n        expr: %s\n' "$n" "$(jq -Rsn --arg e "$expr" '$e')"
  done < <(jq -r '.. | objects | select(has("expr")) | .expr | @base64' "$DASHBOARD")
} >"$WORK/rules.yml"
check "every dashboard query is valid PromQL ($(grep -c 'record:' "$WORK/rules.yml") queries)" \
  promtool check rules "$WORK/rules.yml"

check "docker/prometheus/prometheus.yml is a valid Prometheus configuration" \
  promtool check config "$DOCKER/prometheus/prometheus.yml"

if command -v docker-compose >/dev/null; then
  check "docker/docker-compose.yml passes docker-compose config" \
    docker-compose -f "$DOCKER/docker-compose.yml" config --quiet
else
  echo "SKIP  docker-compose config (docker-compose is not installed)"
fi

echo "static: $PASSED passed, $FAILED failed"
((FAILED == 0))
