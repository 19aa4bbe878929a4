#!/usr/bin/env bash
# Regenerates the log excerpts in Client/README.md from real runs of the demo (default mode, real durations:
# about two minutes) and of the overload demo (--overload: about two minutes more). Each excerpt lives between marker
# comments, e.g.
#   <!-- excerpt:retry -->  ...  <!-- /excerpt:retry -->
# and is replaced wholesale; never edit the blocks by hand.
#
#   bash Client/capture-excerpts.sh            # build, run the demo, rewrite Client/README.md
#   DEMO_LOG=run.log OVERLOAD_LOG=overload.log bash Client/capture-excerpts.sh   # rewrite from logs captured earlier
#
# Excerpts: retry (a call that gives up after 3 attempts), deadline (a call cut at 2 s), hedging (a hung call
# of the hedged phase answered by its second copy), breaker (the outage
# and recovery phases; long runs of identical status lines are shortened and say so), summary (the table), overload
# (the overload demo's table of the run with the library, and its comparison with the bare channel). A demo whose own
# checks fail writes no excerpt.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
README=${README:-$ROOT/Client/README.md}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/resilientgrpc-capture.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

built=false
# run_demo NAME LOG [ARGS...]: the log given, or a real run of the demo with ARGS.
run_demo() {
  local name=$1 given=$2
  shift 2
  if [[ -n $given ]]; then
    cp "$given" "$WORK/$name.log"
    return
  fi
  if ! $built; then
    echo "building the client..." >&2
    dotnet build "$ROOT/Client/ResilientGrpc.Client.csproj" -nologo -v quiet >&2
    built=true
  fi
  echo "running the $name demo (about 2 minutes)..." >&2
  # A free metrics port, so a running compose stack does not get in the way.
  (cd "$ROOT" && dotnet run --no-build --project Client -- --metrics-port 0 "$@") >"$WORK/$name.log" 2>&1 || {
    echo "the $name demo failed; its output:" >&2
    cat "$WORK/$name.log" >&2
    exit 1
  }
}
run_demo demo "${DEMO_LOG:-}"
run_demo overload "${OVERLOAD_LOG:-}" --overload

python3 - "$WORK/demo.log" "$WORK/overload.log" "$README" <<'PY'
import re
import sys

log_path, overload_path, readme_path = sys.argv[1], sys.argv[2], sys.argv[3]
def read(path):
    return [re.sub(r"\x1b\[[0-9;]*m", "", l.rstrip("\n")) for l in open(path, encoding="utf-8")]
lines = read(log_path)
STATUS = "ResilientGrpc.Client.Status["

def fail(message):
    sys.exit(f"capture-excerpts: {message}")

def index_of(pattern, start=0):
    for i in range(start, len(lines)):
        if re.search(pattern, lines[i]):
            return i
    fail(f"no line matches {pattern!r}")

def call_lines(end, prefix):
    """The log lines of the call ending at `end`: back to the previous call of the same phase."""
    start = end
    while start > 0 and not re.search(rf"Call {prefix}-\d+: ", lines[start - 1]) and "=== Phase" not in lines[start - 1]:
        start -= 1
    return [l for l in lines[start:end + 1] if STATUS not in l]

def shorten_status_runs(block, keep=2):
    out, run = [], []
    def flush():
        if len(run) > keep + 1:
            out.extend(run[:keep])
            out.append(f"             [... {len(run) - keep - 1} more status lines like these ...]")
            out.append(run[-1])
        else:
            out.extend(run)
        run.clear()
    for l in block:
        if STATUS in l:
            run.append(l)
        else:
            flush()
            out.append(l)
    flush()
    return out

gave_up = index_of(r"Call flaky-\d+: failed with UNAVAILABLE")
retry = call_lines(gave_up, "flaky")
timed_out = index_of(r"Call hanging-\d+: failed with DEADLINE_EXCEEDED")
deadline = call_lines(timed_out, "hanging")
hedge_won = index_of(r"Process answered by hedge 2; ")
hedged = call_lines(index_of(r"Call hanging-hedged-\d+: OK", hedge_won), "hanging-hedged")
outage = index_of(r"=== Phase \d+/\d+ outage")
finished = index_of(r"Demo finished", outage)
breaker = shorten_status_runs(lines[outage:finished + 1])
table_start = index_of(r"^Summary per phase")
table_end = table_start
while table_end + 1 < len(lines) and not lines[table_end + 1].startswith("Checks"):
    table_end += 1
summary = lines[table_start:table_end + 2]
if not summary[-1].startswith("Checks: every call"):
    fail("the demo's checks did not pass: " + summary[-1])

def block_from(pattern):
    """The block of lines from the one matching `pattern` to the next empty line."""
    start = index_of(pattern)
    end = start
    while end + 1 < len(lines) and lines[end + 1].strip():
        end += 1
    return lines[start:end + 1]

lines = read(overload_path)
if not any(l.startswith("Checks: ") for l in lines):
    fail("the overload demo's checks did not pass")
overload = block_from(r"^Run \d+ with the library: ") + [""] + block_from(r"^During the overload")

excerpts = {"retry": retry, "deadline": deadline, "hedging": hedged, "breaker": breaker, "summary": summary, "overload": overload}
text = open(readme_path, encoding="utf-8").read()
for name, block in excerpts.items():
    body = "\n".join(block).strip("\n")
    pattern = re.compile(rf"(<!-- excerpt:{name} -->\n).*?(<!-- /excerpt:{name} -->)", re.S)
    if not pattern.search(text):
        fail(f"{readme_path} has no <!-- excerpt:{name} --> ... <!-- /excerpt:{name} --> markers")
    text = pattern.sub(lambda m: m.group(1) + "```text\n" + body + "\n```\n" + m.group(2), text)
open(readme_path, "w", encoding="utf-8").write(text)
print(f"capture-excerpts: rewrote {', '.join(excerpts)} in {readme_path}")
PY
