#!/usr/bin/env bash
# Recommendation serving benchmark (`npm run bench:recs-serve`): p50 / p99 latency and throughput
# of the `home`, `also_viewed` and `bought_together` placements with 50,000 products and
# 1,000,000 events loaded, at 200 requests/s. See bench/recs-serve/README.md.
#
# Steps: build if dist is missing -> deploy/local/infra.sh up (the shared local infra: Kafka
# :9092, Postgres) -> fresh database signal_bench_recs_serve -> the benchmark's consumer groups
# parked at the end of their topics -> recommender, ingest and gateway as processes from dist on
# free ports (logs in .cache/bench/recs-serve/) -> a store and its keys ->
# dist/bench/recs-serve/recs-serve.bench.js (load, model job, measure, max) -> stop the services
# it started (always; the shared infra is left running).
#
# Knobs (env):
#   BENCH_PRODUCTS (50000)  BENCH_EVENTS (1000000)  BENCH_SHOPPERS (50000)  BENCH_EVENT_DAYS (25)
#   BENCH_RATE (200)  BENCH_SECONDS (60)  BENCH_WARMUP_SECONDS (10)  BENCH_P99_TARGET_MS (25)
#   BENCH_MAX_SECONDS (20; 0 skips the max-throughput phase)  BENCH_MAX_CONCURRENCY (8)
#   BENCH_NEW_VISITOR_PCT (20)  BENCH_LIMIT (10)  BENCH_SEED (1)
#   BENCH_LOAD_BATCH (500)  BENCH_LOAD_CONCURRENCY (4)  BENCH_CATALOG_BATCH (500)
#   BENCH_DRAIN_TIMEOUT_S (1800)  BENCH_MODEL_TIMEOUT_S (1800)  BENCH_MODEL_SETTLE_S (5)
#   BENCH_NO_RECOMMENDER=1  do not start the recommender: load phase only, through gateway and ingest
#   BENCH_KAFKA_BROKERS (127.0.0.1:9092)  BENCH_DB (signal_bench_recs_serve)
#   BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres)
#   BENCH_NODE_OPTIONS (--max-semi-space-size=64)  node options of the three services
#   BENCH_MODEL_NODE_OPTIONS  node options of the model job (e.g. --max-old-space-size=2048)
#   BENCH_RECOMMENDER_ENV / BENCH_GATEWAY_ENV  extra env, space-separated (e.g. "DATABASE_POOL_SIZE=20");
#                     BENCH_RECOMMENDER_ENV also goes to the model job
#   BENCH_LOG_LEVEL (warn)  BENCH_BUILD=1  rebuild (npm run build) first
# Exit status: 0 target met, 3 target missed, anything else: the benchmark could not run.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO_ROOT"
OUT=$REPO_ROOT/.cache/bench/recs-serve
mkdir -p "$OUT"

say() { printf '[bench:recs-serve] %s\n' "$*"; }
die() { printf '[bench:recs-serve] %s\n' "$*" >&2; exit 1; }
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

WITH_RECOMMENDER=1
[[ ${BENCH_NO_RECOMMENDER:-0} == 1 ]] && WITH_RECOMMENDER=0
SERVICES=(ingest gateway)
[[ $WITH_RECOMMENDER == 1 ]] && SERVICES=(recommender ingest gateway)

# --- build ------------------------------------------------------------------------------------
need_build=${BENCH_BUILD:-0}
for s in "${SERVICES[@]}"; do [[ -f dist/apps/$s/src/main.js ]] || need_build=1; done
[[ $WITH_RECOMMENDER == 1 && ! -f dist/apps/recommender/src/build-models.js ]] && need_build=1
if [[ $need_build == 1 ]]; then
  say "building (npm run build)"
  npm run -s build
elif [[ ! -f dist/bench/recs-serve/recs-serve.bench.js || -n $(find bench -name '*.ts' -newer dist/bench/recs-serve/recs-serve.bench.js) ]]; then
  # Services are built; compile only the benchmark so a dist in use by someone else is not wiped.
  say "compiling bench/ into dist/bench"
  npx swc bench -d dist --quiet --extensions .ts --ignore '**/*.spec.ts,**/__tests__/**'
fi
if [[ $WITH_RECOMMENDER == 1 && ! -f dist/apps/recommender/src/build-models.js ]]; then
  die "dist/apps/recommender/src/build-models.js is missing after the build: the recommender's model job does not exist yet (BENCH_NO_RECOMMENDER=1 runs the load phase alone)"
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
  if [[ ${#PIDS[@]} -gt 0 ]]; then say "services stopped (logs: .cache/bench/recs-serve/{$(IFS=,; echo "${SERVICES[*]}")}.log)"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- infrastructure -----------------------------------------------------------------------------
BENCH_PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BENCH_DB=${BENCH_DB:-signal_bench_recs_serve}
export BENCH_PG_URL BENCH_DB
say "infra: deploy/local/infra.sh up kafka (log .cache/bench/recs-serve/infra.log)"
# Kafka only: OpenSearch is not used here, and an idle JVM is one more thing on the two cores.
# BENCH_KAFKA_BROKERS names a Kafka to use instead (infra.sh then only checks it answers).
DATABASE_URL=$BENCH_PG_URL KAFKA_BROKERS=${BENCH_KAFKA_BROKERS:-} bash deploy/local/infra.sh up kafka >"$OUT/infra.log" 2>&1 || { cat "$OUT/infra.log" >&2; die "infra did not come up"; }
export KAFKA_BROKERS=${BENCH_KAFKA_BROKERS:-127.0.0.1:9092}
KAFKA_PID=$(tr -dc '0-9' <"${INFRA_HOME:-$REPO_ROOT/.cache/infra}/run/kafka.pid" 2>/dev/null || true)
export BENCH_INGEST_GROUP=${BENCH_INGEST_GROUP:-bench-recs-serve-ingest}
export BENCH_RECOMMENDER_GROUP=${BENCH_RECOMMENDER_GROUP:-bench-recs-serve-recommender}

node dist/bench/ingest/setup.js database
node dist/bench/recs-serve/setup.js kafka

# --- services -----------------------------------------------------------------------------------
GW_PORT=$(free_port)
IN_PORT=$(free_port)
RC_PORT=$(free_port)
ADMIN_TOKEN="bench-$(node -p 'require("crypto").randomBytes(18).toString("hex")')"
DB_URL="${BENCH_PG_URL%/*}/$BENCH_DB"
LOG_LEVEL_=${BENCH_LOG_LEVEL:-warn}
# shellcheck disable=SC2206 # word splitting intended: a list of node options
NODE_FLAGS=(${BENCH_NODE_OPTIONS---max-semi-space-size=64})
# shellcheck disable=SC2206
RECOMMENDER_ENV=(DATABASE_URL="$DB_URL" LOG_LEVEL="$LOG_LEVEL_" KAFKA_BROKERS="$KAFKA_BROKERS" KAFKA_GROUP_ID="$BENCH_RECOMMENDER_GROUP" ${BENCH_RECOMMENDER_ENV:-})
# shellcheck disable=SC2206
GATEWAY_ENV=(ADMIN_TOKEN="$ADMIN_TOKEN" RECOMMENDER_URL="http://127.0.0.1:$RC_PORT" ${BENCH_GATEWAY_ENV:-})

start_service() { # name port env...
  local name=$1 port=$2 pid; shift 2
  : >"$OUT/$name.log"
  env PORT="$port" DATABASE_URL="$DB_URL" LOG_LEVEL="$LOG_LEVEL_" "$@" \
    node ${NODE_FLAGS[@]+"${NODE_FLAGS[@]}"} "dist/apps/$name/src/main.js" >>"$OUT/$name.log" 2>&1 &
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

RECOMMENDER_PID=
MODEL_CMD=
if [[ $WITH_RECOMMENDER == 1 ]]; then
  start_service recommender "$RC_PORT" "${RECOMMENDER_ENV[@]}"
  # The model job: the service's env (PORT aside), as a script the benchmark runs with `--store <id>`.
  MODEL_CMD=$OUT/build-models.sh
  # shellcheck disable=SC2206
  MODEL_FLAGS=(${BENCH_MODEL_NODE_OPTIONS:-})
  {
    echo '#!/usr/bin/env bash'
    echo "# written by bench/recs-serve/run.sh: the recommender's model job with the benchmark service's env"
    printf 'cd %q\n' "$REPO_ROOT"
    printf 'exec env'
    printf ' %q' "${RECOMMENDER_ENV[@]}"
    printf ' node'
    printf ' %q' ${MODEL_FLAGS[@]+"${MODEL_FLAGS[@]}"} dist/apps/recommender/src/build-models.js
    printf ' "$@"\n'
  } >"$MODEL_CMD"
  chmod +x "$MODEL_CMD"
fi
start_service ingest "$IN_PORT" KAFKA_GROUP_ID="$BENCH_INGEST_GROUP"
start_service gateway "$GW_PORT" "${GATEWAY_ENV[@]}"

# --- a store and its keys ---------------------------------------------------------------------------
STORE="bench-recs-$(date +%m%d%H%M%S)"
KEYS=$(curl -fsS -X POST -H "X-Admin-Token: $ADMIN_TOKEN" "http://127.0.0.1:$GW_PORT/admin/v1/stores/$STORE/keys")
WRITE_KEY=$(node -e 'console.log(JSON.parse(process.argv[1]).writeKey)' "$KEYS")
SECRET_KEY=$(node -e 'console.log(JSON.parse(process.argv[1]).secretKey)' "$KEYS")

# --- benchmark -------------------------------------------------------------------------------------
say "machine: $(nproc) cores, $(free -h | awk '/^Mem:/{print $2}') RAM, load average $(cut -d' ' -f1-3 /proc/loadavg), node $(node -v), kafka $KAFKA_BROKERS (shared); node options: ${NODE_FLAGS[*]:-none}"
set +e
BENCH_GATEWAY_URL="http://127.0.0.1:$GW_PORT" BENCH_INGEST_URL="http://127.0.0.1:$IN_PORT" \
  BENCH_RECOMMENDER_URL="${RECOMMENDER_PID:+http://127.0.0.1:$RC_PORT}" BENCH_MODEL_CMD="$MODEL_CMD" \
  BENCH_STORE="$STORE" BENCH_WRITE_KEY="$WRITE_KEY" BENCH_SECRET_KEY="$SECRET_KEY" \
  BENCH_PIDS="gateway=$GATEWAY_PID,ingest=$INGEST_PID${RECOMMENDER_PID:+,recommender=$RECOMMENDER_PID}${KAFKA_PID:+,kafka=$KAFKA_PID}" \
  BENCH_OUT_DIR="$OUT" BENCH_DATABASE_URL="$DB_URL" KAFKAJS_NO_PARTITIONER_WARNING=1 \
  node dist/bench/recs-serve/recs-serve.bench.js
rc=$?
set -e

errors() { grep -ciE '"level":(50|60|"ERROR")' "$OUT/$1.log" || true; }
line="service log lines at level error/fatal:"
for s in "${SERVICES[@]}"; do line+=" $s $(errors "$s")"; done
say "$line"
exit $rc
