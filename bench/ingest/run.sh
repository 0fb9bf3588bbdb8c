#!/usr/bin/env bash
# Ingest benchmark (`npm run bench`): events/s accepted by the gateway and carried through ingest
# to events.enriched.v1, against a raw kafkajs producer writing the same events to the same broker
# in the same run. See docs/benchmarks.md for what is measured, how, and the latest numbers.
#
# Steps: build if dist is missing -> deploy/local/infra.sh up (shared infra; Postgres check) ->
# a dedicated Kafka for the run (see below) -> fresh bench database -> gateway and ingest as
# processes from dist (logs in .cache/bench/) -> write keys -> dist/bench/ingest/ingest.bench.js
# -> stop the services and the dedicated Kafka it started (the shared infra is left running).
#
# Knobs (env):
#   BENCH_EVENTS (200000)  BENCH_BATCH (500)  BENCH_CONCURRENCY (8)  BENCH_ROUNDS (3)
#   BENCH_WARMUP_EVENTS (50000)  BENCH_TARGET (0.7)  BENCH_E2E_TIMEOUT_S (600)
#   BENCH_KAFKA_BROKERS=host:port  use that Kafka instead of a dedicated one (e.g. 127.0.0.1:9092)
#   BENCH_KAFKA_PORT (first free of 19092, 19192, ...; controller on +1)
#   BENCH_KEEP_KAFKA=1  leave the dedicated Kafka up after the run (the next run replaces it)
#   BENCH_DB (signal_bench)  BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres)
#   BENCH_RAW_TOPIC (bench.raw.v1)  BENCH_GATEWAY_PORT / BENCH_INGEST_PORT (default: free ports)
#   BENCH_CPU_PROF=1  V8 CPU profiles of round 1 in .cache/bench/prof/ (raw producer, gateway
#                     alone, ingest working off the backlog) with summaries (*.txt)
#   BENCH_NODE_OPTIONS (--max-semi-space-size=64)  node options for gateway, ingest AND the
#                     benchmark process (the raw producer), like for like; the default is what
#                     deploy/k8s and tools/services.sh run the services with
#   BENCH_SERVICE_NODE_OPTIONS  extra node options for gateway and ingest only (experiments)
#   BENCH_SERVICES_DIST  build the services run from (default dist; e.g. a patched copy under
#                        the repo, so node_modules resolves), to measure a change before making it
#   BENCH_RAW_SERIALIZE=1  count JSON.stringify of each message in the raw producer's time
#                     (default: serialized before the clock starts, the strict limit)
#   BENCH_BUILD=1  rebuild (npm run build) first
# Exit status: 0 target met, 3 target missed, anything else: the benchmark could not run.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO_ROOT"
OUT=$REPO_ROOT/.cache/bench
mkdir -p "$OUT"

say() { printf '[bench] %s\n' "$*"; }
die() { printf '[bench] %s\n' "$*" >&2; exit 1; }
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# --- build ------------------------------------------------------------------------------------
if [[ ${BENCH_BUILD:-0} == 1 || ! -f dist/apps/gateway/src/main.js || ! -f dist/apps/ingest/src/main.js ]]; then
  say "building (npm run build)"
  npm run -s build
elif [[ ! -f dist/bench/ingest/ingest.bench.js || -n $(find bench/ingest -name '*.ts' -newer dist/bench/ingest/ingest.bench.js) ]]; then
  # Services are built; compile only the benchmark so a dist in use by someone else is not wiped.
  say "compiling bench/ into dist/bench"
  npx swc bench -d dist --quiet --extensions .ts
fi

# --- cleanup: only what this script started ------------------------------------------------------
PIDS=()
OWN_KAFKA=0
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
KPORT=${BENCH_KAFKA_PORT:-}
if [[ -z $KPORT && -z ${BENCH_KAFKA_BROKERS:-} ]]; then
  # A leftover dedicated Kafka (a run that was killed, or BENCH_KEEP_KAFKA=1) goes first.
  if [[ -f $OUT/infra/run/kafka.pid ]]; then env INFRA_HOME="$OUT/infra" bash deploy/local/infra.sh down --purge >>"$OUT/infra.log" 2>&1 || true; fi
  for p in $(seq 19092 100 29092); do
    if port_free "$p" && port_free "$((p + 1))"; then KPORT=$p; break; fi
  done
  [[ -n $KPORT ]] || die "no free port pair for the benchmark's Kafka; set BENCH_KAFKA_PORT"
fi
BENCH_INFRA=(env INFRA_HOME="$OUT/infra" KAFKA_PORT="${KPORT:-19092}" KAFKA_CONTROLLER_PORT="$((${KPORT:-19092} + 1))")
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local rc=$?
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ ${#PIDS[@]} -gt 0 ]]; then say "services stopped (logs: .cache/bench/gateway.log, .cache/bench/ingest.log)"; fi
  if [[ $OWN_KAFKA == 1 && ${BENCH_KEEP_KAFKA:-0} != 1 ]]; then
    if "${BENCH_INFRA[@]}" bash deploy/local/infra.sh down --purge >>"$OUT/infra.log" 2>&1; then say "dedicated Kafka stopped and purged"; else say "could not stop the dedicated Kafka; see .cache/bench/infra.log"; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- infrastructure -----------------------------------------------------------------------------
# The shared local infra first (idempotent: starts Kafka :9092 and OpenSearch if missing, checks
# Postgres). The measurement itself runs against a DEDICATED Kafka by default: a second
# single-node Kafka 3.9.1 from the same script, jars and settings, on 127.0.0.1:19092 (or the next
# free port pair), freshly
# formatted and purged afterwards. On the shared Kafka, other sessions' test ingests (with their
# own consumer groups) also enrich the bench's events, which skews the end-to-end count, and each
# run would leave ~1 GB of events in events.raw.v1/events.enriched.v1 for every consumer that
# reads those topics from the beginning.
BENCH_PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BENCH_DB=${BENCH_DB:-signal_bench}
export BENCH_PG_URL BENCH_DB
say "infra: deploy/local/infra.sh up (log .cache/bench/infra.log)"
DATABASE_URL=$BENCH_PG_URL bash deploy/local/infra.sh up >"$OUT/infra.log" 2>&1 || { cat "$OUT/infra.log" >&2; die "infra did not come up"; }
if [[ -n ${BENCH_KAFKA_BROKERS:-} ]]; then
  export KAFKA_BROKERS=$BENCH_KAFKA_BROKERS
  KAFKA_PID=$(tr -dc '0-9' <"${INFRA_HOME:-$REPO_ROOT/.cache/infra}/run/kafka.pid" 2>/dev/null || true)
else
  say "infra: dedicated Kafka on 127.0.0.1:$KPORT (data in .cache/bench/infra, purged afterwards)"
  OWN_KAFKA=1
  "${BENCH_INFRA[@]}" OPENSEARCH_URL="${OPENSEARCH_URL:-http://127.0.0.1:9200}" DATABASE_URL="$BENCH_PG_URL" \
    bash deploy/local/infra.sh up >>"$OUT/infra.log" 2>&1 || { tail -n 30 "$OUT/infra.log" >&2; die "the benchmark's Kafka did not come up"; }
  export KAFKA_BROKERS=127.0.0.1:$KPORT
  KAFKA_PID=$(tr -dc '0-9' <"$OUT/infra/run/kafka.pid" 2>/dev/null || true)
fi
# Its own consumer group when the build supports KAFKA_GROUP_ID (matters on a shared Kafka).
if grep -q KAFKA_GROUP_ID dist/libs/platform/src/config/config.js 2>/dev/null; then
  export BENCH_INGEST_GROUP=${BENCH_INGEST_GROUP:-bench-ingest}
else
  export BENCH_INGEST_GROUP=ingest
fi

node dist/bench/ingest/setup.js database

# --- services -----------------------------------------------------------------------------------
GW_PORT=${BENCH_GATEWAY_PORT:-$(free_port)}
IN_PORT=${BENCH_INGEST_PORT:-$(free_port)}
ADMIN_TOKEN="bench-$(node -p 'require("crypto").randomBytes(18).toString("hex")')"
DB_URL="${BENCH_PG_URL%/*}/$BENCH_DB"
NODE_FLAGS=()
if [[ ${BENCH_CPU_PROF:-0} == 1 ]]; then
  rm -rf "$OUT/prof"
  NODE_FLAGS=(-r "$REPO_ROOT/dist/bench/ingest/cpu-profile.js")
fi
# shellcheck disable=SC2206 # word splitting intended: lists of node options
BENCH_NODE_FLAGS=(${BENCH_NODE_OPTIONS---max-semi-space-size=64})
# shellcheck disable=SC2206
NODE_FLAGS+=(${BENCH_NODE_FLAGS[@]+"${BENCH_NODE_FLAGS[@]}"} ${BENCH_SERVICE_NODE_OPTIONS:-})

start_service() { # name port extra-env...
  local name=$1 port=$2 pid; shift 2
  : >"$OUT/$name.log"
  env PORT="$port" DATABASE_URL="$DB_URL" LOG_LEVEL="${BENCH_LOG_LEVEL:-warn}" KAFKA_GROUP_ID="$BENCH_INGEST_GROUP" \
    BENCH_PROF_DIR="$OUT/prof" BENCH_PROF_NAME="$name" "$@" \
    node ${NODE_FLAGS[@]+"${NODE_FLAGS[@]}"} "${BENCH_SERVICES_DIST:-dist}/apps/$name/src/main.js" >>"$OUT/$name.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  printf -v "${name^^}_PID" '%s' "$pid"
  for _ in $(seq 1 240); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then say "$name ready on :$port (pid $pid)"; return 0; fi
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$OUT/$name.log" >&2; die "$name exited during start-up"; }
    sleep 0.25
  done
  tail -n 30 "$OUT/$name.log" >&2
  die "$name not ready after 60 s"
}

start_service gateway "$GW_PORT" ADMIN_TOKEN="$ADMIN_TOKEN"
# The gateway created events.raw.v1 if missing: mirror its partitions, park the ingest group at its end.
node dist/bench/ingest/setup.js kafka
start_service ingest "$IN_PORT"

# --- keys: one store for the warm-up, two per round (gateway alone, pipeline) ------------------------
TAG=$(date +%m%d%H%M%S)
STORES=()
for s in w $(for r in $(seq 1 "${BENCH_ROUNDS:-3}"); do echo "${r}a ${r}b"; done); do
  store="bench-$TAG-$s"
  key=$(curl -fsS -X POST -H "X-Admin-Token: $ADMIN_TOKEN" "http://127.0.0.1:$GW_PORT/admin/v1/stores/$store/keys" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).writeKey))')
  STORES+=("$store=$key")
done

# --- benchmark -------------------------------------------------------------------------------------
say "machine: $(nproc) cores, $(free -h | awk '/^Mem:/{print $2}') RAM, node $(node -v), kafka $KAFKA_BROKERS; node options: ${BENCH_NODE_FLAGS[*]:-none}${BENCH_SERVICE_NODE_OPTIONS:+, services also $BENCH_SERVICE_NODE_OPTIONS}"
set +e
BENCH_GATEWAY_URL="http://127.0.0.1:$GW_PORT" BENCH_INGEST_URL="http://127.0.0.1:$IN_PORT" \
  BENCH_STORES=$(IFS=,; echo "${STORES[*]}") \
  BENCH_PIDS="gateway=$GATEWAY_PID,ingest=$INGEST_PID${KAFKA_PID:+,kafka=$KAFKA_PID}" \
  BENCH_OUT_DIR="$OUT" KAFKAJS_NO_PARTITIONER_WARNING=1 \
  node ${BENCH_NODE_FLAGS[@]+"${BENCH_NODE_FLAGS[@]}"} dist/bench/ingest/ingest.bench.js
rc=$?
set -e

say "service log lines at level error/fatal: gateway $(grep -ciE '"level":(50|60|"ERROR")' "$OUT/gateway.log" || true), ingest $(grep -ciE '"level":(50|60|"ERROR")' "$OUT/ingest.log" || true)"
if [[ ${BENCH_CPU_PROF:-0} == 1 ]]; then
  sleep 2 # the services write their profile asynchronously after the second SIGWINCH
  for f in "$OUT"/prof/*.cpuprofile; do
    [[ -f $f ]] || continue
    summary=${f%.cpuprofile}.txt
    node dist/bench/ingest/profile-top.js "$f" 25 >"$summary" && say "profile: ${f#"$REPO_ROOT"/} (summary: ${summary#"$REPO_ROOT"/})"
  done
fi
exit $rc
