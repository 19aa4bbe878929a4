#!/usr/bin/env bash
# The packages as a user gets them.
#
# Packs ResilientGrpc.Interceptors and ResilientGrpc.Interceptors.Extensions into a local folder feed and checks
# what they hold, each its own readme (Interceptors/<package>/README.md, named by the .nuspec's <readme>). Then creates two fresh console projects in a temporary folder outside the repository, each with
# its own NuGet.config (the feed added to the machine's sources), adds the packages with `dotnet add package`
# exactly as the README's install section says, and makes the README's marked snippets their Program.cs:
#   <!-- consumer:intercept -->       the core package alone: channel.Intercept(...)
#   <!-- consumer:add-resilience -->  the extensions package: AddGrpcClient(...).AddResilience(configuration)
# (the ```csharp block right after each marker, unchanged). Each project must build with warnings as errors and
# restore the packages from the feed: package, not project, references, with the very bytes just packed. Then it
# starts the built chaos server (CHAOS_MODE=false) on loopback, runs both programs against it and compares what
# they print with the exact lines expected; a bad configuration key must stop the AddResilience program with the
# key named. Ends with `consumer: N passed, M failed` and exits non-zero on any failure.
#
# Needs: a built solution (dotnet build: the server), unzip and jq. Every wait is bounded; the server it starts is
# stopped on exit. Settings (environment): CONFIGURATION (Debug, of the server build), SERVER_DLL,
# CONSUMER_SERVER_PORT (15010), CONSUMER_METRICS_PORT (19474), CONSUMER_TIMEOUT (60 s per program run),
# CONSUMER_KEEP=1 keeps the temporary folder.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CONFIGURATION=${CONFIGURATION:-Debug}
TFM=net10.0
SERVER_DLL=${SERVER_DLL:-$ROOT/Server/bin/$CONFIGURATION/$TFM/ResilientGrpc.Server.dll}
SERVER_PORT=${CONSUMER_SERVER_PORT:-15010}
METRICS_PORT=${CONSUMER_METRICS_PORT:-19474}
RUN_TIMEOUT=${CONSUMER_TIMEOUT:-60}
STARTUP_SECONDS=60
CORE=ResilientGrpc.Interceptors
EXTENSIONS=ResilientGrpc.Interceptors.Extensions
README=$ROOT/README.md

PASSED=0
FAILED=0
SERVER_PID=
WORK=$(mktemp -d "${TMPDIR:-/tmp}/resilientgrpc-consumer.XXXXXX")
WORK=$(cd "$WORK" && pwd -P)
FEED=$WORK/feed
STARTED=$SECONDS

log() { printf '[consumer %4ds] %s\n' "$((SECONDS - STARTED))" "$*"; }
pass() { PASSED=$((PASSED + 1)); printf 'PASS  %s\n' "$*"; }
fail_check() { FAILED=$((FAILED + 1)); printf 'FAIL  %s\n' "$*"; }
# check DESCRIPTION COMMAND...: one counted check.
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail_check "$what"; fi
}

cleanup() {
  local status=$? deadline
  trap - EXIT INT TERM
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while kill -0 "$SERVER_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if ((status != 0)) && [[ -f $WORK/server.log ]]; then
    echo "----- last lines of server.log -----" >&2
    tail -n 20 "$WORK/server.log" >&2 || true
  fi
  if [[ ${CONSUMER_KEEP:-0} == 1 ]]; then
    echo "[consumer] kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
  echo "CONSUMER FAIL: $*" >&2
  echo "consumer: $PASSED passed, $((FAILED + 1)) failed"
  exit 1
}

# --- preconditions ------------------------------------------------------------------------------
command -v unzip >/dev/null || die "unzip not found"
command -v jq >/dev/null || die "jq not found"
[[ -f $SERVER_DLL ]] || die "server not built: $SERVER_DLL (run dotnet build first, or set SERVER_DLL)"
case "$WORK/" in "$ROOT"/*) die "the temporary folder $WORK is inside the repository; set TMPDIR elsewhere" ;; esac
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$SERVER_PORT" "$METRICS_PORT"; do
  port_free "$port" || die "port $port is in use (set CONSUMER_SERVER_PORT / CONSUMER_METRICS_PORT)"
done

# The versions the repository builds with (Directory.Packages.props), so the consumer gets what CI tested.
props=$ROOT/Directory.Packages.props
prop() { sed -n "s|.*<$1>\(.*\)</$1>.*|\1|p" "$props" | head -n 1; }
pkg_version() { sed -n "s|.*<PackageVersion Include=\"$1\" Version=\"\([^\"]*\)\".*|\1|p" "$props" | head -n 1; }
GRPC_VERSION=$(prop GrpcVersion)
EXTENSIONS_VERSION=$(prop ExtensionsVersion)
PROTOBUF_VERSION=$(pkg_version Google.Protobuf)
[[ -n $GRPC_VERSION && -n $EXTENSIONS_VERSION && -n $PROTOBUF_VERSION ]] || die "cannot read the package versions from $props"
VERSION=$(dotnet msbuild "$ROOT/Interceptors/$CORE/$CORE.csproj" -nologo -getProperty:PackageVersion)
[[ -n $VERSION ]] || die "cannot read the package version of $CORE"
log "packages $VERSION; Grpc $GRPC_VERSION, Microsoft.Extensions $EXTENSIONS_VERSION, Google.Protobuf $PROTOBUF_VERSION"

# --- pack ---------------------------------------------------------------------------------------
for project in "$CORE" "$EXTENSIONS"; do
  log "dotnet pack $project"
  dotnet pack "$ROOT/Interceptors/$project/$project.csproj" -c Release -o "$FEED" -nologo -v quiet \
    -p:ContinuousIntegrationBuild=true >"$WORK/pack-$project.log" 2>&1 \
    || { tail -n 30 "$WORK/pack-$project.log"; die "dotnet pack $project failed"; }
done

# nuspec PACKAGE: the package's manifest.
nuspec() { unzip -p "$FEED/$1.$VERSION.nupkg" "$1.nuspec"; }
has_entries() {
  local package=$1 listing entry
  shift
  listing=$(unzip -Z1 "$package") || return 1
  for entry in "$@"; do
    grep -qxF "$entry" <<<"$listing" || { echo "  $(basename "$package") has no $entry" >&2; return 1; }
  done
}
# dependencies PACKAGE: its dependencies as "id version" lines, sorted.
dependencies() { nuspec "$1" | sed -n 's|.*<dependency id="\([^"]*\)" version="\([^"]*\)".*|\1 \2|p' | sort; }
# readme_of PACKAGE: the file its .nuspec names in <readme>, or nothing.
readme_of() { nuspec "$1" | sed -n 's|.*<readme>\([^<]*\)</readme>.*|\1|p' | head -n 1; }
# carries_own_readme PACKAGE: the .nupkg holds the file its <readme> names, and that file is the package's own
# README.md from its project folder, byte for byte (not the repository's README, nor the other package's).
carries_own_readme() {
  local package=$1 readme source=$ROOT/Interceptors/$1/README.md
  readme=$(readme_of "$package")
  [[ -n $readme ]] || { echo "  $package.nuspec has no <readme> element" >&2; return 1; }
  [[ -f $source ]] || { echo "  $source does not exist" >&2; return 1; }
  unzip -p "$FEED/$package.$VERSION.nupkg" "$readme" >"$WORK/readme-$package.md" 2>/dev/null \
    || { echo "  $package.$VERSION.nupkg has no $readme, which its <readme> names" >&2; return 1; }
  cmp -s "$source" "$WORK/readme-$package.md" || { echo "  the packed $readme differs from $source" >&2; return 1; }
}
for project in "$CORE" "$EXTENSIONS"; do
  check "$project: .nupkg with README, assembly and XML docs" \
    has_entries "$FEED/$project.$VERSION.nupkg" README.md "lib/$TFM/$project.dll" "lib/$TFM/$project.xml"
  check "$project: .snupkg with the symbols" has_entries "$FEED/$project.$VERSION.snupkg" "lib/$TFM/$project.pdb"
  check "$project: MIT licence expression and the README as package readme" \
    bash -c 'm=$(cat); grep -qF "<license type=\"expression\">MIT</license>" <<<"$m" && grep -qF "<readme>README.md</readme>" <<<"$m"' \
    < <(nuspec "$project")
  check "$project: the packed readme (its .nuspec <readme>) is Interceptors/$project/README.md" \
    carries_own_readme "$project"
done
core_dependencies=$(dependencies "$CORE")
expected_core=$(printf '%s\n' "Grpc.Core.Api $GRPC_VERSION" "Microsoft.Extensions.Logging.Abstractions $EXTENSIONS_VERSION")
check "$CORE depends on Grpc.Core.Api and Logging.Abstractions only (DiagnosticSource is in the framework)" \
  test "$core_dependencies" == "$expected_core"
[[ $core_dependencies == "$expected_core" ]] || printf '  got:\n%s\n' "$core_dependencies"
check "$EXTENSIONS depends on exactly $CORE $VERSION" grep -qxF "$CORE [$VERSION]" <<<"$(dependencies "$EXTENSIONS")"

# --- two fresh console projects outside the repository ------------------------------------------
GLOBAL_PACKAGES=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')
[[ -n $GLOBAL_PACKAGES ]] || die "cannot find the machine's global packages folder"
# The feed joins the machine's own sources. Packages are extracted into a folder of this run, so a package of the
# same version left from an earlier run cannot stand in for the one just packed; the machine's global packages
# folder serves the other packages without downloading them again.
cat >"$WORK/NuGet.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config>
    <add key="globalPackagesFolder" value="$WORK/packages" />
  </config>
  <packageSources>
    <add key="resilientgrpc-local-feed" value="$FEED" />
  </packageSources>
  <fallbackPackageFolders>
    <add key="machine" value="$GLOBAL_PACKAGES" />
  </fallbackPackageFolders>
</configuration>
EOF

# snippet NAME: the ```csharp block right after <!-- consumer:NAME --> in the README, unchanged.
snippet() {
  awk -v marker="<!-- consumer:$1 -->" '
    found == 0 && $0 == marker { found = 1; next }
    found == 1 && $0 == "```csharp" { found = 2; next }
    found == 1 { exit 1 }
    found == 2 && $0 == "```" { done = 1; exit }
    found == 2 { print }
    END { if (!done) exit 1 }' "$README"
}

# consumer NAME PROJECT PACKAGE...: creates the console project PROJECT from the README snippet NAME with the
# packages given (id/version), builds it, and checks that its restore took our packages from the feed.
consumer() {
  local name=$1 project=$2 dir=$WORK/$1 package id
  shift 2
  log "consumer '$name': dotnet new console, dotnet add package, the README snippet as Program.cs"
  dotnet new console -o "$dir" -n "$project" --framework "$TFM" --no-restore >"$WORK/new-$name.log" 2>&1 \
    || { cat "$WORK/new-$name.log"; die "dotnet new console failed"; }
  for package in "$@"; do
    dotnet add "$dir/$project.csproj" package "${package%/*}" --version "${package#*/}" --no-restore \
      >>"$WORK/new-$name.log" 2>&1 || { cat "$WORK/new-$name.log"; die "dotnet add package $package failed"; }
  done
  # The client generated from the contract, as a user generates it from their copy of the .proto.
  mkdir -p "$dir/Protos"
  cp "$ROOT/protos/unstable.proto" "$dir/Protos/"
  sed -i 's|</Project>|  <PropertyGroup>\n    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>\n  </PropertyGroup>\n  <ItemGroup>\n    <Protobuf Include="Protos/unstable.proto" GrpcServices="Client" />\n  </ItemGroup>\n</Project>|' \
    "$dir/$project.csproj"
  if ! snippet "$name" >"$dir/Program.cs" || [[ ! -s $dir/Program.cs ]]; then
    fail_check "README has a \`\`\`csharp block after <!-- consumer:$name -->"
    return 1
  fi
  pass "README has a \`\`\`csharp block after <!-- consumer:$name --> ($(wc -l <"$dir/Program.cs") lines)"

  log "consumer '$name': dotnet build (restore from the feed)"
  if dotnet build "$dir/$project.csproj" -c Release -nologo -v quiet >"$WORK/build-$name.log" 2>&1; then
    pass "the README snippet '$name' compiles against the packages (warnings as errors)"
  else
    grep -E 'error|warning' "$WORK/build-$name.log" | sort -u | head -n 20
    fail_check "the README snippet '$name' compiles against the packages (warnings as errors)"
    return 1
  fi

  local assets=$dir/obj/project.assets.json
  check "consumer '$name': no project references in its restore" \
    test "$(jq '[.libraries[] | select(.type != "package")] | length' "$assets")" == 0
  for id in "$CORE" "$EXTENSIONS"; do
    [[ " $* " == *" $id/"* || $id == "$CORE" ]] || continue
    local lower folder
    lower=$(tr '[:upper:]' '[:lower:]' <<<"$id")
    folder=$WORK/packages/$lower/$VERSION
    check "consumer '$name': $id $VERSION restored as a package from the local feed" \
      test "$(jq -r .source "$folder/.nupkg.metadata" 2>/dev/null)" == "$FEED"
    check "consumer '$name': ... the very .nupkg just packed, by bytes and by the hash the restore recorded" \
      bash -c 'cmp -s "$1" "$2/$3.$4.nupkg" && test "$(jq -r --arg k "$5/$4" ".libraries[\$k].sha512" "$6")" == "$(cat "$2/$3.$4.nupkg.sha512")"' \
      _ "$FEED/$id.$VERSION.nupkg" "$folder" "$lower" "$VERSION" "$id" "$assets"
  done
}

consumer intercept InterceptConsumer \
  "$CORE/$VERSION" "Grpc.Net.Client/$GRPC_VERSION" "Google.Protobuf/$PROTOBUF_VERSION" "Grpc.Tools/$GRPC_VERSION" || true
# The issue's promise, seen from the user's side: channel.Intercept(...) pulls in no HTTP, DI or options stack.
if [[ -f $WORK/intercept/obj/project.assets.json ]]; then
  forbidden=$(jq -r '.libraries | keys[] | split("/")[0] | select(. == "Grpc.Net.ClientFactory" or . == "Microsoft.Extensions.Http" or . == "Microsoft.Extensions.Options")' \
    "$WORK/intercept/obj/project.assets.json")
  check "consumer 'intercept': no Grpc.Net.ClientFactory, Microsoft.Extensions.Http or Microsoft.Extensions.Options restored${forbidden:+ (got: ${forbidden//$'\n'/, })}" \
    test -z "$forbidden"
fi
consumer add-resilience FactoryConsumer \
  "$EXTENSIONS/$VERSION" "Microsoft.Extensions.Hosting/$EXTENSIONS_VERSION" "Google.Protobuf/$PROTOBUF_VERSION" "Grpc.Tools/$GRPC_VERSION" || true

# --- run them against the chaos server ----------------------------------------------------------
log "server: $SERVER_DLL on 127.0.0.1:$SERVER_PORT, chaos off"
env PORT="$SERVER_PORT" METRICS_PORT="$METRICS_PORT" CHAOS_MODE=false dotnet "$SERVER_DLL" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
deadline=$((SECONDS + STARTUP_SECONDS))
while port_free "$SERVER_PORT"; do
  kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited early (see server.log below)"
  ((SECONDS < deadline)) || die "the server did not listen on $SERVER_PORT within ${STARTUP_SECONDS}s"
  sleep 0.5
done
log "server listens"
ADDRESS=http://127.0.0.1:$SERVER_PORT

# run NAME PROJECT ENV...: runs the built consumer with the environment given; stdout to NAME.out, stderr to NAME.err.
run() {
  local name=$1 project=$2 dll
  shift 2
  dll=$WORK/$name/bin/Release/$TFM/$project.dll
  : >"$WORK/$name.out"
  : >"$WORK/$name.err"
  [[ -f $dll ]] || { echo "  $dll was not built" >&2; return 127; }
  # In a subshell that waits itself, its own stderr dropped: the shell's "Aborted" for a program stopped by an
  # unhandled exception (exit 134) is no output of the program's.
  (env "$@" timeout "$RUN_TIMEOUT" dotnet "$dll" >"$WORK/$name.out" 2>"$WORK/$name.err"; exit $?) 2>/dev/null
}
# prints_exactly NAME LINE: the run printed LINE and nothing else on stdout.
prints_exactly() {
  if [[ $(cat "$WORK/$1.out") == "$2" ]]; then return 0; fi
  echo "  expected stdout: $2" >&2
  sed 's/^/  got stdout: /' "$WORK/$1.out" >&2
  tail -n 5 "$WORK/$1.err" | sed 's/^/  stderr: /' >&2
  return 1
}

if run intercept InterceptConsumer SERVER_ADDRESS="$ADDRESS"; then status=0; else status=$?; fi
check "consumer 'intercept' ran to the end (exit $status)" test "$status" == 0
check "consumer 'intercept' printed the server's reply through the interceptors" \
  prints_exactly intercept "r1: processed 5 chars: olleh"

# Configuration as a user gives it: environment variables read by the host into the Resilience section.
if run add-resilience FactoryConsumer ServerAddress="$ADDRESS" Logging__LogLevel__Default=Warning \
  Resilience__Retry__MaxAttempts=4 Resilience__CircuitBreaker__Name=consumer; then status=0; else status=$?; fi
check "consumer 'add-resilience' ran to the end (exit $status)" test "$status" == 0
check "consumer 'add-resilience' printed the server's reply through AddResilience" \
  prints_exactly add-resilience "r2: processed 5 chars: olleh"

# A bad key must stop host start, named by its path: the configuration really is read through the package.
if run add-resilience FactoryConsumer ServerAddress="$ADDRESS" Logging__LogLevel__Default=Warning \
  Resilience__Retry__MaxAttempts=many; then status=0; else status=$?; fi
check "consumer 'add-resilience' with Resilience__Retry__MaxAttempts=many fails at host start (exit $status)" \
  bash -c '(( $1 != 0 && $1 != 124 && $1 != 127 ))' _ "$status"
check "... naming the bad key: Resilience:Retry:MaxAttempts is many; it must be a whole number." \
  grep -qF "Resilience:Retry:MaxAttempts is many; it must be a whole number." "$WORK/add-resilience.err"
check "... and makes no call" bash -c '! grep -q "^r2:" "$1"' _ "$WORK/add-resilience.out"

echo "consumer: $PASSED passed, $FAILED failed"
((FAILED == 0))
