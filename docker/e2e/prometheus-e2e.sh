#!/usr/bin/env bash
# End-to-end proof of the monitoring stack with a real Prometheus.
#
# Starts the built chaos Server (short outage cycle) and the built demo Client (continuous load,
# short breaker recovery timeout) as processes on loopback, starts Prometheus with the compose
# stack's scrape configuration pointed at them, waits until an outage has happened and the client's
# circuit breaker has opened and closed again, then evaluates every query of the Grafana dashboard
# through Prometheus' HTTP API: each one must return data.
#
# For the dashboard's ejection panel, two more server replicas (one healthy, one failing every call)
# and a second client balancing over all three with outlier detection (a comma-separated --server
# list) run alongside: the failing replica is ejected, and while it is out, the first server's outage
# makes a second ejection that is not enforced (at most half of three endpoints are ejected at once).
#
# Needs: a built solution (dotnet build), prometheus and promtool (Debian package `prometheus`),
# curl and jq. Every wait is bounded; every process it starts is stopped on exit.
#
# Settings (environment): CONFIGURATION (Debug), SERVER_DLL, CLIENT_DLL, PROMETHEUS_BIN,
# E2E_WAIT_SECONDS (150: bound on waiting for outage + breaker open/close), E2E_SETTLE_SECONDS (30),
# E2E_RATE_WINDOW (30s: what $__rate_interval stands for), E2E_KEEP=1 keeps the temporary folder,
# CAPTURE_PNG_DIR (unset: when set, docker/e2e/capture-dashboard.sh draws Prometheus' graphs of the dashboard's
# key queries into it at the end, CAPTURE_SETTLE_SECONDS (4) after the breaker went closed, open and closed again; needs chromium).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CONFIGURATION=${CONFIGURATION:-Debug}
TFM=${TFM:-net10.0}
SERVER_DLL=${SERVER_DLL:-$ROOT/Server/bin/$CONFIGURATION/$TFM/ResilientGrpc.Server.dll}
CLIENT_DLL=${CLIENT_DLL:-$ROOT/Client/bin/$CONFIGURATION/$TFM/ResilientGrpc.Client.dll}
DASHBOARD=${DASHBOARD:-$ROOT/docker/grafana/dashboards/resilientgrpc.json}
SCRAPE_CONFIG=${SCRAPE_CONFIG:-$ROOT/docker/prometheus/prometheus.yml}
PROMETHEUS_BIN=${PROMETHEUS_BIN:-$(command -v prometheus || echo /usr/bin/prometheus)}

SERVER_PORT=${E2E_SERVER_PORT:-15000}
SERVER_METRICS_PORT=${E2E_SERVER_METRICS_PORT:-19464}
CLIENT_METRICS_PORT=${E2E_CLIENT_METRICS_PORT:-19465}
# The replicas and the balancing client of the ejection panel.
HEALTHY_PORT=${E2E_HEALTHY_PORT:-15002}
HEALTHY_METRICS_PORT=${E2E_HEALTHY_METRICS_PORT:-19466}
FAILING_PORT=${E2E_FAILING_PORT:-15003}
FAILING_METRICS_PORT=${E2E_FAILING_METRICS_PORT:-19467}
BALANCED_METRICS_PORT=${E2E_BALANCED_METRICS_PORT:-19468}
PROMETHEUS_PORT=${E2E_PROMETHEUS_PORT:-19090}
WAIT_SECONDS=${E2E_WAIT_SECONDS:-150}
SETTLE_SECONDS=${E2E_SETTLE_SECONDS:-30}
STARTUP_SECONDS=${E2E_STARTUP_SECONDS:-60}
RATE_WINDOW=${E2E_RATE_WINDOW:-30s}
BREAKER=${E2E_BREAKER:-unstable}
CAPTURE_SETTLE_SECONDS=${CAPTURE_SETTLE_SECONDS:-4}
PROM="http://127.0.0.1:$PROMETHEUS_PORT"

PASSED=0
FAILED=0
PIDS=()
NAMES=()
WORK=$(mktemp -d "${TMPDIR:-/tmp}/resilientgrpc-e2e.XXXXXX")
STARTED=$SECONDS

log() { printf '[e2e %4ds] %s\n' "$((SECONDS - STARTED))" "$*"; }
pass() { PASSED=$((PASSED + 1)); printf 'PASS  %s\n' "$*"; }
fail_check() { FAILED=$((FAILED + 1)); printf 'FAIL  %s\n' "$*"; }

show_logs() {
  local f
  for f in "$WORK"/*.log; do
    [[ -f $f ]] || continue
    echo "----- last lines of $(basename "$f") -----"
    tail -n 40 "$f" || true
  done
}

cleanup() {
  local status=$? i pid deadline
  trap - EXIT INT TERM
  for i in "${!PIDS[@]}"; do
    pid=${PIDS[$i]}
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  deadline=$((SECONDS + 10))
  for i in "${!PIDS[@]}"; do
    pid=${PIDS[$i]}
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "[e2e] ${NAMES[$i]} (pid $pid) ignored SIGTERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  if ((status != 0)); then
    show_logs >&2
  fi
  if [[ ${E2E_KEEP:-0} == 1 ]]; then
    echo "[e2e] kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
  echo "E2E FAIL: $*" >&2
  echo "e2e: $PASSED passed, $((FAILED + 1)) failed"
  exit 1
}

# start NAME COMMAND...: runs COMMAND in the background, output to $WORK/NAME.log.
start() {
  local name=$1
  shift
  "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=("$!")
  NAMES+=("$name")
  log "started $name (pid $!)"
}

assert_running() {
  local i
  for i in "${!PIDS[@]}"; do
    kill -0 "${PIDS[$i]}" 2>/dev/null || die "${NAMES[$i]} exited early (see its log below)"
  done
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_http NAME URL: until URL answers 2xx, bounded by STARTUP_SECONDS.
wait_http() {
  local name=$1 url=$2 deadline=$((SECONDS + STARTUP_SECONDS))
  until curl -fsS --max-time 3 -o /dev/null "$url" 2>/dev/null; do
    assert_running
    ((SECONDS < deadline)) || die "$name did not answer $url within ${STARTUP_SECONDS}s"
    sleep 0.5
  done
  log "$name answers $url"
}

# query PROMQL: prints Prometheus' JSON answer of an instant query (empty on transport failure).
query() {
  curl -sS --max-time 10 -G "$PROM/api/v1/query" --data-urlencode "query=$1" 2>/dev/null || true
}

# scalar PROMQL: the first sample's value of an instant query, or "none".
scalar() {
  query "$1" | jq -r 'if .status == "success" and (.data.result | length) > 0
    then (if .data.resultType == "scalar" then .data.result[1] else .data.result[0].value[1] end)
    else "none" end' 2>/dev/null || echo none
}

positive() { [[ $1 != none ]] && awk -v v="$1" 'BEGIN { exit !(v + 0 > 0) }'; }

# --- preflight ---------------------------------------------------------------------------------
for tool in curl jq dotnet; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
[[ -x $PROMETHEUS_BIN ]] || die "prometheus not found (install the Debian package 'prometheus')"
[[ -f $SERVER_DLL ]] || die "server not built: $SERVER_DLL (run dotnet build first, or set SERVER_DLL)"
[[ -f $CLIENT_DLL ]] || die "client not built: $CLIENT_DLL (run dotnet build first, or set CLIENT_DLL)"
[[ -f $DASHBOARD ]] || die "dashboard not found: $DASHBOARD"
jq -e '.panels | length > 0' "$DASHBOARD" >/dev/null || die "dashboard is not valid JSON with panels: $DASHBOARD"
for port in "$SERVER_PORT" "$SERVER_METRICS_PORT" "$CLIENT_METRICS_PORT" "$PROMETHEUS_PORT" \
  "$HEALTHY_PORT" "$HEALTHY_METRICS_PORT" "$FAILING_PORT" "$FAILING_METRICS_PORT" "$BALANCED_METRICS_PORT"; do
  port_free "$port" || die "port $port on 127.0.0.1 is already in use"
done

# The compose stack's scrape configuration, pointed at the loopback processes and scraping faster.
# server-1 is the server with the outage cycle, server-2 the healthy replica, server-3 the failing one; the
# client job gets both clients.
for target in server-1:9464 server-2:9464 server-3:9464 client:9465; do
  grep -q "\"$target\"" "$SCRAPE_CONFIG" || die "$SCRAPE_CONFIG no longer names the target $target; update this script"
done
sed -e "s/\"server-1:9464\"/\"127.0.0.1:$SERVER_METRICS_PORT\"/" \
    -e "s/\"server-2:9464\"/\"127.0.0.1:$HEALTHY_METRICS_PORT\"/" \
    -e "s/\"server-3:9464\"/\"127.0.0.1:$FAILING_METRICS_PORT\"/" \
    -e "s/\"client:9465\"/\"127.0.0.1:$CLIENT_METRICS_PORT\", \"127.0.0.1:$BALANCED_METRICS_PORT\"/" \
    -e 's/^\(  *\)scrape_interval: .*/\1scrape_interval: 2s/' \
    -e 's/^\(  *\)evaluation_interval: .*/\1evaluation_interval: 2s/' \
    "$SCRAPE_CONFIG" >"$WORK/prometheus.yml"
if command -v promtool >/dev/null; then
  promtool check config "$WORK/prometheus.yml" >/dev/null || die "generated Prometheus configuration is invalid"
fi

# --- start the system --------------------------------------------------------------------------
log "server: $SERVER_DLL; client: $CLIENT_DLL"
start server env \
  PORT="$SERVER_PORT" METRICS_PORT="$SERVER_METRICS_PORT" \
  CHAOS_MODE=true CHAOS_ERROR_RATE=0.2 CHAOS_ERROR_CODES=UNAVAILABLE \
  CHAOS_HANG_RATE=0.1 CHAOS_HANG_SECONDS=5 \
  CHAOS_OUTAGE_EVERY=40s CHAOS_OUTAGE_FOR=15s \
  dotnet "$SERVER_DLL"
wait_http server "http://127.0.0.1:$SERVER_METRICS_PORT/metrics"

start client env \
  METRICS_PORT="$CLIENT_METRICS_PORT" \
  Resilience__CircuitBreaker__BreakDuration=00:00:05 \
  dotnet "$CLIENT_DLL" --server "http://127.0.0.1:$SERVER_PORT" --rate 20 --concurrency 8 \
  --metrics-port "$CLIENT_METRICS_PORT" --duration "$((WAIT_SECONDS + SETTLE_SECONDS + 120))s"
wait_http client "http://127.0.0.1:$CLIENT_METRICS_PORT/metrics"

start server-healthy env PORT="$HEALTHY_PORT" METRICS_PORT="$HEALTHY_METRICS_PORT" CHAOS_MODE=false dotnet "$SERVER_DLL"
start server-failing env PORT="$FAILING_PORT" METRICS_PORT="$FAILING_METRICS_PORT" \
  CHAOS_MODE=true CHAOS_ERROR_RATE=1 CHAOS_HANG_RATE=0 CHAOS_ERROR_CODES=UNAVAILABLE dotnet "$SERVER_DLL"
wait_http server-healthy "http://127.0.0.1:$HEALTHY_METRICS_PORT/metrics"
wait_http server-failing "http://127.0.0.1:$FAILING_METRICS_PORT/metrics"
start client-balanced env \
  METRICS_PORT="$BALANCED_METRICS_PORT" \
  Resilience__CircuitBreaker__BreakDuration=00:00:05 \
  dotnet "$CLIENT_DLL" \
  --server "http://127.0.0.1:$SERVER_PORT,http://127.0.0.1:$HEALTHY_PORT,http://127.0.0.1:$FAILING_PORT" --rate 20 --concurrency 8 \
  --metrics-port "$BALANCED_METRICS_PORT" --duration "$((WAIT_SECONDS + SETTLE_SECONDS + 120))s"
wait_http client-balanced "http://127.0.0.1:$BALANCED_METRICS_PORT/metrics"

start prometheus "$PROMETHEUS_BIN" \
  --config.file="$WORK/prometheus.yml" \
  --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
wait_http prometheus "$PROM/-/ready"
QUERY_START=$(date +%s)

# --- wait for an outage and a full breaker cycle -----------------------------------------------
log "waiting (at most ${WAIT_SECONDS}s) for an outage, the breaker '$BREAKER' to open and close, and ejections"
deadline=$((SECONDS + WAIT_SECONDS))
while :; do
  assert_running
  outage=$(scalar 'sum(unstable_server_calls_total{outcome="outage"})')
  opened=$(scalar "sum(resilientgrpc_circuit_breaker_transitions_total{breaker=\"$BREAKER\",to=\"open\"})")
  closed=$(scalar "sum(resilientgrpc_circuit_breaker_transitions_total{breaker=\"$BREAKER\",to=\"closed\"})")
  ejected=$(scalar 'sum(grpc_lb_outlier_detection_ejections_enforced_total)')
  unenforced=$(scalar 'sum(grpc_lb_outlier_detection_ejections_unenforced_total)')
  up=$(scalar 'count(up == 1)')
  log "targets up: $up/5; outage calls: $outage; breaker opened: $opened; closed: $closed; ejections: $ejected; not enforced: $unenforced"
  if positive "$outage" && positive "$opened" && positive "$closed" && positive "$ejected" && positive "$unenforced"; then
    break
  fi
  ((SECONDS < deadline)) || die "no full outage + breaker open/close cycle and ejections within ${WAIT_SECONDS}s"
  sleep 3
done

# --- every dashboard query must return data ----------------------------------------------------
# Grafana's variables get fixed values; any variable left over is an error.
mapfile -t EXPRS < <(jq -r '[.. | objects | select(has("expr")) | .expr] | unique | .[] | @base64' "$DASHBOARD")
((${#EXPRS[@]} > 0)) || die "the dashboard has no queries"
declare -a QUERIES=()
# shellcheck disable=SC2016 # the single-quoted patterns are Grafana's literal variable names
for encoded in "${EXPRS[@]}"; do
  expr=$(printf '%s' "$encoded" | base64 -d)
  expr=${expr//'${__rate_interval}'/$RATE_WINDOW}
  expr=${expr//'$__rate_interval'/$RATE_WINDOW}
  expr=${expr//'${__interval}'/10s}
  expr=${expr//'$__interval'/10s}
  expr=${expr//'${__range}'/5m}
  expr=${expr//'$__range'/5m}
  QUERIES+=("$expr")
done

log "evaluating ${#QUERIES[@]} distinct dashboard queries (retrying empty ones for at most ${SETTLE_SECONDS}s)"
declare -A RESULT=()
settle_deadline=$((SECONDS + SETTLE_SECONDS))
while :; do
  pending=0
  for expr in "${QUERIES[@]}"; do
    [[ ${RESULT[$expr]:-} == ok* ]] && continue
    if [[ $expr == *'$'* ]]; then
      RESULT[$expr]="unsubstituted Grafana variable"
      continue
    fi
    answer=$(query "$expr")
    count=$(jq -r 'if .status == "success" then (if .data.resultType == "scalar" then 1 else (.data.result | length) end) else "error: " + (.error // "unknown") end' <<<"$answer" 2>/dev/null || echo "error: no answer")
    if [[ $count =~ ^[0-9]+$ ]] && ((count > 0)); then
      RESULT[$expr]="ok ($count series)"
    else
      [[ $count =~ ^[0-9]+$ ]] && count="empty result"
      RESULT[$expr]=$count
      pending=$((pending + 1))
    fi
  done
  ((pending == 0 || SECONDS >= settle_deadline)) && break
  sleep 2
done
for expr in "${QUERIES[@]}"; do
  if [[ ${RESULT[$expr]} == ok* ]]; then
    pass "dashboard query ${RESULT[$expr]}: $expr"
  else
    fail_check "dashboard query ${RESULT[$expr]}: $expr"
  fi
done

# --- the breaker opened and closed again; the server received calls ----------------------------
value=$(scalar "sum(resilientgrpc_circuit_breaker_transitions_total{breaker=\"$BREAKER\",to=\"open\"})")
if positive "$value"; then pass "breaker '$BREAKER' opened ($value transitions to open)"; else fail_check "breaker '$BREAKER' never opened ($value)"; fi
value=$(scalar "sum(resilientgrpc_circuit_breaker_transitions_total{breaker=\"$BREAKER\",to=\"closed\"})")
if positive "$value"; then pass "breaker '$BREAKER' closed again ($value transitions to closed)"; else fail_check "breaker '$BREAKER' never closed again ($value)"; fi
value=$(scalar 'sum(unstable_server_calls_total)')
if positive "$value"; then pass "server received calls ($value)"; else fail_check "server received no calls ($value)"; fi
value=$(scalar 'sum(grpc_lb_outlier_detection_ejections_enforced_total{grpc_lb_outlier_detection_detection_method="consecutive_failures"})')
if positive "$value"; then pass "the failing replica was ejected for consecutive failures ($value ejections)"; else fail_check "no ejection for consecutive failures ($value)"; fi
value=$(scalar 'sum(resilientgrpc_circuit_breaker_rejections_total)')
if positive "$value"; then pass "open breaker rejected calls ($value)"; else fail_check "open breaker rejected no calls ($value)"; fi

# The state series the dashboard draws: some sample shows Open (1) and a later one Closed (0). The transition
# counters above can be a scrape ahead of the gauge's samples, so a closing just seen may take a scrape or two to
# appear in the series: look again for at most 30 s.
state_verdict() {
  local range
  range=$(curl -sS --max-time 10 -G "$PROM/api/v1/query_range" \
    --data-urlencode "query=max(resilientgrpc_circuit_breaker_state{breaker=\"$BREAKER\"})" \
    --data-urlencode "start=$QUERY_START" --data-urlencode "end=$(date +%s)" --data-urlencode "step=2" 2>/dev/null || true)
  jq -r '[.data.result[0].values[]?[1] | tonumber] as $v
    | ([$v | to_entries[] | select(.value == 1) | .key] | first) as $open
    | if $open == null then "never open"
      elif ([$v[$open:][] | select(. == 0)] | length) > 0 then "open then closed"
      else "open, never closed afterwards" end' <<<"$range" 2>/dev/null || echo "no state series"
}
verdict=$(state_verdict)
for _ in $(seq 15); do
  [[ $verdict == "open then closed" ]] && break
  sleep 2
  verdict=$(state_verdict)
done
if [[ $verdict == "open then closed" ]]; then
  pass "breaker state series: $verdict"
else
  fail_check "breaker state series: $verdict"
fi

# --- the dashboard as pictures, when asked (CAPTURE_PNG_DIR) -------------------------------------
# Prometheus' graph page for the dashboard's key queries, over the whole run, drawn by headless Chromium.
# The breaker may have opened in the outage the run began with; the graphs should show it closed first, then open,
# then closed again, so this waits for such a cycle (at most E2E_WAIT_SECONDS more).
state_cycle() {
  curl -sS --max-time 10 -G "$PROM/api/v1/query_range" \
    --data-urlencode "query=max(resilientgrpc_circuit_breaker_state{breaker=\"$BREAKER\"})" \
    --data-urlencode "start=$QUERY_START" --data-urlencode "end=$(date +%s)" --data-urlencode "step=2" 2>/dev/null \
    | jq -r '[.data.result[0].values[]?[1] | tonumber] as $v
      | ([$v | to_entries[] | select(.value == 0) | .key] | first) as $closed
      | (if $closed == null then null else ([$v | to_entries[] | select(.key > $closed and .value == 1) | .key] | first) end) as $open
      | if $open != null and ([$v[$open:][] | select(. == 0)] | length) > 0 then "closed, open, closed" else "not yet" end' \
      2>/dev/null || echo "no state series"
}
if [[ -n ${CAPTURE_PNG_DIR:-} ]]; then
  deadline=$((SECONDS + WAIT_SECONDS))
  until [[ $(state_cycle) == "closed, open, closed" ]]; do
    assert_running
    ((SECONDS < deadline)) || die "the breaker state never went closed, open, closed within ${WAIT_SECONDS}s more"
    log "waiting for the breaker state to go closed, open and closed again within the graphs' window"
    sleep 3
  done
  log "letting the graphs run on for ${CAPTURE_SETTLE_SECONDS}s, then drawing them into $CAPTURE_PNG_DIR"
  sleep "$CAPTURE_SETTLE_SECONDS"
  assert_running
  if bash "$ROOT/docker/e2e/capture-dashboard.sh" --prometheus "$PROM" \
      --range "$(($(date +%s) - QUERY_START + 4))" --out "$CAPTURE_PNG_DIR"; then
    pass "dashboard pictures drawn into $CAPTURE_PNG_DIR"
  else
    fail_check "dashboard pictures not drawn (see above)"
  fi
fi

# --- summary ------------------------------------------------------------------------------------
log "done"
if ((FAILED == 0)); then
  echo "E2E PASS: every dashboard query returned data; the breaker opened and closed again"
else
  echo "E2E FAIL: $FAILED check(s) failed"
fi
echo "e2e: $PASSED passed, $FAILED failed"
((FAILED == 0))
