#!/usr/bin/env bash
# Ingest benchmark (`npm run bench`): gateway accept throughput and end-to-end enrichment
# throughput against a raw kafkajs producer, same events, same broker, same run.
# See docs/benchmarks.md for what it measures and the latest numbers.
#
# Steps: build if dist is missing -> infra up (real Kafka, Postgres) -> fresh bench database ->
# gateway and ingest as processes from dist (logs in .cache/bench/) -> write keys -> benchmark
# (dist/bench/ingest/ingest.bench.js) -> stop the services it started. Infra is left running.
#
# Knobs (env): BENCH_EVENTS (200000), BENCH_BATCH (500), BENCH_CONCURRENCY (8), BENCH_ROUNDS (2),
# BENCH_WARMUP_EVENTS (20000), BENCH_TARGET (0.7), BENCH_E2E_TIMEOUT_S (600), BENCH_DB
# (signal_bench), BENCH_RAW_TOPIC (bench.raw.v1), BENCH_GATEWAY_PORT / BENCH_INGEST_PORT (free
# ports), BENCH_CPU_PROF=1 (V8 CPU profiles of round 1's gateway phase in .cache/bench/prof/),
# BENCH_INGEST_DURING_GATEWAY=pause (diagnostic: ingest frozen while the gateway phase runs),
# BENCH_BUILD=1 (rebuild first), KAFKA_BROKERS (127.0.0.1:9092), BENCH_PG_URL (postgres server).
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
  # Services are built; compile only the benchmark so a build in use elsewhere is not wiped.
  say "compiling bench/ into dist/bench"
  npx swc bench -d dist --quiet --extensions .ts
fi

# --- infrastructure -----------------------------------------------------------------------------
export KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:9092}
BENCH_PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BENCH_DB=${BENCH_DB:-signal_bench}
export BENCH_PG_URL BENCH_DB
# Only waits when KAFKA_BROKERS/DATABASE_URL point at your own services; starts Kafka/OpenSearch otherwise.
DATABASE_URL=$BENCH_PG_URL bash deploy/local/infra.sh up >"$OUT/infra.log" 2>&1 || { cat "$OUT/infra.log" >&2; die "infra did not come up"; }
KAFKA_PID=$(tr -dc '0-9' <"${INFRA_HOME:-$REPO_ROOT/.cache/infra}/run/kafka.pid" 2>/dev/null || true)

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

PIDS=()
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [[ ${#PIDS[@]} -gt 0 ]] && say "services stopped (logs: .cache/bench/gateway.log, .cache/bench/ingest.log)"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_service() { # name port extra-env...
  local name=$1 port=$2; shift 2
  : >"$OUT/$name.log"
  env PORT="$port" DATABASE_URL="$DB_URL" LOG_LEVEL=${BENCH_LOG_LEVEL:-warn} BENCH_PROF_DIR="$OUT/prof" BENCH_PROF_NAME="$name" "$@" \
    node ${NODE_FLAGS[@]+"${NODE_FLAGS[@]}"} "dist/apps/$name/src/main.js" >>"$OUT/$name.log" 2>&1 &
  PIDS+=($!)
  eval "${name^^}_PID=$!"
  for _ in $(seq 1 240); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then say "$name ready on :$port (pid $!)"; return 0; fi
    kill -0 "$!" 2>/dev/null || { tail -n 30 "$OUT/$name.log" >&2; die "$name exited during start-up"; }
    sleep 0.25
  done
  tail -n 30 "$OUT/$name.log" >&2
  die "$name not ready after 60 s"
}

start_service gateway "$GW_PORT" ADMIN_TOKEN="$ADMIN_TOKEN"
# The gateway created events.raw.v1 if it was missing; mirror it and park the ingest group at its end.
node dist/bench/ingest/setup.js kafka
start_service ingest "$IN_PORT"

# --- keys: one store for the warm-up, one per round -------------------------------------------------
TAG=$(date +%m%d%H%M%S)
STORES=()
for s in w $(seq 1 "${BENCH_ROUNDS:-2}"); do
  store="bench-$TAG-$s"
  key=$(curl -fsS -X POST -H "X-Admin-Token: $ADMIN_TOKEN" "http://127.0.0.1:$GW_PORT/admin/v1/stores/$store/keys" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).writeKey))')
  STORES+=("$store=$key")
done

# --- benchmark -------------------------------------------------------------------------------------
say "machine: $(nproc) cores, $(free -h | awk '/^Mem:/{print $2}') RAM, node $(node -v), kafka $KAFKA_BROKERS"
set +e
BENCH_GATEWAY_URL="http://127.0.0.1:$GW_PORT" BENCH_INGEST_URL="http://127.0.0.1:$IN_PORT" \
  BENCH_STORES=$(IFS=,; echo "${STORES[*]}") \
  BENCH_PIDS="gateway=$GATEWAY_PID,ingest=$INGEST_PID${KAFKA_PID:+,kafka=$KAFKA_PID}" \
  BENCH_OUT_DIR="$OUT" \
  node dist/bench/ingest/ingest.bench.js
rc=$?
set -e

problems=$(grep -ciE '"level":(50|60)|error' "$OUT/gateway.log" "$OUT/ingest.log" || true)
say "service log lines mentioning errors: $(echo "$problems" | tr '\n' ' ')"
if [[ ${BENCH_CPU_PROF:-0} == 1 ]]; then
  sleep 2 # profiles are written asynchronously after the second SIGWINCH
  for f in "$OUT"/prof/*.cpuprofile; do [[ -f $f ]] && node dist/bench/ingest/profile-top.js "$f" 20 >"${f%.cpuprofile}.txt" && say "profile: ${f#"$REPO_ROOT"/} (summary ${f%.cpuprofile}.txt)"; done
fi
exit $rc
