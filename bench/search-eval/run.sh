#!/usr/bin/env bash
# Search evaluation (`npm run bench:search-eval`): typo tolerance and autocomplete of the search
# service on the real product descriptions of UCI Online Retail, next to plain OpenSearch
# baselines, in one run. What is asked and measured: bench/search-eval/README.md.
#
# Steps: build if dist lacks the search service (compile bench/ alone if only it changed) -> the
# shared local infra (Kafka, OpenSearch: used when they answer, else `deploy/local/infra.sh up`
# after waiting for them) -> the run's consumer group parked at the end of the topics the service
# reads -> the search service from dist on a free port with its own index prefix and group (log in
# .cache/bench/search-eval/search.log) -> dist/bench/search-eval/run.js -> stop the service, delete
# the run's indices and consumer group (always; the shared infra is left running).
#
# Knobs (env):
#   SEARCH_EVAL_NO_SERVICE=1  baselines only (OpenSearch needed, no Kafka, no service)
#   SEARCH_EVAL_QUERIES (1000 per set)  SEARCH_EVAL_LOG_SEARCHES (30000)  SEARCH_EVAL_AC_QUERIES (1000)
#   SEARCH_EVAL_SEED (42)  SEARCH_EVAL_TRAIN_PCT (80)  SEARCH_EVAL_FULL_PCT (30)  SEARCH_EVAL_PURCHASE_PCT (30)
#   SEARCH_EVAL_AC_LIMIT (10)  SEARCH_EVAL_PAGE_SIZE (24)  SEARCH_EVAL_CONCURRENCY (4)  SEARCH_EVAL_TIMEOUT_MS (10000)
#   SEARCH_EVAL_COLD (1; 0 skips the "catalog only" pass)  SEARCH_EVAL_EXAMPLES (40 misses kept per row)
#   SEARCH_EVAL_INDEX_TIMEOUT_S (600)  SEARCH_EVAL_LOG_TIMEOUT_S (600)  SEARCH_EVAL_SETTLE_S (5)  SEARCH_EVAL_DATA  SEARCH_EVAL_OUT
#   SEARCH_EVAL_KEEP_INDICES=1  keep the run's indices and group (to look at them afterwards)
#   SEARCH_EVAL_SERVICE_ENV  extra env for the service, space-separated
#   SEARCH_EVAL_KAFKA_BROKERS (127.0.0.1:9092)  SEARCH_EVAL_OPENSEARCH_URL (http://127.0.0.1:9200)
#   SEARCH_EVAL_INFRA_WAIT_S (300)  SEARCH_EVAL_LOG_LEVEL (warn)  SEARCH_EVAL_BUILD=1  rebuild (npm run build) first
# Exit status: 0 targets met (or baselines only), 3 a target missed, 1 could not run (or the service
# did not consume the search log: then everything is measured and reported, and the run fails).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO_ROOT"
OUT=$REPO_ROOT/.cache/bench/search-eval
mkdir -p "$OUT"

say() { printf '[bench:search-eval] %s\n' "$*"; }
die() { printf '[bench:search-eval] %s\n' "$*" >&2; exit 1; }
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

NO_SERVICE=${SEARCH_EVAL_NO_SERVICE:-0}

# --- build ------------------------------------------------------------------------------------
if [[ ${SEARCH_EVAL_BUILD:-0} == 1 || ( $NO_SERVICE != 1 && ! -f dist/apps/search/src/main.js ) ]]; then
  say "building (npm run build)"
  npm run -s build
elif [[ ! -f dist/bench/search-eval/run.js || -n $(find bench -name '*.ts' -newer dist/bench/search-eval/run.js) ]]; then
  # The services are built; compile only the benchmarks so a dist in use by someone else is not wiped.
  say "compiling bench/ into dist/bench"
  npx swc bench -d dist --quiet --extensions .ts --ignore '**/*.spec.ts,**/__tests__/**'
fi
if [[ $NO_SERVICE != 1 && -n $(find apps/search libs -name '*.ts' ! -name '*.spec.ts' -newer dist/apps/search/src/main.js -print -quit) ]]; then
  say "note: some apps/search or libs sources are newer than dist (SEARCH_EVAL_BUILD=1 rebuilds)"
fi

# --- infrastructure: the shared Kafka and OpenSearch --------------------------------------------
export KAFKA_BROKERS=${SEARCH_EVAL_KAFKA_BROKERS:-127.0.0.1:9092}
export OPENSEARCH_URL=${SEARCH_EVAL_OPENSEARCH_URL:-http://127.0.0.1:9200}
kafka_answers() { node -e 'const [h,p]=process.argv[1].split(",")[0].split(":");const s=require("net").connect(+p,h,()=>{s.end();process.exit(0)});s.on("error",()=>process.exit(1))' "$KAFKA_BROKERS"; }
os_answers() { curl -fsS -m 5 "$OPENSEARCH_URL/_cluster/health" >/dev/null 2>&1; }
infra_ok() { os_answers && { [[ $NO_SERVICE == 1 ]] || kafka_answers; }; }
if ! infra_ok; then
  say "Kafka / OpenSearch not answering; waiting up to ${SEARCH_EVAL_INFRA_WAIT_S:-300} s (the lead starts the shared infra)"
  for _ in $(seq 1 $(( ${SEARCH_EVAL_INFRA_WAIT_S:-300} / 10 ))); do infra_ok && break; sleep 10; done
fi
if ! infra_ok; then
  say "still down: deploy/local/infra.sh up (log .cache/bench/search-eval/infra.log)"
  env -u KAFKA_BROKERS -u OPENSEARCH_URL bash deploy/local/infra.sh up >"$OUT/infra.log" 2>&1 || { cat "$OUT/infra.log" >&2; die "infra did not come up"; }
  infra_ok || die "Kafka / OpenSearch still not answering after infra.sh up"
fi
say "infra: kafka $KAFKA_BROKERS, opensearch $OPENSEARCH_URL ($(curl -fsS -m 5 "$OPENSEARCH_URL/_cluster/health" | node -pe 'JSON.parse(require("fs").readFileSync(0)).status'))"

STAMP=$(date -u +%m%d%H%M%S)
export SEARCH_EVAL_STORE=${SEARCH_EVAL_STORE:-bench-se-$STAMP}
export SEARCH_EVAL_PREFIX=${SEARCH_EVAL_PREFIX:-bench-se-$STAMP-}
export SEARCH_EVAL_GROUP=${SEARCH_EVAL_GROUP:-bench-search-eval-$STAMP}

# --- cleanup: only what this script started ------------------------------------------------------
SERVICE_PID=
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local rc=$?
  if [[ -n $SERVICE_PID ]]; then
    kill -TERM "$SERVICE_PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVICE_PID" 2>/dev/null || true
    say "search service stopped (log: .cache/bench/search-eval/search.log)"
  fi
  if [[ ${SEARCH_EVAL_KEEP_INDICES:-0} != 1 ]]; then
    if [[ $NO_SERVICE == 1 ]]; then SEARCH_EVAL_GROUP= node dist/bench/search-eval/setup.js cleanup || true
    else node dist/bench/search-eval/setup.js cleanup || true; fi
  else
    say "kept: indices $SEARCH_EVAL_PREFIX*, consumer group $SEARCH_EVAL_GROUP, store $SEARCH_EVAL_STORE"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the service --------------------------------------------------------------------------------
SERVICE_URL=
if [[ $NO_SERVICE == 1 ]]; then
  say "SEARCH_EVAL_NO_SERVICE=1: baselines only"
else
  node dist/bench/search-eval/setup.js kafka
  PORT_=$(free_port)
  # shellcheck disable=SC2206 # word splitting intended: a list of VAR=value
  EXTRA_ENV=(${SEARCH_EVAL_SERVICE_ENV:-})
  : >"$OUT/search.log"
  env PORT="$PORT_" SEARCH_INDEX_PREFIX="$SEARCH_EVAL_PREFIX" KAFKA_GROUP_ID="$SEARCH_EVAL_GROUP" LOG_LEVEL="${SEARCH_EVAL_LOG_LEVEL:-warn}" \
    ${EXTRA_ENV[@]+"${EXTRA_ENV[@]}"} node dist/apps/search/src/main.js >>"$OUT/search.log" 2>&1 &
  SERVICE_PID=$!
  for i in $(seq 1 241); do
    if curl -fsS "http://127.0.0.1:$PORT_/health/ready" >/dev/null 2>&1; then break; fi
    kill -0 "$SERVICE_PID" 2>/dev/null || { tail -n 30 "$OUT/search.log" >&2; die "the search service exited during start-up"; }
    [[ $i == 241 ]] && { tail -n 30 "$OUT/search.log" >&2; die "the search service is not ready after 60 s"; }
    sleep 0.25
  done
  SERVICE_URL=http://127.0.0.1:$PORT_
  say "search service ready on :$PORT_ (pid $SERVICE_PID), index prefix $SEARCH_EVAL_PREFIX, group $SEARCH_EVAL_GROUP, store $SEARCH_EVAL_STORE"
fi

# --- evaluation -----------------------------------------------------------------------------------
say "machine: $(nproc) cores, $(free -h | awk '/^Mem:/{print $2}') RAM, load average $(cut -d' ' -f1-3 /proc/loadavg), node $(node -v)"
set +e
SEARCH_EVAL_SERVICE_URL="$SERVICE_URL" KAFKAJS_NO_PARTITIONER_WARNING=1 node dist/bench/search-eval/run.js
rc=$?
set -e
if [[ -n $SERVICE_PID ]]; then
  say "service log lines at level error/fatal: $(grep -ciE '"level":(50|60|"ERROR")' "$OUT/search.log" || true)"
fi
exit $rc
