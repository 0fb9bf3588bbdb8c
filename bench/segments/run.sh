#!/usr/bin/env bash
# Segments benchmark (`npm run bench:segments`): with 100,000 profiles and 1,000 active segments
# loaded, events/s through profile update and segment evaluation, and the latency from an event's
# HTTP 202 at the gateway to its segments.membership.v1 message. See bench/segments/README.md.
#
# Steps: build if dist is missing -> deploy/local/infra.sh up (the shared local infra: Kafka
# :9092, Postgres) -> fresh database signal_bench_segments -> the benchmark's consumer groups
# parked at the end of their topics -> profile, ingest and gateway as processes from dist on free
# ports (logs in .cache/bench/segments/) -> a store and its keys -> dist/bench/segments/segments.bench.js
# -> stop the services it started (always; the shared infra is left running).
#
# Knobs (env):
#   BENCH_PROFILES (100000)  BENCH_SEGMENTS (1000)  BENCH_RATE (1000)  BENCH_SECONDS (60)
#   BENCH_TICK_MS (20)  BENCH_MAX_EVENTS (50000; 0 skips the max-throughput phase)
#   BENCH_P95_TARGET_MS (500)  BENCH_LOAD_BATCH (500)  BENCH_LOAD_CONCURRENCY (4)
#   BENCH_DRAIN_TIMEOUT_S (300)  BENCH_LOAD_TIMEOUT_S (1800)
#   BENCH_KAFKA_BROKERS (127.0.0.1:9092)  BENCH_DB (signal_bench_segments)
#   BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres)
#   BENCH_CPU_PROF=1  V8 CPU profile of the profile service during the measure and max phases,
#                     in .cache/bench/segments/prof/ with summaries (*.txt)
#   BENCH_PROFILE_NODE_OPTIONS  extra node options for the profile service only (e.g.
#                     "--cpu-prof --cpu-prof-dir=.cache/bench/segments/prof"; see bench/ingest/cpu-profile.ts
#                     for why BENCH_CPU_PROF=1 is the reliable way)
#   BENCH_NODE_OPTIONS (--max-semi-space-size=64)  node options of the three services
#   BENCH_PROFILE_ENV  extra env for the profile service, space-separated (e.g. "DATABASE_POOL_SIZE=20")
#   BENCH_LOG_LEVEL (warn)  BENCH_BUILD=1  rebuild (npm run build) first
# Exit status: 0 target met, 3 target missed, anything else: the benchmark could not run.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO_ROOT"
OUT=$REPO_ROOT/.cache/bench/segments
mkdir -p "$OUT"

say() { printf '[bench:segments] %s\n' "$*"; }
die() { printf '[bench:segments] %s\n' "$*" >&2; exit 1; }
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# --- build ------------------------------------------------------------------------------------
if [[ ${BENCH_BUILD:-0} == 1 || ! -f dist/apps/gateway/src/main.js || ! -f dist/apps/ingest/src/main.js || ! -f dist/apps/profile/src/main.js ]]; then
  say "building (npm run build)"
  npm run -s build
elif [[ ! -f dist/bench/segments/segments.bench.js || -n $(find bench -name '*.ts' -newer dist/bench/segments/segments.bench.js) ]]; then
  # Services are built; compile only the benchmark so a dist in use by someone else is not wiped.
  say "compiling bench/ into dist/bench"
  npx swc bench -d dist --quiet --extensions .ts
fi

# --- cleanup: only what this script started ------------------------------------------------------
PIDS=()
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local rc=$?
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ ${#PIDS[@]} -gt 0 ]]; then say "services stopped (logs: .cache/bench/segments/{gateway,ingest,profile}.log)"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- infrastructure -----------------------------------------------------------------------------
BENCH_PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BENCH_DB=${BENCH_DB:-signal_bench_segments}
export BENCH_PG_URL BENCH_DB
say "infra: deploy/local/infra.sh up kafka (log .cache/bench/segments/infra.log)"
# Kafka only: OpenSearch is not used here, and an idle JVM is one more thing on the two cores.
# BENCH_KAFKA_BROKERS names a Kafka to use instead (infra.sh then only checks it answers).
DATABASE_URL=$BENCH_PG_URL KAFKA_BROKERS=${BENCH_KAFKA_BROKERS:-} bash deploy/local/infra.sh up kafka >"$OUT/infra.log" 2>&1 || { cat "$OUT/infra.log" >&2; die "infra did not come up"; }
export KAFKA_BROKERS=${BENCH_KAFKA_BROKERS:-127.0.0.1:9092}
KAFKA_PID=$(tr -dc '0-9' <"${INFRA_HOME:-$REPO_ROOT/.cache/infra}/run/kafka.pid" 2>/dev/null || true)
export BENCH_INGEST_GROUP=${BENCH_INGEST_GROUP:-bench-segments-ingest}
export BENCH_PROFILE_GROUP=${BENCH_PROFILE_GROUP:-bench-segments-profile}

node dist/bench/ingest/setup.js database
node dist/bench/segments/setup.js kafka

# --- services -----------------------------------------------------------------------------------
GW_PORT=$(free_port)
IN_PORT=$(free_port)
PR_PORT=$(free_port)
ADMIN_TOKEN="bench-$(node -p 'require("crypto").randomBytes(18).toString("hex")')"
DB_URL="${BENCH_PG_URL%/*}/$BENCH_DB"
# shellcheck disable=SC2206 # word splitting intended: a list of node options
NODE_FLAGS=(${BENCH_NODE_OPTIONS---max-semi-space-size=64})
PROFILE_FLAGS=()
if [[ ${BENCH_CPU_PROF:-0} == 1 ]]; then
  rm -rf "$OUT/prof"
  PROFILE_FLAGS=(-r "$REPO_ROOT/dist/bench/ingest/cpu-profile.js")
fi
# shellcheck disable=SC2206
PROFILE_FLAGS+=(${BENCH_PROFILE_NODE_OPTIONS:-})
# shellcheck disable=SC2206
PROFILE_ENV=(${BENCH_PROFILE_ENV:-})

start_service() { # name port group flags-var extra-env...
  local name=$1 port=$2 group=$3 pid; shift 3
  local -n flags=$1; shift
  : >"$OUT/$name.log"
  env PORT="$port" DATABASE_URL="$DB_URL" LOG_LEVEL="${BENCH_LOG_LEVEL:-warn}" ${group:+KAFKA_GROUP_ID="$group"} \
    BENCH_PROF_DIR="$OUT/prof" BENCH_PROF_NAME="$name" "$@" \
    node ${NODE_FLAGS[@]+"${NODE_FLAGS[@]}"} ${flags[@]+"${flags[@]}"} "dist/apps/$name/src/main.js" >>"$OUT/$name.log" 2>&1 &
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

NO_FLAGS=()
start_service profile "$PR_PORT" "$BENCH_PROFILE_GROUP" PROFILE_FLAGS ${PROFILE_ENV[@]+"${PROFILE_ENV[@]}"}
start_service ingest "$IN_PORT" "$BENCH_INGEST_GROUP" NO_FLAGS
start_service gateway "$GW_PORT" "" NO_FLAGS ADMIN_TOKEN="$ADMIN_TOKEN" PROFILE_URL="http://127.0.0.1:$PR_PORT"

# --- a store and its keys ---------------------------------------------------------------------------
STORE="bench-seg-$(date +%m%d%H%M%S)"
KEYS=$(curl -fsS -X POST -H "X-Admin-Token: $ADMIN_TOKEN" "http://127.0.0.1:$GW_PORT/admin/v1/stores/$STORE/keys")
WRITE_KEY=$(node -e 'console.log(JSON.parse(process.argv[1]).writeKey)' "$KEYS")
SECRET_KEY=$(node -e 'console.log(JSON.parse(process.argv[1]).secretKey)' "$KEYS")

# --- benchmark -------------------------------------------------------------------------------------
say "machine: $(nproc) cores, $(free -h | awk '/^Mem:/{print $2}') RAM, load average $(cut -d' ' -f1-3 /proc/loadavg), node $(node -v), kafka $KAFKA_BROKERS (shared); node options: ${NODE_FLAGS[*]:-none}${BENCH_PROFILE_NODE_OPTIONS:+, profile also $BENCH_PROFILE_NODE_OPTIONS}"
set +e
BENCH_GATEWAY_URL="http://127.0.0.1:$GW_PORT" BENCH_INGEST_URL="http://127.0.0.1:$IN_PORT" BENCH_PROFILE_URL="http://127.0.0.1:$PR_PORT" \
  BENCH_STORE="$STORE" BENCH_WRITE_KEY="$WRITE_KEY" BENCH_SECRET_KEY="$SECRET_KEY" BENCH_DB_URL="$DB_URL" \
  BENCH_PIDS="gateway=$GATEWAY_PID,ingest=$INGEST_PID,profile=$PROFILE_PID${KAFKA_PID:+,kafka=$KAFKA_PID}" \
  BENCH_OUT_DIR="$OUT" KAFKAJS_NO_PARTITIONER_WARNING=1 \
  node dist/bench/segments/segments.bench.js
rc=$?
set -e

errors() { grep -ciE '"level":(50|60|"ERROR")' "$OUT/$1.log" || true; }
say "service log lines at level error/fatal: gateway $(errors gateway), ingest $(errors ingest), profile $(errors profile)"
if [[ ${BENCH_CPU_PROF:-0} == 1 ]]; then
  sleep 2 # the profile service writes its profile asynchronously after the second SIGWINCH
  for f in "$OUT"/prof/*.cpuprofile; do
    [[ -f $f ]] || continue
    summary=${f%.cpuprofile}.txt
    node dist/bench/ingest/profile-top.js "$f" 30 >"$summary" && say "profile: ${f#"$REPO_ROOT"/} (summary: ${summary#"$REPO_ROOT"/})"
  done
fi
exit $rc
