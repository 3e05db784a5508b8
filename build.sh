#!/usr/bin/env bash
# EdgeNode build entry point. See README.md and ../shared/spec/contract.md (Commands).
#   ./build.sh            restore and build everything (Release)
#   ./build.sh test       install the test peers if missing, run every test, print "N passed, N failed" last
#   ./build.sh publish    framework-dependent node in artifacts/edgenode/ with an executable artifacts/edgenode/edgenode
#   ./build.sh demo       Mosquitto + simulated wind turbine + node + decoded Sparkplug console view
#   ./build.sh package    Debian packages (amd64, arm64, armhf) in artifacts/packages/
#   ./build.sh bench      benchmarks and their tables (optionally: ./build.sh bench codec mqtt ...)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
ARTIFACTS="$ROOT/artifacts"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DEBIAN_FRONTEND=noninteractive

log() { printf '==> %s\n' "$*" >&2; }

need_dotnet() {
  command -v dotnet >/dev/null 2>&1 || { echo "dotnet (the .NET 10 SDK) is required: see README.md" >&2; exit 1; }
}

# Debian packages the tests and the demo talk to. Installed only when missing; apt-get update first.
APT_PEERS=(mosquitto:mosquitto socat:socat openssl:openssl file:file lintian:lintian)
ensure_apt_peers() {
  local missing=() entry cmd pkg
  for entry in "${APT_PEERS[@]}" "$@"; do
    cmd="${entry%%:*}"; pkg="${entry#*:}"
    command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
  done
  # pymodbus's server imports pyserial, which Debian only Recommends (and we install without recommends)
  /usr/bin/python3 -c 'import pymodbus, serial, serial_asyncio' >/dev/null 2>&1 || missing+=(python3-pymodbus python3-serial python3-serial-asyncio)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_npm_peers() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || ensure_apt_peers node:nodejs npm:npm
  if [ ! -f tests/interop/node_modules/.package-lock.json ] || [ tests/interop/package-lock.json -nt tests/interop/node_modules/.package-lock.json ]; then
    log "installing npm peers (Tahu sparkplug-payload, MQTT.js) into tests/interop"
    (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

cmd_build() {
  need_dotnet
  log "building (Release)"
  dotnet build EdgeNode.sln -c Release -nologo -clp:ErrorsOnly
}

cmd_test() {
  need_dotnet
  ensure_apt_peers
  ensure_npm_peers
  cmd_build
  local results="$ARTIFACTS/test-results"
  rm -rf "$results"; mkdir -p "$results"
  local passed=0 failed=0 project name rc trx p f
  # Hardware tests (a real gpiochip, i2c bus, RS-485 line) are tagged and run only on a gateway.
  local filter="feature!=gpio&feature!=i2c&feature!=rs485"
  for project in tests/*.Tests/*.Tests.csproj; do
    name="$(basename "$project" .csproj)"
    log "testing $name"
    rc=0
    dotnet test "$project" -c Release --no-build --nologo --filter "$filter" \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$results" -- RunConfiguration.TestSessionTimeout=1200000 || rc=$?
    trx="$results/$name.trx"
    if [ -f "$trx" ]; then
      p=$(grep -o '<Counters [^>]*' "$trx" | grep -o ' passed="[0-9]*"' | grep -o '[0-9]*' || echo 0)
      f=$(grep -o '<Counters [^>]*' "$trx" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*' || echo 0)
    else
      p=0; f=0
    fi
    # A crashed or aborted test host reports no failure of its own: count it as one.
    if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then f=1; log "$name: test run failed (exit $rc) without a failed test"; fi
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  done
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

cmd_publish() {
  need_dotnet
  local out="$ARTIFACTS/edgenode"
  rm -rf "$out"
  log "publishing the node to $out (framework-dependent, RID-neutral)"
  dotnet publish src/EdgeNode/EdgeNode.csproj -c Release -nologo -clp:ErrorsOnly -o "$out"
  cat > "$out/edgenode" <<'SH'
#!/bin/sh
# Framework-dependent launcher: exec keeps the node as this process (systemd's main PID for Type=notify).
exec dotnet "$(dirname "$(readlink -f "$0")")/edgenode.dll" "$@"
SH
  chmod +x "$out/edgenode"
  log "run it with: $out/edgenode --version"
}

not_built() { echo "not built yet: $1" >&2; exit 1; }

cmd_demo() { not_built "issue 5 (the edge node and its demo)"; }
cmd_package() {
  need_dotnet
  # One publish, then one .deb per architecture (amd64, arm64, armhf) with only its own native files.
  "$ROOT/packaging/build-deb.sh" --out "$ARTIFACTS/packages"
}

cmd_bench() {
  need_dotnet
  ensure_apt_peers
  ensure_npm_peers
  dotnet build tests/EdgeNode.Benchmarks/EdgeNode.Benchmarks.csproj -c Release -nologo -clp:ErrorsOnly
  dotnet tests/EdgeNode.Benchmarks/bin/Release/net10.0/EdgeNode.Benchmarks.dll "$@"
}

sub="${1:-build}"
[ $# -gt 0 ] && shift
case "$sub" in
  build) cmd_build ;;
  test) cmd_test ;;
  publish) cmd_publish ;;
  demo) cmd_demo "$@" ;;
  package) cmd_package ;;
  bench) cmd_bench "$@" ;;
  -h|--help|help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) echo "unknown command '$sub' (build, test, publish, demo, package, bench)" >&2; exit 2 ;;
esac
