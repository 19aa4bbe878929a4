#!/usr/bin/env bash
# Regenerates the log excerpts in Client/README.md from a real run of the demo (default mode, real durations:
# about two minutes). Each excerpt lives between marker comments, e.g.
#   <!-- excerpt:retry -->  ...  <!-- /excerpt:retry -->
# and is replaced wholesale; never edit the blocks by hand.
#
#   bash Client/capture-excerpts.sh            # build, run the demo, rewrite Client/README.md
#   DEMO_LOG=run.log bash Client/capture-excerpts.sh   # rewrite from a log captured earlier
#
# Excerpts: retry (a call that gives up after 3 attempts), deadline (a call cut at 2 s), hedging (a hung call
# of the hedged phase answered by its second copy), breaker (the outage
# and recovery phases; long runs of identical status lines are shortened and say so), summary (the table).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
README=${README:-$ROOT/Client/README.md}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/resilientgrpc-capture.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if [[ -n ${DEMO_LOG:-} ]]; then
  cp "$DEMO_LOG" "$WORK/demo.log"
else
  echo "building the client..." >&2
  dotnet build "$ROOT/Client/ResilientGrpc.Client.csproj" -nologo -v quiet >&2
  echo "running the demo (about 2 minutes)..." >&2
  # A free metrics port, so a running compose stack does not get in the way.
  (cd "$ROOT" && dotnet run --no-build --project Client -- --metrics-port 0) >"$WORK/demo.log" 2>&1 || {
    echo "the demo failed; its output:" >&2
    cat "$WORK/demo.log" >&2
    exit 1
  }
fi

python3 - "$WORK/demo.log" "$README" <<'PY'
import re
import sys

log_path, readme_path = sys.argv[1], sys.argv[2]
lines = [re.sub(r"\x1b\[[0-9;]*m", "", l.rstrip("\n")) for l in open(log_path, encoding="utf-8")]
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

excerpts = {"retry": retry, "deadline": deadline, "hedging": hedged, "breaker": breaker, "summary": summary}
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
