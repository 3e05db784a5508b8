#!/usr/bin/env bash
# EdgeNode build entry point. See README.md and ../shared/spec/contract.md (Commands).
#   ./build.sh            restore and build everything (Release)
#   ./build.sh test       install the test peers if missing, run every test, print "N passed, N failed" last
#   ./build.sh publish    the node in artifacts/edgenode/ (self-contained for this machine): artifacts/edgenode/edgenode
#   ./build.sh demo       Mosquitto + simulated wind turbine + node + decoded Sparkplug console view
#                         (--kafka: also a local Kafka-protocol broker, edgenode-bridge and a console consumer)
#   ./build.sh package    Debian packages in artifacts/packages/: edgenode (amd64, arm64, armhf), edgenode-bridge (amd64, arm64)
#   ./build.sh bench      benchmarks and their tables (optionally: ./build.sh bench codec mqtt ...)
#   ./build.sh soak [minutes]  15,000 tags, broker link flapping every 2-10 s, node + bridge, 10 minutes (not in CI): CSV + PNG, fails on growth
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
# strace: the LiteDB probe (tests/EdgeNode.Probes.Tests) counts the fsyncs of its commits
APT_PEERS+=(strace:strace)
# Headless chromium for the web console's browser tests (driven over DevTools by PuppeteerSharp; nothing downloaded).
APT_PEERS+=(chromium:chromium)
ensure_apt_peers() {
  local missing=() entry cmd pkg
  for entry in "${APT_PEERS[@]}" "$@"; do
    cmd="${entry%%:*}"; pkg="${entry#*:}"
    command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
  done
  # pymodbus's server imports pyserial, which Debian only Recommends (and we install without recommends)
  /usr/bin/python3 -c 'import pymodbus, serial, serial_asyncio' >/dev/null 2>&1 || missing+=(python3-pymodbus python3-serial python3-serial-asyncio)
  # The Kafka bridge's tests read records back with clients independent of the bridge: kcat and kafka-python (+ lz4).
  command -v kcat >/dev/null 2>&1 || missing+=(kcat)
  /usr/bin/python3 -c 'import kafka, lz4' >/dev/null 2>&1 || missing+=(python3-kafka python3-lz4)
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
  # --- the node: self-contained and trimmed for this machine's RID (no native toolchain needed; the amd64/arm64
  # packages ship it NativeAOT, built by packaging/build-deb.sh), so
  # artifacts/edgenode/edgenode is a native executable that needs no installed .NET; framework-dependent with a
  # launcher script where no runtime pack is served (32-bit ARM).
  local out="$ARTIFACTS/edgenode" rid=""
  case "$(uname -m)" in x86_64) rid=linux-x64 ;; aarch64|arm64) rid=linux-arm64 ;; esac
  rm -rf "$out"
  if [ -n "$rid" ]; then
    log "publishing the node to $out (self-contained, trimmed, $rid)"
    dotnet publish src/EdgeNode/EdgeNode.csproj -c Release -nologo -clp:ErrorsOnly -o "$out" -r "$rid" --self-contained \
      -p:PublishTrimmed=true -p:UseAppHost=true
  else
    log "publishing the node to $out (framework-dependent, RID-neutral)"
    dotnet publish src/EdgeNode/EdgeNode.csproj -c Release -nologo -clp:ErrorsOnly -o "$out"
    cat > "$out/edgenode" <<'SH'
#!/bin/sh
# Framework-dependent launcher: exec keeps the node as this process (systemd's main PID for Type=notify).
exec dotnet "$(dirname "$(readlink -f "$0")")/edgenode.dll" "$@"
SH
    chmod +x "$out/edgenode"
  fi
  log "run it with: $out/edgenode --version"
  publish_bridge
}

# The Kafka bridge: framework-dependent, with librdkafka's x64/arm64 Linux builds only (the redist also carries
# Windows, macOS and s390x builds).
publish_bridge() {
  local out="$ARTIFACTS/edgenode-bridge"
  rm -rf "$out"
  log "publishing the Kafka bridge to $out (framework-dependent, RID-neutral)"
  dotnet publish src/EdgeNode.Bridge/EdgeNode.Bridge.csproj -c Release -nologo -clp:ErrorsOnly -o "$out"
  rm -rf "$out"/runtimes/win-* "$out"/runtimes/osx-* "$out"/runtimes/linux-s390x "$out"/librdkafka
  cat > "$out/edgenode-bridge" <<'SH'
#!/bin/sh
# Framework-dependent launcher: exec keeps the bridge as this process (systemd's main PID for Type=notify).
exec dotnet "$(dirname "$(readlink -f "$0")")/edgenode-bridge.dll" "$@"
SH
  chmod +x "$out/edgenode-bridge"
  log "run it with: $out/edgenode-bridge --version"
}

not_built() { echo "not built yet: $1" >&2; exit 1; }

# --- demo ---------------------------------------------------------------------------------------------------
# Everything the demo starts runs in its own process group (setsid), so stopping a piece stops all it spawned and the
# terminal's Ctrl-C reaches only this script, which then stops the pieces in order: the node first (its DDEATH and
# NDEATH still reach the broker and show in the monitor), then the monitor, the turbine and the broker.
DEMO_PIDS=()
DEMO_NAMES=()
DEMO_TMP=""
DEMO_SLEEP=""

demo_port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

demo_alive() { kill -0 "$1" 2>/dev/null; }

# demo_start NAME LOGFILE|- COMMAND...: start COMMAND in a new session (its own process group); output to LOGFILE
# ("-": to this terminal).
demo_start() {
  local name="$1" logfile="$2"; shift 2
  if [ "$logfile" = "-" ]; then
    setsid "$@" &
  else
    setsid "$@" >"$logfile" 2>&1 </dev/null &
  fi
  DEMO_PIDS+=("$!"); DEMO_NAMES+=("$name")
}

demo_stop_one() {
  local pid="$1" i
  demo_alive "$pid" || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 70); do demo_alive "$pid" || break; sleep 0.1; done   # the node's clean stop takes up to 5 s
  if demo_alive "$pid"; then
    log "${2:-pid $pid} did not stop within 7 s: killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

demo_cleanup() {
  local rc=$? i
  trap - INT TERM EXIT
  # stdout/stderr may be a closed pipe by now: a failed log line must not stop the cleanup (write errors are ignored).
  trap '' PIPE
  set +e   # stop every piece even when one step fails
  [ -n "$DEMO_SLEEP" ] && kill "$DEMO_SLEEP" 2>/dev/null
  if [ ${#DEMO_PIDS[@]} -gt 0 ]; then
    log "stopping the demo"
    for ((i = ${#DEMO_PIDS[@]} - 1; i >= 0; i--)); do   # reverse start order: node, monitor, turbine, broker
      demo_stop_one "${DEMO_PIDS[$i]}" "${DEMO_NAMES[$i]}"
    done
  fi
  [ -n "$DEMO_TMP" ] && rm -rf "$DEMO_TMP"
  log "demo stopped"
  exit "$rc"
}

demo_fail() {
  echo "demo: $*" >&2
  exit 1
}

# demo_wait_port NAME PORT PID: until PID listens on 127.0.0.1:PORT (or dies).
demo_wait_port() {
  local name="$1" port="$2" pid="$3" i
  for i in $(seq 1 300); do
    demo_port_in_use "$port" && return 0
    demo_alive "$pid" || break
    sleep 0.1
  done
  demo_show_log "$name"
  demo_fail "$name did not start listening on 127.0.0.1:$port"
}

demo_show_log() {
  local file="$DEMO_TMP/$1.log"
  [ -s "$file" ] && { echo "--- last lines of $1's log ($file):" >&2; tail -n 20 "$file" >&2; }
  return 0
}

demo_ensure_mosquitto() {
  DEMO_MOSQUITTO="$(command -v mosquitto || true)"
  [ -z "$DEMO_MOSQUITTO" ] && [ -x /usr/sbin/mosquitto ] && DEMO_MOSQUITTO=/usr/sbin/mosquitto
  if [ -z "$DEMO_MOSQUITTO" ]; then
    log "installing mosquitto (the demo's local broker)"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends mosquitto >/dev/null
    DEMO_MOSQUITTO=/usr/sbin/mosquitto
  fi
}

# A non-interactive bash cannot trap or reset a signal that was ignored when it started, and a script started in the
# background (`./build.sh test &`, a CI runner, nohup in a script) passes SIGINT on ignored: the demo's `trap ... INT`
# would silently do nothing and Ctrl-C or a test's SIGINT would never stop it. Run the demo again with SIGINT at its
# default (env --default-signal, coreutils >= 9.0) so the trap below takes effect.
demo_default_sigint() {
  local ignored
  ignored="$(awk '/^SigIgn:/ { print $2 }' "/proc/$$/status" 2>/dev/null || true)"
  [ -n "$ignored" ] && (( (16#$ignored & 2) != 0 )) || return 0   # bit 1: SIGINT (2)
  if [ -z "${EDGENODE_DEMO_SIGINT_RESET:-}" ] && env --default-signal=INT true 2>/dev/null; then
    EDGENODE_DEMO_SIGINT_RESET=1 exec env --default-signal=INT "$ROOT/build.sh" demo "$@"
  fi
  log "SIGINT is ignored here and env --default-signal (coreutils >= 9.0) is missing: stop the demo with kill $$ (SIGTERM)"
}

cmd_demo() {
  need_dotnet
  local mqtt_port="${EDGENODE_DEMO_MQTT_PORT:-18830}" modbus_port="${EDGENODE_DEMO_MODBUS_PORT:-15020}"
  local no_build="${EDGENODE_DEMO_NO_BUILD:-0}" arg kafka=0
  for arg in "$@"; do
    case "$arg" in
      --no-build) no_build=1 ;;
      --kafka) kafka=1 ;;
      *) echo "demo: unknown option '$arg' (--no-build, --kafka)" >&2; exit 2 ;;
    esac
  done
  local node_dll="$ROOT/src/EdgeNode/bin/Release/net10.0/edgenode.dll"
  local sim_dll="$ROOT/src/EdgeNode.Simulator/bin/Release/net10.0/edgenode-sim.dll"

  # Fail before starting anything when a port is taken: a stale demo or another broker would mix its traffic in.
  demo_port_in_use "$mqtt_port" && demo_fail "127.0.0.1:$mqtt_port (the demo's MQTT port) is in use: stop what listens there, or pick another port with EDGENODE_DEMO_MQTT_PORT=..."
  demo_port_in_use "$modbus_port" && demo_fail "127.0.0.1:$modbus_port (the simulated turbine's Modbus port) is in use: stop what listens there, or pick another port with EDGENODE_DEMO_MODBUS_PORT=..."
  command -v setsid >/dev/null 2>&1 || demo_fail "setsid (util-linux) is required"
  demo_ensure_mosquitto

  # Build once (Release); EDGENODE_DEMO_NO_BUILD=1 / --no-build reuse an existing build (tests run after one).
  if [ "$no_build" != 1 ] || [ ! -f "$node_dll" ] || [ ! -f "$sim_dll" ]; then
    log "building the node and the simulator (Release)"
    dotnet build src/EdgeNode/EdgeNode.csproj -c Release -nologo -clp:ErrorsOnly
    dotnet build src/EdgeNode.Simulator/EdgeNode.Simulator.csproj -c Release -nologo -clp:ErrorsOnly
  fi

  DEMO_TMP="$(mktemp -d -t edgenode-demo.XXXXXX)"
  trap demo_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # Writing to a pipe whose reader died (`./build.sh demo | tee demo.log`, Ctrl-C kills tee first) raises SIGPIPE, which
  # would kill this shell on the spot and leave every piece running: end through the cleanup instead. (A trap, not an
  # ignore: the pieces started below get the default SIGPIPE back.)
  trap 'exit 141' PIPE

  # config/demo.yaml names the default ports; other ports get a copy with them (and the type library's full path).
  local config="$ROOT/config/demo.yaml"
  if [ "$mqtt_port" != 18830 ] || [ "$modbus_port" != 15020 ]; then
    sed -e "s#mqtt://127.0.0.1:18830#mqtt://127.0.0.1:$mqtt_port#" -e "s#port: 15020#port: $modbus_port#" \
        -e "s#^include: types/#include: $ROOT/config/types/#" "$config" >"$DEMO_TMP/demo.yaml"
    grep -q "127.0.0.1:$mqtt_port" "$DEMO_TMP/demo.yaml" && grep -q "port: $modbus_port" "$DEMO_TMP/demo.yaml" \
      || demo_fail "config/demo.yaml no longer names 127.0.0.1:18830 and port 15020: cannot move the demo to other ports"
    config="$DEMO_TMP/demo.yaml"
  fi

  {
    echo "# generated by ./build.sh demo"
    echo "listener $mqtt_port 127.0.0.1"
    echo "allow_anonymous true"
    echo "persistence false"
    echo "log_dest stdout"
    echo "connection_messages true"
    # as root, mosquitto would switch to user mosquitto; nothing here needs that (loopback only, files in $DEMO_TMP)
    if [ "$(id -u)" -eq 0 ]; then echo "user root"; fi
  } >"$DEMO_TMP/mosquitto.conf"
  mkdir -p "$DEMO_TMP/state"

  demo_start broker "$DEMO_TMP/broker.log" "$DEMO_MOSQUITTO" -c "$DEMO_TMP/mosquitto.conf"
  demo_wait_port broker "$mqtt_port" "${DEMO_PIDS[-1]}"
  log "broker   mosquitto on 127.0.0.1:$mqtt_port (pid ${DEMO_PIDS[-1]})"

  demo_start turbine "$DEMO_TMP/turbine.log" dotnet "$sim_dll" turbine --host 127.0.0.1 --port "$modbus_port"
  demo_wait_port turbine "$modbus_port" "${DEMO_PIDS[-1]}"
  log "turbine  edgenode-sim turbine, Modbus TCP on 127.0.0.1:$modbus_port unit 1 (pid ${DEMO_PIDS[-1]})"

  # The monitor subscribes before the node's births, so every alias in the DATA that follows has its name.
  # Its connection news (stderr) also goes to a file: "monitoring ..." says the subscription is in place.
  demo_start monitor - bash -c 'exec dotnet "$1" monitor --url "$2" 2> >(tee "$3" >&2)' demo-monitor \
    "$node_dll" "mqtt://127.0.0.1:$mqtt_port" "$DEMO_TMP/monitor.log"
  local i rc
  for i in $(seq 1 300); do
    grep -q "monitoring" "$DEMO_TMP/monitor.log" 2>/dev/null && break
    demo_alive "${DEMO_PIDS[-1]}" || demo_fail "the monitor stopped"
    sleep 0.1
  done
  log "monitor  edgenode monitor --url mqtt://127.0.0.1:$mqtt_port (pid ${DEMO_PIDS[-1]})"
  [ "$kafka" = 1 ] && demo_start_kafka "$mqtt_port" "$no_build"

  STATE_DIRECTORY="$DEMO_TMP/state" demo_start node "$DEMO_TMP/node.log" dotnet "$node_dll" run --config "$config"
  log "node     edgenode run --config ${config#"$ROOT"/} (group Demo, edge node Gateway01, device Turbine1; pid ${DEMO_PIDS[-1]})"
  log "         state (bdSeq, store) in $DEMO_TMP/state; logs of broker, turbine and node in $DEMO_TMP (removed on exit)"
  log "web console http://127.0.0.1:8080 (live values, device map; read-only: config/demo.yaml has no web.users)"
  log "send a DCMD from another terminal (Eclipse Tahu + MQTT.js from tests/interop; 'npm ci' there once), e.g. curtail to 1500 kW:"
  cat >&2 <<HINT
    cd $ROOT/tests/interop && node -e "const c=require('mqtt').connect('mqtt://127.0.0.1:$mqtt_port'),sp=require('sparkplug-payload').get('spBv1.0');c.on('connect',()=>c.publish('spBv1.0/Demo/DCMD/Gateway01/Turbine1',sp.encodePayload({timestamp:Date.now(),metrics:[{name:'Power/Limit',type:'UInt16',value:1500}]}),()=>c.end()))"
    (writable: Power/Limit UInt16 kW, Status/Run Boolean — false stops the turbine)
HINT
  log "Ctrl-C stops everything"

  # Watch the pieces: one that dies on its own ends the demo (with its log), the rest is stopped by the EXIT trap.
  while :; do
    for i in "${!DEMO_PIDS[@]}"; do
      if ! demo_alive "${DEMO_PIDS[$i]}"; then
        wait "${DEMO_PIDS[$i]}" 2>/dev/null && rc=0 || rc=$?
        echo "demo: the ${DEMO_NAMES[$i]} stopped (exit $rc)" >&2
        demo_show_log "${DEMO_NAMES[$i]}"
        exit 1
      fi
    done
    sleep 1 &
    DEMO_SLEEP=$!
    wait "$DEMO_SLEEP" || true
  done
}
# ./build.sh demo --kafka: a local Kafka-protocol broker (edgenode-kafka-mock, a test tool hosting librdkafka's mock
# cluster), edgenode-bridge, and kcat printing the typed records as they land, beside the Sparkplug view.
demo_start_kafka() {
  local mqtt_port="$1" no_build="$2" i bootstrap=""
  local bridge_dll="$ROOT/src/EdgeNode.Bridge/bin/Release/net10.0/edgenode-bridge.dll"
  local mock_dll="$ROOT/src/EdgeNode.KafkaMock/bin/Release/net10.0/edgenode-kafka-mock.dll"
  command -v kcat >/dev/null 2>&1 || ensure_apt_peers kcat:kcat
  if [ "$no_build" != 1 ] || [ ! -f "$bridge_dll" ] || [ ! -f "$mock_dll" ]; then
    log "building the Kafka bridge and the mock Kafka broker (Release)"
    dotnet build src/EdgeNode.Bridge/EdgeNode.Bridge.csproj -c Release -nologo -clp:ErrorsOnly
    dotnet build src/EdgeNode.KafkaMock/EdgeNode.KafkaMock.csproj -c Release -nologo -clp:ErrorsOnly
  fi
  demo_start kafka "$DEMO_TMP/kafka.log" dotnet "$mock_dll" --brokers 1 --partitions 3 --topic sparkplug.data --topic sparkplug.state \
    --bootstrap-file "$DEMO_TMP/kafka.bootstrap"
  for i in $(seq 1 300); do
    [ -s "$DEMO_TMP/kafka.bootstrap" ] && break
    demo_alive "${DEMO_PIDS[-1]}" || demo_fail "the mock Kafka broker stopped: $(cat "$DEMO_TMP/kafka.log")"
    sleep 0.1
  done
  bootstrap="$(head -1 "$DEMO_TMP/kafka.bootstrap")"
  [ -n "$bootstrap" ] || demo_fail "the mock Kafka broker did not start"
  log "kafka    edgenode-kafka-mock (librdkafka's mock cluster, a test tool) on $bootstrap (pid ${DEMO_PIDS[-1]})"
  cat >"$DEMO_TMP/edgenode-bridge.yaml" <<YAML
mqtt: { servers: ["mqtt://127.0.0.1:$mqtt_port"], clientId: demo-bridge, reconnectMaxMs: 2000 }
sparkplug: { hostId: DemoKafkaBridge }
kafka: { bootstrapServers: "$bootstrap", keyBy: device }
YAML
  STATE_DIRECTORY="$DEMO_TMP/bridge-state" demo_start bridge "$DEMO_TMP/bridge.log" dotnet "$bridge_dll" run --config "$DEMO_TMP/edgenode-bridge.yaml"
  for i in $(seq 1 300); do
    grep -q "Subscribed to" "$DEMO_TMP/bridge.log" 2>/dev/null && break
    demo_alive "${DEMO_PIDS[-1]}" || demo_fail "the bridge stopped: $(cat "$DEMO_TMP/bridge.log")"
    sleep 0.1
  done
  log "bridge   edgenode-bridge run (host application DemoKafkaBridge; topics sparkplug.data, sparkplug.state; pid ${DEMO_PIDS[-1]})"
  demo_start consumer - kcat -b "$bootstrap" -G demo-console -X auto.offset.reset=earliest -u -q -f 'kafka %t %k %s\n' \
    sparkplug.data sparkplug.state
  log "consumer kcat: every record on sparkplug.data and sparkplug.state, prefixed 'kafka <topic> <key>' (pid ${DEMO_PIDS[-1]})"
}

cmd_package() {
  need_dotnet
  # One publish per application and form (amd64 and arm64: the node NativeAOT, the bridge self-contained; armhf
  # framework-dependent), one .deb per application and architecture with only its own native files; the bridge once its
  # project exists. build-deb.sh installs NativeAOT's toolchain (clang, the aarch64 cross libraries) from apt if missing.
  "$ROOT/packaging/build-deb.sh" --out "$ARTIFACTS/packages"
}

cmd_bench() {
  need_dotnet
  ensure_apt_peers
  ensure_npm_peers
  dotnet build tests/EdgeNode.Benchmarks/EdgeNode.Benchmarks.csproj -c Release -nologo -clp:ErrorsOnly
  dotnet tests/EdgeNode.Benchmarks/bin/Release/net10.0/EdgeNode.Benchmarks.dll "$@"
}

# Issue 15 soak: the node under the 15,000-tag workload with a flapping broker link, and the bridge to Kafka
# (tests/EdgeNode.Bridge.Tests/SoakTests.cs, long). Samples go to artifacts/soak/soak-<UTC>.csv and are drawn as a PNG
# beside it. Not part of `test` (which runs its 30-second version). The single-device flapping test with its
# per-change delivery check runs long with: EDGENODE_SOAK_MINUTES=10 dotnet test tests/EdgeNode.EndToEnd.Tests ... BrokerFlappingTests
cmd_soak() {
  need_dotnet
  # the chart: matplotlib from Debian
  ensure_apt_peers
  /usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-matplotlib; }
  local minutes="${1:-10}"
  [[ "$minutes" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "soak: minutes must be a number, got '$minutes'" >&2; exit 2; }
  local stamp csv rc=0
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$ARTIFACTS/soak"
  csv="$ARTIFACTS/soak/soak-$stamp.csv"
  log "soak: 60 Modbus TCP units x 250 registers, broker link flapping, node + bridge, for $minutes minute(s); samples in $csv"
  EDGENODE_SOAK_MINUTES="$minutes" EDGENODE_SOAK_CSV="$csv" nice -n 5 dotnet test tests/EdgeNode.Bridge.Tests/EdgeNode.Bridge.Tests.csproj -c Release -nologo \
    --filter "FullyQualifiedName~SoakTests" --logger "console;verbosity=detailed" || rc=$?
  if [ -s "$csv" ]; then
    /usr/bin/python3 tests/EdgeNode.Bridge.Tests/soak_chart.py "$csv" "${csv%.csv}.png" \
      "EdgeNode soak $stamp: 15,000 tags, broker link flapping (up 2-10 s, down 1 s), $minutes min" && log "chart: ${csv%.csv}.png"
  fi
  return "$rc"
}

sub="${1:-build}"
[ $# -gt 0 ] && shift
case "$sub" in
  build) cmd_build ;;
  test) cmd_test ;;
  publish) cmd_publish ;;
  demo) demo_default_sigint "$@"; cmd_demo "$@" ;;
  package) cmd_package ;;
  bench) cmd_bench "$@" ;;
  soak) cmd_soak "$@" ;;
  -h|--help|help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) echo "unknown command '$sub' (build, test, publish, demo, package, bench, soak)" >&2; exit 2 ;;
esac
