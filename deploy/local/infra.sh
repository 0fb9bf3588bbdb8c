#!/usr/bin/env bash
# Local infrastructure for development, demo and CI: a real single-node Kafka (KRaft) and a real
# OpenSearch 2.19 node from Maven Central jars, on loopback, plus a readiness check of PostgreSQL.
# See docs/infra.md.
#
#   deploy/local/infra.sh up [kafka|opensearch ...]
#                                       start what is missing, wait until ready, print settings;
#                                       naming services starts only those (a benchmark that needs
#                                       no OpenSearch leaves its JVM off the machine)
#   deploy/local/infra.sh down [--purge] stop what `up` started (--purge: also wipe data dirs)
#   deploy/local/infra.sh status        running or not, pid, URL (exit 1 if something is not ready)
#   deploy/local/infra.sh env           `export ...` lines, for: eval "$(deploy/local/infra.sh env)"
#   deploy/local/infra.sh smoke         end-to-end check of the features the project relies on
#
# Your own services: set KAFKA_BROKERS / OPENSEARCH_URL / DATABASE_URL and `up` only checks them.
# Knobs: INFRA_HOME (default <repo>/.cache/infra), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
# OPENSEARCH_PORT (9200), OPENSEARCH_TRANSPORT_PORT (9300-9399), KAFKA_HEAP (512m),
# OPENSEARCH_HEAP (512m), INFRA_TIMEOUT (120 s), INFRA_STOP_TIMEOUT (20 s).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)

INFRA_HOME=${INFRA_HOME:-$REPO_ROOT/.cache/infra}
case $INFRA_HOME in /*) ;; *) INFRA_HOME=$PWD/$INFRA_HOME ;; esac

KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
OPENSEARCH_PORT=${OPENSEARCH_PORT:-9200}
OPENSEARCH_TRANSPORT_PORT=${OPENSEARCH_TRANSPORT_PORT:-9300-9399}
KAFKA_HEAP=${KAFKA_HEAP:-512m}
OPENSEARCH_HEAP=${OPENSEARCH_HEAP:-512m}
INFRA_TIMEOUT=${INFRA_TIMEOUT:-120}
INFRA_STOP_TIMEOUT=${INFRA_STOP_TIMEOUT:-20}
PG_DEFAULT_URL=postgres://postgres@127.0.0.1:5432/postgres

KAFKA_LIB=$INFRA_HOME/kafka-lib
OS_LIB=$INFRA_HOME/opensearch-lib
KAFKA_DIR=$INFRA_HOME/kafka          # server.properties, log4j.properties, cluster.id, data/
OS_DIR=$INFRA_HOME/opensearch        # OpenSearch home: node_1/{config,data,logs}
RUN_DIR=$INFRA_HOME/run              # pid files
LOG_DIR=$INFRA_HOME/logs             # stdout/stderr of each JVM (previous run kept as *.log.1)
KAFKA_PID=$RUN_DIR/kafka.pid
OS_PID=$RUN_DIR/opensearch.pid
KAFKA_LOG=$LOG_DIR/kafka.log
OS_LOG=$LOG_DIR/opensearch.log

LOCAL_KAFKA=127.0.0.1:$KAFKA_PORT
LOCAL_OS=http://127.0.0.1:$OPENSEARCH_PORT

if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then JAVA=$JAVA_HOME/bin/java; else JAVA=java; fi

# ---------------------------------------------------------------------------------------------
say() { printf '%s\n' "$*"; }
now_ms() { local t=${EPOCHREALTIME:-$SECONDS.000}; t=${t/,/.}; printf '%s\n' $((${t%.*} * 1000 + 10#$(printf '%.3s' "${t#*.}000"))); }
since() { local d=$(($(now_ms) - $1)); printf '%d.%ds' $((d / 1000)) $((d % 1000 / 100)); } # elapsed since a now_ms value
die() { printf 'infra: %s\n' "$*" >&2; exit 1; }
# Hide a password in a URL before printing it.
mask() { sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<<"$1"; }

port_open() { # host port
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# Prints the pid from pid file $1 if that process is alive AND its command line contains $2
# (so a recycled pid is never mistaken for ours). Returns 1 otherwise.
our_pid() {
  local file=$1 marker=$2 pid args
  [[ -f $file ]] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r /proc/$pid/cmdline ]]; then args=$(tr '\0' ' ' <"/proc/$pid/cmdline"); else args=$(ps -ww -o args= -p "$pid" 2>/dev/null || true); fi
  [[ $args == *"$marker"* ]] || return 1
  printf '%s\n' "$pid"
}
kafka_marker() { printf 'kafka.Kafka %s' "$KAFKA_DIR/server.properties"; }
os_marker() { printf 'Launcher.java --home %s' "$OS_DIR"; }

# Starts "$@" in its own session (survives the calling shell, CI step or terminal), stdin from
# /dev/null, output appended to $2's log; the pid written is the JVM's own (bash execs into it).
spawn() { # pidfile logfile cmd...
  local pidfile=$1 logfile=$2
  shift 2
  rm -f "$pidfile"
  # 9>&-: do not let the JVM inherit (and so keep holding) the flock of up/down.
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 9>&- &
  local i
  for i in $(seq 1 50); do [[ -s $pidfile ]] && return 0; sleep 0.1; done
  die "could not start: $*"
}

rotate_log() { [[ -f $1 ]] && mv -f "$1" "$1.1"; : >"$1"; }

log_tail() { # name logfile
  say "---- last 40 lines of $2 ----" >&2
  tail -n 40 "$2" >&2 2>/dev/null || true
  say "---- end of $1 log ----" >&2
}

check_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (need a JDK/JRE 11+, 17 recommended; set JAVA_HOME)"
  local v
  v=$("$JAVA" -version 2>&1 | sed -nE 's/.*version "([0-9]+)(\.[0-9]+)*.*/\1/p' | head -n1)
  [[ -n $v && $v -ge 11 ]] || die "java 11+ required (found: $("$JAVA" -version 2>&1 | head -n1))"
}

check_node_kafkajs() {
  command -v node >/dev/null 2>&1 || die "node not found (needed for the Kafka readiness check)"
  (cd "$REPO_ROOT" && node -e "require.resolve('kafkajs')" >/dev/null 2>&1) ||
    die "kafkajs not found in $REPO_ROOT/node_modules: run 'npm ci' first"
}

# Copies the runtime jars of a pom into a lib folder (once; again if the pom changes).
ensure_libs() { # name pomdir libdir
  local name=$1 pomdir=$2 lib=$3 sum
  sum=$(cksum <"$pomdir/pom.xml" | cut -d' ' -f1)
  if [[ -f $lib/.fetched && $(cat "$lib/.fetched") == "$sum" ]] && compgen -G "$lib/*.jar" >/dev/null; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "$name: jars missing in $lib and mvn not found (install Maven)"
  say "$name: fetching jars from Maven Central into $lib ..."
  local t0 out
  t0=$(now_ms)
  rm -rf "$lib"
  mkdir -p "$lib"
  out=$(cd "$pomdir" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$lib" 2>&1) ||
    { printf '%s\n' "$out" >&2; die "$name: mvn dependency:copy-dependencies failed (pom: $pomdir/pom.xml)"; }
  # OpenSearch plugins (k-NN) are published as zips of jars: put their jars on the classpath too.
  local zip
  for zip in "$lib"/*.zip; do
    [[ -e $zip ]] || continue
    if command -v unzip >/dev/null 2>&1; then unzip -q -o -j "$zip" '*.jar' -d "$lib"; else (cd "$lib" && jar xf "$zip"); fi ||
      die "$name: could not unpack $zip"
    rm -f "$zip"
  done
  printf '%s\n' "$sum" >"$lib/.fetched"
  say "$name: $(find "$lib" -name '*.jar' | wc -l) jars fetched in $(since "$t0")"
}

# ---------------------------------------------------------------------------------------------
# Kafka
write_kafka_config() {
  mkdir -p "$KAFKA_DIR/data"
  cat >"$KAFKA_DIR/server.properties" <<EOF
# Written by deploy/local/infra.sh on each start: edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
EOF
  cat >"$KAFKA_DIR/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.org.apache.kafka.clients=WARN
EOF
}

kafka_java() { # extra args...
  "$JAVA" -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" -cp "$KAFKA_LIB/*" "$@"
}

# Formats the data dir once; a data dir formatted for another cluster id (or node id) is wiped.
format_kafka() {
  local idfile=$KAFKA_DIR/cluster.id meta=$KAFKA_DIR/data/meta.properties id
  if [[ ! -s $idfile ]]; then
    kafka_java kafka.tools.StorageTool random-uuid 2>>"$KAFKA_LOG" | grep -E '^[A-Za-z0-9_-]{22}$' | tail -n1 >"$idfile.tmp" || true
    [[ -s $idfile.tmp ]] || { rm -f "$idfile.tmp"; log_tail kafka "$KAFKA_LOG"; die "kafka: StorageTool random-uuid failed"; }
    mv "$idfile.tmp" "$idfile"
  fi
  id=$(<"$idfile")
  if [[ -f $meta ]]; then
    if grep -qx "cluster.id=$id" "$meta" && grep -qx 'node.id=1' "$meta"; then
      return 0
    fi
    say "kafka: $KAFKA_DIR/data was formatted for another cluster ($(grep -E '^cluster.id=' "$meta" || echo '?')), wiping it"
    rm -rf "$KAFKA_DIR/data"
    mkdir -p "$KAFKA_DIR/data"
  fi
  kafka_java kafka.tools.StorageTool format -t "$id" -c "$KAFKA_DIR/server.properties" >>"$KAFKA_LOG" 2>&1 ||
    { log_tail kafka "$KAFKA_LOG"; die "kafka: StorageTool format failed"; }
  KAFKA_FORMATTED=1
}

start_kafka() {
  write_kafka_config
  rotate_log "$KAFKA_LOG"
  KAFKA_FORMATTED=0
  format_kafka
  spawn "$KAFKA_PID" "$KAFKA_LOG" "$JAVA" "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_DIR/server.properties"
}

wait_kafka() { # brokers timeout [pid] -> 0 ready
  local brokers=$1 t=$2 pid=${3:-} args=()
  if [[ -n $pid ]]; then args=(--probe-topic --pid "$pid"); fi
  (cd "$REPO_ROOT" && node "$SCRIPT_DIR/wait-kafka.mjs" --brokers "$brokers" --timeout "$t" "${args[@]}")
}

# ---------------------------------------------------------------------------------------------
# OpenSearch
start_opensearch() {
  mkdir -p "$OS_DIR"
  rotate_log "$OS_LOG"
  # The runner copies config/opensearch.yml and log4j2.properties into the home on first start.
  spawn "$OS_PID" "$OS_LOG" "$JAVA" "-Xms$OPENSEARCH_HEAP" "-Xmx$OPENSEARCH_HEAP" \
    -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow -XX:+HeapDumpOnOutOfMemoryError \
    -XX:HeapDumpPath="$OS_DIR" -Djava.io.tmpdir="$OS_DIR/tmp" \
    -Dfile.encoding=UTF-8 -Djava.awt.headless=true -Djna.nosys=true \
    -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true \
    -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true -Dio.netty.recycler.maxCapacityPerThread=0 \
    -cp "$OS_LIB/*" "$SCRIPT_DIR/opensearch/Launcher.java" \
    --home "$OS_DIR" --port "$OPENSEARCH_PORT" --transport-port "$OPENSEARCH_TRANSPORT_PORT" \
    --cluster-name shopper-signal-local
}

os_health() { # url -> prints status json, 0 when yellow or green
  curl -fsS --max-time 10 "$1/_cluster/health?wait_for_status=yellow&timeout=5s" 2>/dev/null
}

wait_opensearch() { # url timeout [pid]
  local url=$1 t=$2 pid=${3:-} deadline=$((SECONDS + $2)) out
  while :; do
    # Our own node also has to print OPENSEARCH_READY (printed after its startup settings are applied).
    if out=$(os_health "$url") && { [[ -z $pid || ! -f $OS_LOG ]] || grep -q '^OPENSEARCH_READY' "$OS_LOG"; }; then
      sed -nE 's/.*"status":"([a-z]+)".*/status \1/p' <<<"$out"
      return 0
    fi
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      say "wait-opensearch: process $pid exited before OpenSearch became ready" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      say "wait-opensearch: $(mask "$url") not ready after $t s" >&2
      return 1
    fi
    sleep 1
  done
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL (never started as a child of this script, never stopped by it)
pg_ready() { # url
  if command -v psql >/dev/null 2>&1; then
    PGCONNECT_TIMEOUT=3 psql "$1" -X -At -v ON_ERROR_STOP=1 -c 'select 1' >/dev/null 2>&1
  else
    (cd "$REPO_ROOT" && PGURL=$1 node -e "
      const { Client } = require('pg');
      const c = new Client({ connectionString: process.env.PGURL, connectionTimeoutMillis: 3000 });
      c.connect().then(() => c.query('select 1')).then(() => c.end()).then(() => process.exit(0), () => process.exit(1));
    " >/dev/null 2>&1)
  fi
}

up_postgres() {
  local url=${DATABASE_URL:-$PG_DEFAULT_URL} how=external
  [[ -n ${DATABASE_URL:-} ]] || how=local
  if pg_ready "$url"; then
    say "postgres:   ready ($how) at $(mask "$url")"
    return 0
  fi
  if [[ $how == local ]] && command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d /etc/postgresql ]]; then
    local ver
    ver=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -n1)
    say "postgres:   not answering, trying: pg_ctlcluster --skip-systemctl-redirect $ver main start"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start 9>&- || true
    local i
    for i in $(seq 1 30); do
      if pg_ready "$url"; then
        say "postgres:   started cluster $ver/main, ready at $(mask "$url")"
        return 0
      fi
      sleep 1
    done
  fi
  say "postgres:   NOT ready at $(mask "$url") (start PostgreSQL or set DATABASE_URL)" >&2
  return 1
}

# ---------------------------------------------------------------------------------------------
# up
cmd_up() {
  local t0 failed=0 kafka_mode os_mode kpid ospid want_kafka=1 want_os=1
  if [[ $# -gt 0 ]]; then
    want_kafka=0 want_os=0
    for s in "$@"; do
      case $s in
        kafka) want_kafka=1 ;;
        opensearch) want_os=1 ;;
        *) die "up: unknown service '$s' (kafka, opensearch)" ;;
      esac
    done
  fi
  t0=$(now_ms)
  mkdir -p "$INFRA_HOME" "$RUN_DIR" "$LOG_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$INFRA_HOME/.lock"
    flock -w 300 9 || die "another infra.sh up/down holds $INFRA_HOME/.lock"
  fi

  # Decide what to do for each service.
  if ((!want_kafka)); then
    kafka_mode=skip
  elif [[ -n ${KAFKA_BROKERS:-} ]]; then
    kafka_mode=external
  elif kpid=$(our_pid "$KAFKA_PID" "$(kafka_marker)"); then
    kafka_mode=running
  else
    rm -f "$KAFKA_PID"
    kafka_mode=start
    for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
      port_open 127.0.0.1 "$p" && die "kafka: port $p is used by a process infra.sh did not start; stop it, set KAFKA_BROKERS to use it, or pick KAFKA_PORT/KAFKA_CONTROLLER_PORT"
    done
  fi
  if ((!want_os)); then
    os_mode=skip
  elif [[ -n ${OPENSEARCH_URL:-} ]]; then
    os_mode=external
  elif ospid=$(our_pid "$OS_PID" "$(os_marker)"); then
    os_mode=running
  else
    rm -f "$OS_PID"
    os_mode=start
    port_open 127.0.0.1 "$OPENSEARCH_PORT" && die "opensearch: port $OPENSEARCH_PORT is used by a process infra.sh did not start; stop it, set OPENSEARCH_URL to use it, or pick OPENSEARCH_PORT"
  fi

  [[ $kafka_mode == start || $os_mode == start ]] && check_java
  check_node_kafkajs
  command -v curl >/dev/null 2>&1 || die "curl not found"
  [[ $kafka_mode == start ]] && ensure_libs kafka "$SCRIPT_DIR/kafka" "$KAFKA_LIB"
  [[ $os_mode == start ]] && ensure_libs opensearch "$SCRIPT_DIR/opensearch" "$OS_LIB"

  # Start OpenSearch first (slowest), then Kafka; both JVMs boot side by side.
  local os_note kafka_note ts
  ts=$(now_ms)
  case $os_mode in
    start) start_opensearch; ospid=$(<"$OS_PID"); os_note="started (pid $ospid, heap $OPENSEARCH_HEAP, home $OS_DIR)" ;;
    running) os_note="already running (pid $ospid), not started again" ;;
    external) os_note="using OPENSEARCH_URL (external, nothing started)" ;;
  esac
  case $kafka_mode in
    start)
      start_kafka
      kpid=$(<"$KAFKA_PID")
      kafka_note="started (pid $kpid, heap $KAFKA_HEAP, data $KAFKA_DIR/data)"
      if [[ $KAFKA_FORMATTED == 1 ]]; then kafka_note="${kafka_note%)}, freshly formatted)"; fi
      ;;
    running) kafka_note="already running (pid $kpid), not started again" ;;
    external) kafka_note="using KAFKA_BROKERS (external, nothing started)" ;;
  esac

  up_postgres || failed=1

  # Wait for both in parallel.
  local kres=$RUN_DIR/.wait-kafka.$$ kwait=
  if [[ $kafka_mode != skip ]]; then
    (
      if [[ $kafka_mode == external ]]; then wait_kafka "$KAFKA_BROKERS" "$INFRA_TIMEOUT"; else wait_kafka "$LOCAL_KAFKA" "$INFRA_TIMEOUT" "$kpid"; fi
    ) >"$kres" 2>&1 &
    kwait=$!
  fi

  local os_url=${OPENSEARCH_URL:-$LOCAL_OS} os_ok=1 os_status
  if [[ $os_mode == external ]]; then
    os_status=$(wait_opensearch "$os_url" "$INFRA_TIMEOUT") || os_ok=0
  elif [[ $os_mode != skip ]]; then
    os_status=$(wait_opensearch "$os_url" "$INFRA_TIMEOUT" "$ospid") || os_ok=0
  fi
  local os_elapsed k_ok=1 k_elapsed
  os_elapsed=$(since "$ts")
  [[ -z $kwait ]] || wait "$kwait" || k_ok=0
  k_elapsed=$(since "$ts")

  if [[ $kafka_mode == skip ]]; then
    say "kafka:      not asked for, not started"
  elif ((k_ok)); then
    say "kafka:      $kafka_note; ready after $k_elapsed at ${KAFKA_BROKERS:-$LOCAL_KAFKA} ($(sed -nE 's/^wait-kafka: ready \((.*)\)$/\1/p' "$kres"))"
  else
    failed=1
    say "kafka:      $kafka_note; NOT READY after $k_elapsed" >&2
    cat "$kres" >&2
    [[ $kafka_mode == external ]] || log_tail kafka "$KAFKA_LOG"
  fi
  rm -f "$kres"
  if [[ $os_mode == skip ]]; then
    say "opensearch: not asked for, not started"
  elif ((os_ok)); then
    say "opensearch: $os_note; ready after $os_elapsed at $(mask "$os_url") ($os_status)"
  else
    failed=1
    say "opensearch: $os_note; NOT READY after $os_elapsed" >&2
    [[ $os_mode == external ]] || log_tail opensearch "$OS_LOG"
  fi

  if ((failed)); then
    say "infra: up FAILED after $(since "$t0") (logs: $LOG_DIR)" >&2
    exit 1
  fi
  say "infra: up in $(since "$t0"). Connection settings:"
  [[ $kafka_mode == skip ]] || say "KAFKA_BROKERS=${KAFKA_BROKERS:-$LOCAL_KAFKA}"
  [[ $os_mode == skip ]] || say "OPENSEARCH_URL=$(mask "$os_url")"
  say "DATABASE_URL=$(mask "${DATABASE_URL:-$PG_DEFAULT_URL}")"
}

# ---------------------------------------------------------------------------------------------
# down
stop_one() { # name pidfile marker port
  local name=$1 pidfile=$2 marker=$3 port=$4 pid i t0
  t0=$(now_ms)
  if [[ ! -f $pidfile ]]; then
    if port_open 127.0.0.1 "$port"; then
      say "$name: no pid file; port $port is answering but that process was not started by infra.sh, left alone"
    else
      say "$name: not running"
    fi
    return 0
  fi
  if ! pid=$(our_pid "$pidfile" "$marker"); then
    say "$name: stale pid file (pid $(cat "$pidfile") is gone or is not ours), removed"
    rm -f "$pidfile"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < INFRA_STOP_TIMEOUT * 4; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
    say "$name: pid $pid did not stop within ${INFRA_STOP_TIMEOUT}s after SIGTERM, sent SIGKILL"
  else
    say "$name: stopped (pid $pid, SIGTERM, $(since "$t0"))"
  fi
  rm -f "$pidfile"
}

cmd_down() {
  local purge=0
  [[ ${1:-} == --purge ]] && purge=1
  [[ -z ${1:-} || $purge == 1 ]] || die "usage: $0 down [--purge]"
  if [[ -d $INFRA_HOME ]] && command -v flock >/dev/null 2>&1; then
    exec 9>"$INFRA_HOME/.lock"
    flock -w 300 9 || die "another infra.sh up/down holds $INFRA_HOME/.lock"
  fi
  stop_one kafka "$KAFKA_PID" "$(kafka_marker)" "$KAFKA_PORT" &
  local k=$!
  stop_one opensearch "$OS_PID" "$(os_marker)" "$OPENSEARCH_PORT"
  wait "$k" || true
  say "postgres: left alone (not started by infra.sh)"
  if ((purge)); then
    if our_pid "$KAFKA_PID" "$(kafka_marker)" >/dev/null || our_pid "$OS_PID" "$(os_marker)" >/dev/null; then
      die "a service is still running, not purging"
    fi
    rm -rf "$KAFKA_DIR" "$OS_DIR"
    say "purged: $KAFKA_DIR $OS_DIR (jar cache and logs kept)"
  fi
}

# ---------------------------------------------------------------------------------------------
# status / env
cmd_status() {
  local bad=0 pid
  if [[ -n ${KAFKA_BROKERS:-} ]]; then
    if wait_kafka "$KAFKA_BROKERS" 3 >/dev/null 2>&1; then say "kafka:      external, reachable   $KAFKA_BROKERS"; else say "kafka:      external, NOT reachable   $KAFKA_BROKERS"; bad=1; fi
  elif pid=$(our_pid "$KAFKA_PID" "$(kafka_marker)"); then
    if port_open 127.0.0.1 "$KAFKA_PORT"; then say "kafka:      running      pid $pid   $LOCAL_KAFKA   (log $KAFKA_LOG)"; else say "kafka:      starting (port closed)   pid $pid   $LOCAL_KAFKA"; bad=1; fi
  else
    say "kafka:      not running   $LOCAL_KAFKA$(port_open 127.0.0.1 "$KAFKA_PORT" && echo '   (port answers: a process not started by infra.sh)')"
    bad=1
  fi
  local os_url=${OPENSEARCH_URL:-$LOCAL_OS} health
  if [[ -n ${OPENSEARCH_URL:-} ]]; then
    if health=$(curl -fsS --max-time 5 "$os_url/_cluster/health" 2>/dev/null); then say "opensearch: external, reachable   $(mask "$os_url")   $(sed -nE 's/.*"status":"([a-z]+)".*/status \1/p' <<<"$health")"; else say "opensearch: external, NOT reachable   $(mask "$os_url")"; bad=1; fi
  elif pid=$(our_pid "$OS_PID" "$(os_marker)"); then
    if health=$(curl -fsS --max-time 5 "$os_url/_cluster/health" 2>/dev/null); then
      say "opensearch: running      pid $pid   $os_url   $(sed -nE 's/.*"status":"([a-z]+)".*/status \1/p' <<<"$health")   (log $OS_LOG)"
    else
      say "opensearch: starting (HTTP not answering)   pid $pid   $os_url"
      bad=1
    fi
  else
    say "opensearch: not running   $os_url$(port_open 127.0.0.1 "$OPENSEARCH_PORT" && echo '   (port answers: a process not started by infra.sh)')"
    bad=1
  fi
  local pg=${DATABASE_URL:-$PG_DEFAULT_URL}
  if pg_ready "$pg"; then say "postgres:   ready        $([[ -n ${DATABASE_URL:-} ]] && echo external || echo 'system service')   $(mask "$pg")"; else say "postgres:   NOT ready    $(mask "$pg")"; bad=1; fi
  return $bad
}

cmd_env() {
  printf 'export KAFKA_BROKERS=%q\n' "${KAFKA_BROKERS:-$LOCAL_KAFKA}"
  printf 'export OPENSEARCH_URL=%q\n' "${OPENSEARCH_URL:-$LOCAL_OS}"
  printf 'export DATABASE_URL=%q\n' "${DATABASE_URL:-$PG_DEFAULT_URL}"
}

cmd_smoke() {
  check_node_kafkajs
  (cd "$REPO_ROOT" && KAFKA_BROKERS=${KAFKA_BROKERS:-$LOCAL_KAFKA} OPENSEARCH_URL=${OPENSEARCH_URL:-$LOCAL_OS} \
    node "$SCRIPT_DIR/smoke.mjs")
}

usage() {
  sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

case ${1:-} in
  up) shift; cmd_up "$@" ;;
  down) shift; cmd_down "$@" ;;
  status) shift; cmd_status "$@" ;;
  env) shift; cmd_env "$@" ;;
  smoke) shift; cmd_smoke "$@" ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 64 ;;
esac
