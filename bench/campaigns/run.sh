#!/usr/bin/env bash
# Campaign benchmark (`npm run bench:campaigns`): with 100,000 profiles, triggers evaluated per
# second and the delay from a stock level falling under a journey's threshold to the alert e-mails
# handed to SMTP. See bench/campaigns/README.md.
#
# Steps: build if dist is missing -> deploy/local/infra.sh up (Kafka :9092, Postgres) ->
# dist/bench/campaigns/campaigns.bench.js, which makes a fresh database signal_bench_campaigns,
# parks its consumer group at the end of the topics, starts an SMTP server in-process and the
# campaign service from dist, loads the store, runs the phases and stops the service.
#
# Knobs (env): BENCH_PROFILES (100000)  BENCH_PRODUCTS (2000)  BENCH_EVENTS (300000)
#   BENCH_ALERT_PRODUCTS (20)  BENCH_THRESHOLD (5)  BENCH_QUIET_START (21)  BENCH_QUIET_END (9)
#   BENCH_SEED (1)  BENCH_TIMEOUT_S (900)  BENCH_NODE_OPTIONS (--max-semi-space-size=64)
#   BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres)  BENCH_DB (signal_bench_campaigns)
# Exit status: 0 every expected e-mail arrived once and no other; 3 otherwise; else could not run.
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO_ROOT"
OUT=$REPO_ROOT/.cache/bench/campaigns
mkdir -p "$OUT"
if [[ ! -f dist/apps/campaign/src/main.js || ${BENCH_BUILD:-0} == 1 ]]; then
  echo "[bench:campaigns] building (npm run build)"
  npm run -s build
elif [[ ! -f dist/bench/campaigns/campaigns.bench.js || -n $(find bench -name '*.ts' -newer dist/bench/campaigns/campaigns.bench.js) ]]; then
  npx swc bench -d dist --quiet --extensions .ts --ignore '**/*.spec.ts,**/__tests__/**'
fi
DATABASE_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres} bash deploy/local/infra.sh up >"$OUT/infra.log" 2>&1 || { cat "$OUT/infra.log" >&2; exit 1; }
echo "[bench:campaigns] machine: $(nproc) cores, $(free -h | awk '/^Mem:/{print $2}') RAM, load average $(cut -d' ' -f1-3 /proc/loadavg), node $(node -v)"
KAFKAJS_NO_PARTITIONER_WARNING=1 BENCH_OUT_DIR="$OUT" node dist/bench/campaigns/campaigns.bench.js
