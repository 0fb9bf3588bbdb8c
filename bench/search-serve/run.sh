#!/usr/bin/env bash
# Search serving benchmark (`npm run bench:search-serve`): p50 / p95 / p99 latency and requests/s
# of GET /v1/search and GET /v1/autocomplete with the full UCI catalog indexed, next to the bare
# OpenSearch requests the service issues (built by its own exported builders), in the same run,
# phases interleaved. Target: the service's p99 at most 1.5x OpenSearch's. See
# bench/search-serve/README.md.
#
# Steps: build if dist lacks the search service (compile bench/ alone if only it changed) -> the
# shared local infra (Kafka, OpenSearch: used when they answer, else `deploy/local/infra.sh up`
# after waiting for them) -> the run's consumer group parked at the end of the topics the service
# reads -> the search service from dist on a free port with its own index prefix and group (log in
# .cache/bench/search-serve/search.log) -> dist/bench/search-serve/search-serve.bench.js (feed the
# catalog and the search log, prepare, check, measure) -> stop the service, delete the run's
# indices and consumer group (always; the shared infra is left running).
#
# Knobs (env):
#   SEARCH_SERVE_ROUNDS (4)  SEARCH_SERVE_PHASE_SECONDS (15)  SEARCH_SERVE_WARMUP_SECONDS (5)
#   SEARCH_SERVE_CONCURRENCY (8 closed-loop clients)  SEARCH_SERVE_REQUESTS (5000 per endpoint)
#   SEARCH_SERVE_MAX_CHARS (12)  SEARCH_SERVE_PAGE_SIZE (24)  SEARCH_SERVE_AC_LIMIT (8)  SEARCH_SERVE_AC_PRODUCTS (4)
#   SEARCH_SERVE_RATE_SEARCH / SEARCH_SERVE_RATE_AUTOCOMPLETE (0; > 0: open loop at that many requests/s)
#   SEARCH_SERVE_ENDPOINTS (search,autocomplete)  SEARCH_SERVE_CHECK (200)  SEARCH_SERVE_TARGET (1.5)  SEARCH_SERVE_TIMEOUT_MS (10000)  SEARCH_SERVE_DIST (dist)
#   the catalog and log knobs of bench/search-eval: SEARCH_EVAL_SEED, SEARCH_EVAL_LOG_SEARCHES, ...
#   SEARCH_EVAL_KEEP_INDICES=1  keep the run's indices and group
#   SEARCH_SERVE_SERVICE_ENV  extra env for the service, space-separated
#   SEARCH_SERVE_NODE_OPTIONS (none, as deploy/k8s/search.yaml; e.g. --max-semi-space-size=64)  node options of the service
#   SEARCH_EVAL_KAFKA_BROKERS (127.0.0.1:9092)  SEARCH_EVAL_OPENSEARCH_URL (http://127.0.0.1:9200)
#   SEARCH_EVAL_INFRA_WAIT_S (300)  SEARCH_EVAL_LOG_LEVEL (warn)  SEARCH_EVAL_BUILD=1  rebuild (npm run build) first
# Exit status: 0 target met, 3 target missed, anything else: could not run.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO_ROOT"
OUT=$REPO_ROOT/.cache/bench/search-serve
mkdir -p "$OUT"

say() { printf '[bench:search-serve] %s\n' "$*"; }
die() { printf '[bench:search-serve] %s\n' "$*" >&2; exit 1; }
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# --- build ------------------------------------------------------------------------------------
if [[ ${SEARCH_EVAL_BUILD:-0} == 1 || ! -f dist/apps/search/src/main.js ]]; then
  say "building (npm run build)"
  npm run -s build
elif [[ ! -f dist/bench/search-serve/search-serve.bench.js || -n $(find bench -name '*.ts' -newer dist/bench/search-serve/search-serve.bench.js) ]]; then
  # The services are built; compile only the benchmarks so a dist in use by someone else is not wiped.
  say "compiling bench/ into dist/bench"
  npx swc bench -d dist --quiet --extensions .ts --ignore '**/*.spec.ts,**/__tests__/**'
fi
if [[ -n $(find apps/search libs -name '*.ts' ! -name '*.spec.ts' -newer dist/apps/search/src/main.js -print -quit) ]]; then
  say "note: some apps/search or libs sources are newer than dist (SEARCH_EVAL_BUILD=1 rebuilds)"
fi

# --- infrastructure: the shared Kafka and OpenSearch --------------------------------------------
export KAFKA_BROKERS=${SEARCH_EVAL_KAFKA_BROKERS:-127.0.0.1:9092}
export OPENSEARCH_URL=${SEARCH_EVAL_OPENSEARCH_URL:-http://127.0.0.1:9200}
kafka_answers() { node -e 'const [h,p]=process.argv[1].split(",")[0].split(":");const s=require("net").connect(+p,h,()=>{s.end();process.exit(0)});s.on("error",()=>process.exit(1))' "$KAFKA_BROKERS"; }
os_answers() { curl -fsS -m 5 "$OPENSEARCH_URL/_cluster/health" >/dev/null 2>&1; }
infra_ok() { os_answers && kafka_answers; }
if ! infra_ok; then
  say "Kafka / OpenSearch not answering; waiting up to ${SEARCH_EVAL_INFRA_WAIT_S:-300} s (the lead starts the shared infra)"
  for _ in $(seq 1 $(( ${SEARCH_EVAL_INFRA_WAIT_S:-300} / 10 ))); do infra_ok && break; sleep 10; done
fi
if ! infra_ok; then
  say "still down: deploy/local/infra.sh up (log .cache/bench/search-serve/infra.log)"
  env -u KAFKA_BROKERS -u OPENSEARCH_URL bash deploy/local/infra.sh up >"$OUT/infra.log" 2>&1 || { cat "$OUT/infra.log" >&2; die "infra did not come up"; }
  infra_ok || die "Kafka / OpenSearch still not answering after infra.sh up"
fi
say "infra: kafka $KAFKA_BROKERS, opensearch $OPENSEARCH_URL ($(curl -fsS -m 5 "$OPENSEARCH_URL/_cluster/health" | node -pe 'JSON.parse(require("fs").readFileSync(0)).status'))"

STAMP=$(date -u +%m%d%H%M%S)
export SEARCH_EVAL_STORE=${SEARCH_EVAL_STORE:-bench-ss-$STAMP}
export SEARCH_EVAL_PREFIX=${SEARCH_EVAL_PREFIX:-bench-ss-$STAMP-}
export SEARCH_EVAL_GROUP=${SEARCH_EVAL_GROUP:-bench-search-serve-$STAMP}

# --- cleanup: only what this script started ------------------------------------------------------
SERVICE_PID=
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local rc=$?
  if [[ -n $SERVICE_PID ]]; then
    kill -TERM "$SERVICE_PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVICE_PID" 2>/dev/null || true
    say "search service stopped (log: .cache/bench/search-serve/search.log)"
  fi
  if [[ ${SEARCH_EVAL_KEEP_INDICES:-0} != 1 ]]; then
    node dist/bench/search-eval/setup.js cleanup || true
  else
    say "kept: indices $SEARCH_EVAL_PREFIX*, consumer group $SEARCH_EVAL_GROUP, store $SEARCH_EVAL_STORE"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the service --------------------------------------------------------------------------------
node dist/bench/search-eval/setup.js kafka
PORT_=$(free_port)
# shellcheck disable=SC2206 # word splitting intended: a list of VAR=value
EXTRA_ENV=(${SEARCH_SERVE_SERVICE_ENV:-})
# shellcheck disable=SC2206
NODE_FLAGS=(${SEARCH_SERVE_NODE_OPTIONS:-})
: >"$OUT/search.log"
env PORT="$PORT_" SEARCH_INDEX_PREFIX="$SEARCH_EVAL_PREFIX" KAFKA_GROUP_ID="$SEARCH_EVAL_GROUP" LOG_LEVEL="${SEARCH_EVAL_LOG_LEVEL:-warn}" \
  ${EXTRA_ENV[@]+"${EXTRA_ENV[@]}"} node ${NODE_FLAGS[@]+"${NODE_FLAGS[@]}"} dist/apps/search/src/main.js >>"$OUT/search.log" 2>&1 &
SERVICE_PID=$!
for i in $(seq 1 241); do
  if curl -fsS "http://127.0.0.1:$PORT_/health/ready" >/dev/null 2>&1; then break; fi
  kill -0 "$SERVICE_PID" 2>/dev/null || { tail -n 30 "$OUT/search.log" >&2; die "the search service exited during start-up"; }
  [[ $i == 241 ]] && { tail -n 30 "$OUT/search.log" >&2; die "the search service is not ready after 60 s"; }
  sleep 0.25
done
SERVICE_URL=http://127.0.0.1:$PORT_
say "search service ready on :$PORT_ (pid $SERVICE_PID), index prefix $SEARCH_EVAL_PREFIX, group $SEARCH_EVAL_GROUP, store $SEARCH_EVAL_STORE"

# --- benchmark ------------------------------------------------------------------------------------
say "machine: $(nproc) cores, $(free -h | awk '/^Mem:/{print $2}') RAM, load average $(cut -d' ' -f1-3 /proc/loadavg), node $(node -v); shared by OpenSearch, Kafka, the service and the load"
set +e
SEARCH_SERVE_SERVICE_URL="$SERVICE_URL" SEARCH_SERVE_SERVICE_PID="$SERVICE_PID" SEARCH_SERVE_OUT_DIR="$OUT" KAFKAJS_NO_PARTITIONER_WARNING=1 \
  node dist/bench/search-serve/search-serve.bench.js
rc=$?
set -e
say "service log lines at level error/fatal: $(grep -ciE '"level":(50|60|"ERROR")' "$OUT/search.log" || true)"
exit $rc
