#!/usr/bin/env bash
# The dashboard as a picture: Prometheus' own graph page, drawn by headless Chromium, for the Grafana dashboard's
# key queries, during a real end-to-end run (real chaos server, real demo client, real Prometheus). Grafana cannot
# run here, so this is not a Grafana screenshot; the queries are the dashboard's, read from its JSON.
#
#   bash docker/e2e/capture-dashboard.sh
#       regenerates the README's picture: runs docker/e2e/prometheus-e2e.sh with CAPTURE_PNG_DIR set, so that the
#       end-to-end check calls this script once the breaker has opened and closed again, then composes the four
#       graphs into docker/dashboard/dashboard.png (ImageMagick's montage) and copies them beside it.
#   bash docker/e2e/capture-dashboard.sh --prometheus URL --range SECONDS --out DIR
#       what the end-to-end check calls: one PNG per key query, of the last SECONDS, into DIR. Fails unless every
#       PNG is written and not empty.
#
# Needs: chromium (Debian package `chromium`), jq; for the first form also what prometheus-e2e.sh needs, a built
# solution, and montage (Debian package `imagemagick`). Settings (environment): CHROMIUM (/usr/bin/chromium),
# DASHBOARD, E2E_RATE_WINDOW (30s: what $__rate_interval stands for, as in prometheus-e2e.sh), PICTURE_DIR
# (docker/dashboard), CAPTURE_TIMEOUT_SECONDS (60, per page).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DASHBOARD=${DASHBOARD:-$ROOT/docker/grafana/dashboards/resilientgrpc.json}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
RATE_WINDOW=${E2E_RATE_WINDOW:-30s}
PICTURE_DIR=${PICTURE_DIR:-$ROOT/docker/dashboard}
TIMEOUT=${CAPTURE_TIMEOUT_SECONDS:-60}

# The key panels, by the dashboard's titles, and the file each one is drawn into.
PANELS=(
  "Client requests per second|requests-per-second.png"
  "Errors per second by status|errors-by-status.png"
  "Circuit breaker state|breaker-state.png"
  "Server-received calls vs client calls|server-vs-client.png"
)

die() { echo "capture-dashboard: $*" >&2; exit 1; }

# panel_expr TITLE: the panel's query with Grafana's variables given fixed values. A panel with several queries is
# drawn as one graph: each query kept whole, named by its legend with label_replace, joined with `or`.
panel_expr() {
  local title=$1
  jq -e --arg t "$title" '[.panels[] | select(.title == $t)] | length == 1' "$DASHBOARD" >/dev/null \
    || die "the dashboard has no single panel titled '$title'"
  jq -r --arg t "$title" --arg w "$RATE_WINDOW" '
    .panels[] | select(.title == $t) | [.targets[] | {expr: (.expr | gsub("\\$\\{?__rate_interval\\}?"; $w)), legend: .legendFormat}]
    | if length == 1 then .[0].expr
      else map("label_replace(\(.expr), \"query\", \"\(.legend)\", \"\", \"\")") | join(" or ") end' "$DASHBOARD"
}

capture() {
  local prom=$1 range=$2 out=$3 entry title file expr url profile
  [[ -x $CHROMIUM ]] || die "chromium not found at $CHROMIUM (install the Debian package 'chromium')"
  [[ $range =~ ^[0-9]+$ ]] || die "--range takes whole seconds, not '$range'"
  mkdir -p "$out"
  for entry in "${PANELS[@]}"; do
    title=${entry%%|*}
    file=$out/${entry#*|}
    expr=$(panel_expr "$title")
    [[ $expr != *'$'* ]] || die "'$title' still holds a Grafana variable: $expr"
    # Prometheus 2.x as Debian builds it serves the classic graph page; g0.tab=0 is the graph tab, the end is now.
    url="$prom/classic/graph?g0.expr=$(jq -rn --arg e "$expr" '$e | @uri')&g0.tab=0&g0.stacked=0&g0.range_input=${range}s"
    profile=$(mktemp -d "${TMPDIR:-/tmp}/resilientgrpc-chromium.XXXXXX")
    rm -f "$file"
    # The background-networking flags keep Chromium from calling out: only loopback is reachable here.
    timeout "$TIMEOUT" "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" \
      --window-size=1400,1000 --virtual-time-budget=10000 --screenshot="$file" "$url" >"$profile.log" 2>&1 \
      || { cat "$profile.log" >&2; rm -rf "$profile" "$profile.log"; die "chromium failed on '$title'"; }
    rm -rf "$profile" "$profile.log"
    [[ -s $file ]] || die "chromium wrote no picture of '$title' ($file)"
    echo "capture-dashboard: $title -> $file ($(stat -c %s "$file") bytes)"
  done
}

if (($# > 0)); then
  prom='' range='' out=''
  while (($# > 0)); do
    case $1 in
      --prometheus) prom=$2; shift 2 ;;
      --range) range=$2; shift 2 ;;
      --out) out=$2; shift 2 ;;
      *) die "unknown argument '$1' (usage: $0 [--prometheus URL --range SECONDS --out DIR])" ;;
    esac
  done
  [[ -n $prom && -n $range && -n $out ]] || die "--prometheus, --range and --out go together"
  capture "$prom" "$range" "$out"
  exit 0
fi

# Regenerate the README's picture from a real end-to-end run.
command -v montage >/dev/null || die "montage not found (install the Debian package 'imagemagick')"
[[ -x $CHROMIUM ]] || die "chromium not found at $CHROMIUM (install the Debian package 'chromium')"
shots=$(mktemp -d "${TMPDIR:-/tmp}/resilientgrpc-shots.XXXXXX")
trap 'rm -rf "$shots"' EXIT
CAPTURE_PNG_DIR=$shots bash "$ROOT/docker/e2e/prometheus-e2e.sh"
mkdir -p "$PICTURE_DIR"
tiles=()
for entry in "${PANELS[@]}"; do
  file=${entry#*|}
  [[ -s $shots/$file ]] || die "the end-to-end run left no $file"
  cp "$shots/$file" "$PICTURE_DIR/$file"
  # The tile keeps the query, the graph and its legend; Prometheus' menu bar and the page's scroll bar go.
  convert "$shots/$file" -crop 1400x770+0+104 +repage "$shots/tile-$file"
  tiles+=(-label "${entry%%|*}" "$shots/tile-$file")
done
montage "${tiles[@]}" -tile 2x2 -geometry 700x385+8+8 -font DejaVu-Sans -pointsize 18 -background white "$PICTURE_DIR/dashboard.png"
echo "capture-dashboard: wrote $PICTURE_DIR/dashboard.png and the four graphs beside it, from a run ending $(date -u '+%Y-%m-%d %H:%M UTC')"
