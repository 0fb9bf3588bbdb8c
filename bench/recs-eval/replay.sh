#!/usr/bin/env bash
# Served recommender evaluation (`npm run bench:recs-replay`): the offline harness's data, split,
# cases and metrics, but the recommendations come from the real services fed through Kafka.
# What is sent, how it is time-shifted and what is measured: the header of replay.ts.
#
# Steps: build if dist is missing -> deploy/local/infra.sh up (the shared local infra: Kafka
# :9092, Postgres) -> fresh database signal_bench_recs_eval -> the replay's own consumer groups
# parked at the end of their topics -> recommender, ingest and gateway as processes from dist on
# free ports, with EVENT_MAX_AGE_DAYS=400 (logs in .cache/bench/recs-eval/) -> store uci-retail and
# its keys -> dist/bench/recs-eval/replay.js (publish catalog + train purchases, wait for the
# consumers, model job, query every test case) -> stop the services it started (always; the shared
# infra is left running). About 1.5 min on the 2-core VM (build excluded).
#
# Knobs (env):
#   RECS_REPLAY_NO_RECOMMENDER=1  dry run: no recommender; publish, wait for ingest, stop
#   RECS_REPLAY_CONCURRENCY (8)  RECS_REPLAY_TIMEOUT_MS (10000)  RECS_REPLAY_WARMUP (50)
#   RECS_REPLAY_SEND_CONCURRENCY (4)  RECS_REPLAY_DRAIN_TIMEOUT_S (1800)  RECS_REPLAY_BUILD_TIMEOUT_S (3600)
#   RECS_REPLAY_BASELINES (1; 0 leaves the offline baselines out of the table)
#   RECS_REPLAY_RECOMMENDER_ENV  extra env for the recommender and its model job, space-separated
#   RECS_REPLAY_STORE (uci-retail)  RECS_REPLAY_DB (signal_bench_recs_eval)
#   RECS_REPLAY_PG_URL (postgres://postgres@127.0.0.1:5432/postgres)  RECS_REPLAY_KAFKA_BROKERS (127.0.0.1:9092)
#   RECS_EVAL_DATA  RECS_EVAL_K (10)  RECS_EVAL_SEED (42)  RECS_EVAL_TEST_DAYS (30)  RECS_EVAL_NEIGHBOURS (200)
#   RECS_REPLAY_LOG_LEVEL (warn)  RECS_REPLAY_BUILD=1  rebuild (npm run build) first
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO_ROOT"
OUT=$REPO_ROOT/.cache/bench/recs-eval
mkdir -p "$OUT"

say() { printf '[bench:recs-replay] %s\n' "$*"; }
die() { printf '[bench:recs-replay] %s\n' "$*" >&2; exit 1; }
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

NO_RECOMMENDER=${RECS_REPLAY_NO_RECOMMENDER:-0}
STORE=${RECS_REPLAY_STORE:-uci-retail}
[[ $STORE =~ ^[a-z0-9][a-z0-9-]*$ ]] || die "RECS_REPLAY_STORE must match ^[a-z0-9][a-z0-9-]*\$ (got $STORE)"

# --- build ------------------------------------------------------------------------------------
SERVICES=(ingest gateway)
[[ $NO_RECOMMENDER == 1 ]] || SERVICES=(recommender ingest gateway)
missing=0
for s in "${SERVICES[@]}"; do [[ -f dist/apps/$s/src/main.js ]] || missing=1; done
if [[ $NO_RECOMMENDER != 1 && ! -f dist/apps/recommender/src/build-models.js ]]; then missing=1; fi
if [[ ${RECS_REPLAY_BUILD:-0} == 1 || $missing == 1 ]]; then
  say "building (npm run build)"
  npm run -s build
elif [[ ! -f dist/bench/recs-eval/replay.js || -n $(find bench -name '*.ts' -newer dist/bench/recs-eval/replay.js) ]]; then
  # Services are built; compile only the benchmark so a dist in use by someone else is not wiped.
  say "compiling bench/ into dist/bench"
  npx swc bench -d dist --quiet --extensions .ts --ignore '**/*.spec.ts,**/__tests__/**'
fi
if [[ -n $(find apps libs -name '*.ts' ! -name '*.spec.ts' -newer dist/apps/gateway/src/main.js -print -quit) ]]; then
  say "note: some apps/libs sources are newer than dist (RECS_REPLAY_BUILD=1 rebuilds)"
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
  if [[ ${#PIDS[@]} -gt 0 ]]; then say "services stopped (logs: .cache/bench/recs-eval/{$(IFS=,; echo "${SERVICES[*]}")}.log)"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- infrastructure -----------------------------------------------------------------------------
export BENCH_PG_URL=${RECS_REPLAY_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export BENCH_DB=${RECS_REPLAY_DB:-signal_bench_recs_eval}
export KAFKA_BROKERS=${RECS_REPLAY_KAFKA_BROKERS:-127.0.0.1:9092}
say "infra: deploy/local/infra.sh up (log .cache/bench/recs-eval/infra.log)"
DATABASE_URL=$BENCH_PG_URL bash deploy/local/infra.sh up >"$OUT/infra.log" 2>&1 || { cat "$OUT/infra.log" >&2; die "infra did not come up"; }
export RECS_REPLAY_INGEST_GROUP=${RECS_REPLAY_INGEST_GROUP:-bench-recs-ingest}
export RECS_REPLAY_RECOMMENDER_GROUP=${RECS_REPLAY_RECOMMENDER_GROUP:-bench-recs-recommender}

node dist/bench/ingest/setup.js database
node dist/bench/recs-eval/setup.js kafka

# --- services -----------------------------------------------------------------------------------
GW_PORT=$(free_port)
IN_PORT=$(free_port)
RC_PORT=$(free_port)
ADMIN_TOKEN="bench-$(node -p 'require("crypto").randomBytes(18).toString("hex")')"
DB_URL="${BENCH_PG_URL%/*}/$BENCH_DB"
# shellcheck disable=SC2206 # word splitting intended: a list of VAR=value
RECOMMENDER_ENV=(${RECS_REPLAY_RECOMMENDER_ENV:-})
# Year-old purchases must pass the gateway's and ingest's age check (the oldest replayed train
# invoice is ~343 days old after the time shift; see timeShift in replay.ts).
MAX_AGE=EVENT_MAX_AGE_DAYS=400

start_service() { # name port group extra-env...
  local name=$1 port=$2 group=$3 pid; shift 3
  : >"$OUT/$name.log"
  env PORT="$port" DATABASE_URL="$DB_URL" LOG_LEVEL="${RECS_REPLAY_LOG_LEVEL:-warn}" ${group:+KAFKA_GROUP_ID="$group"} "$MAX_AGE" "$@" \
    node --max-semi-space-size=64 "dist/apps/$name/src/main.js" >>"$OUT/$name.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 240); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then say "$name ready on :$port (pid $pid)"; return 0; fi
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$OUT/$name.log" >&2; die "$name exited during start-up"; }
    sleep 0.25
  done
  tail -n 30 "$OUT/$name.log" >&2
  die "$name not ready after 60 s"
}

if [[ $NO_RECOMMENDER == 1 ]]; then
  say "RECS_REPLAY_NO_RECOMMENDER=1: dry run without the recommender"
else
  start_service recommender "$RC_PORT" "$RECS_REPLAY_RECOMMENDER_GROUP" ${RECOMMENDER_ENV[@]+"${RECOMMENDER_ENV[@]}"}
fi
start_service ingest "$IN_PORT" "$RECS_REPLAY_INGEST_GROUP"
start_service gateway "$GW_PORT" "" ADMIN_TOKEN="$ADMIN_TOKEN" RECOMMENDER_URL="http://127.0.0.1:$RC_PORT"

# --- a store and its keys ---------------------------------------------------------------------------
KEYS=$(curl -fsS -X POST -H "X-Admin-Token: $ADMIN_TOKEN" "http://127.0.0.1:$GW_PORT/admin/v1/stores/$STORE/keys")
WRITE_KEY=$(node -e 'console.log(JSON.parse(process.argv[1]).writeKey)' "$KEYS")
SECRET_KEY=$(node -e 'console.log(JSON.parse(process.argv[1]).secretKey)' "$KEYS")

# --- replay ----------------------------------------------------------------------------------------
say "machine: $(nproc) cores, $(free -h | awk '/^Mem:/{print $2}') RAM, load average $(cut -d' ' -f1-3 /proc/loadavg), node $(node -v), kafka $KAFKA_BROKERS (shared)"
set +e
# The model job (spawned by replay.js) gets the recommender's env: DATABASE_URL, KAFKA_*, its group, extras.
env RECS_REPLAY_GATEWAY_URL="http://127.0.0.1:$GW_PORT" RECS_REPLAY_RECOMMENDER_URL="http://127.0.0.1:$RC_PORT" \
  RECS_REPLAY_STORE="$STORE" RECS_REPLAY_WRITE_KEY="$WRITE_KEY" RECS_REPLAY_SECRET_KEY="$SECRET_KEY" \
  RECS_REPLAY_NO_RECOMMENDER="$NO_RECOMMENDER" RECS_REPLAY_OUT_DIR="$OUT" \
  DATABASE_URL="$DB_URL" KAFKA_GROUP_ID="$RECS_REPLAY_RECOMMENDER_GROUP" LOG_LEVEL="${RECS_REPLAY_LOG_LEVEL:-warn}" "$MAX_AGE" \
  KAFKAJS_NO_PARTITIONER_WARNING=1 ${RECOMMENDER_ENV[@]+"${RECOMMENDER_ENV[@]}"} \
  node dist/bench/recs-eval/replay.js
rc=$?
set -e

errors() { grep -ciE '"level":(50|60|"ERROR")' "$OUT/$1.log" || true; }
line=""
for s in "${SERVICES[@]}"; do line+="$s $(errors "$s"), "; done
say "service log lines at level error/fatal: ${line%, }"
exit $rc
