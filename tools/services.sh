#!/usr/bin/env bash
# Runs every service from the build (dist/) in the background, on loopback, for the demo and
# local development. Needs `npm run build` and `deploy/local/infra.sh up` first (npm start does both).
#
#   tools/services.sh up       start what is not running, wait until each is ready
#   tools/services.sh down     stop what `up` started (SIGTERM: graceful)
#   tools/services.sh status   each service, its pid, URL and readiness
#   tools/services.sh build-models [storeId]   run the recommender's model job once (all stores, or one)
#
# `up` also starts the recommender's model job in --loop mode (the `models` process), rebuilding
# every MODEL_BUILD_INTERVAL_S (60 s locally) apart from serving, as a CronJob does in Kubernetes,
# and, unless SMTP_URL is set, a local mail sink (`mail`: tools/mail-sink.mjs on 127.0.0.1:2525)
# that keeps the campaign service's e-mail in .cache/run/mail/. Web push VAPID keys, when unset,
# are generated once into .cache/run/vapid.json.
#
# Settings come from the environment (see .env.example); unset ones get local defaults.
# ADMIN_TOKEN, when unset, is generated once into .cache/run/admin-token.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN=$ROOT/.cache/run
mkdir -p "$RUN/logs"
SERVICES=(profile ingest recommender search campaign gateway)
declare -A PORTS=([gateway]=3000 [ingest]=3001 [profile]=3002 [recommender]=3003 [search]=3004 [campaign]=3005)

GIVEN_DATABASE_URL=${DATABASE_URL:-}
eval "$(bash "$ROOT/deploy/local/infra.sh" env)"
# Your own DATABASE_URL is used as it is; otherwise the local server's `signal` database.
export DATABASE_URL=${GIVEN_DATABASE_URL:-${DATABASE_URL%/*}/signal}
if [ -z "${ADMIN_TOKEN:-}" ]; then
  [ -s "$RUN/admin-token" ] || node -e "console.log(require('crypto').randomBytes(24).toString('base64url'))" > "$RUN/admin-token"
  ADMIN_TOKEN=$(cat "$RUN/admin-token")
fi
export ADMIN_TOKEN LOG_LEVEL=${LOG_LEVEL:-info}
if [ -z "${LINK_SECRET:-}" ]; then
  [ -s "$RUN/link-secret" ] || node -e "console.log(require('crypto').randomBytes(24).toString('base64url'))" > "$RUN/link-secret"
  LINK_SECRET=$(cat "$RUN/link-secret")
fi
export LINK_SECRET
if [ -z "${SMTP_URL:-}" ]; then MAIL_SINK=1; export SMTP_URL=smtp://127.0.0.1:2525; else MAIL_SINK=0; fi
if [ -z "${VAPID_PUBLIC_KEY:-}" ]; then
  [ -s "$RUN/vapid.json" ] || node -e "console.log(JSON.stringify(require('web-push').generateVAPIDKeys()))" > "$RUN/vapid.json"
  VAPID_PUBLIC_KEY=$(node -p "require('$RUN/vapid.json').publicKey")
  VAPID_PRIVATE_KEY=$(node -p "require('$RUN/vapid.json').privateKey")
  export VAPID_PUBLIC_KEY VAPID_PRIVATE_KEY
fi
export PROFILE_URL=${PROFILE_URL:-http://127.0.0.1:${PORTS[profile]}}
export RECOMMENDER_URL=${RECOMMENDER_URL:-http://127.0.0.1:${PORTS[recommender]}}

alive() { [ -s "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }
ready() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:${PORTS[$1]}/health/ready" 2>/dev/null; }

ensure_database() {
  node -e "
    const { Client } = require('pg');
    const url = new URL(process.env.DATABASE_URL); const name = url.pathname.slice(1); url.pathname = '/postgres';
    const c = new Client({ connectionString: url.toString() });
    c.connect().then(async () => {
      const r = await c.query('SELECT 1 FROM pg_database WHERE datname = \$1', [name]);
      if (!r.rowCount) { await c.query('CREATE DATABASE \"' + name.replace(/\"/g, '') + '\"'); console.log('created database ' + name); }
      await c.end();
    }).catch((e) => { console.error(e.message); process.exit(1); });"
}

up() {
  [ -f "$ROOT/dist/apps/gateway/src/main.js" ] || { echo "no build: run npm run build" >&2; exit 1; }
  ensure_database
  if [ "$MAIL_SINK" = 1 ]; then
    if alive mail; then echo "mail: already running (pid $(cat "$RUN/mail.pid"))"; else
      setsid nohup node "$ROOT/tools/mail-sink.mjs" --port 2525 --dir "$RUN/mail" >> "$RUN/logs/mail.log" 2>&1 < /dev/null &
      echo $! > "$RUN/mail.pid"
      echo "mail: started (pid $!, local SMTP sink on 127.0.0.1:2525, mail kept in .cache/run/mail/)"
    fi
  fi
  for s in "${SERVICES[@]}"; do
    if alive "$s"; then echo "$s: already running (pid $(cat "$RUN/$s.pid"))"; continue; fi
    # A larger young generation: fewer scavenges on the per-event hot path (docs/benchmarks.md).
    PORT=${PORTS[$s]} setsid nohup node --max-semi-space-size=64 "$ROOT/dist/apps/$s/src/main.js" >> "$RUN/logs/$s.log" 2>&1 < /dev/null &
    echo $! > "$RUN/$s.pid"
    echo "$s: started (pid $!, log .cache/run/logs/$s.log)"
  done
  if alive models; then echo "models: already running (pid $(cat "$RUN/models.pid"))"; else
    MODEL_BUILD_INTERVAL_S=${MODEL_BUILD_INTERVAL_S:-60} setsid nohup node "$ROOT/dist/apps/recommender/src/build-models.js" --loop >> "$RUN/logs/models.log" 2>&1 < /dev/null &
    echo $! > "$RUN/models.pid"
    echo "models: started (pid $!, the recommender's model job; log .cache/run/logs/models.log)"
  fi
  for s in "${SERVICES[@]}"; do
    for _ in $(seq 1 120); do
      ready "$s" && break
      alive "$s" || { echo "$s exited; last log lines:" >&2; tail -20 "$RUN/logs/$s.log" >&2; exit 1; }
      sleep 0.5
    done
    ready "$s" || { echo "$s not ready after 60 s; see .cache/run/logs/$s.log" >&2; exit 1; }
    echo "$s: ready at http://127.0.0.1:${PORTS[$s]}"
  done
}

down() {
  for s in models "${SERVICES[@]}" mail; do
    if alive "$s"; then
      pid=$(cat "$RUN/$s.pid"); kill -TERM "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
      echo "$s: stopped"
    fi
    rm -f "$RUN/$s.pid"
  done
}

status() {
  if alive models; then printf '%-12s running  pid %s  (model job, --loop)\n' models "$(cat "$RUN/models.pid")"; else printf '%-12s stopped\n' models; fi
  if alive mail; then printf '%-12s running  pid %s  (SMTP sink 127.0.0.1:2525, .cache/run/mail/)\n' mail "$(cat "$RUN/mail.pid")"; fi
  for s in "${SERVICES[@]}"; do
    if alive "$s"; then
      printf '%-12s running  pid %-7s http://127.0.0.1:%s  %s\n' "$s" "$(cat "$RUN/$s.pid")" "${PORTS[$s]}" "$(ready "$s" && echo ready || echo 'not ready')"
    else
      printf '%-12s stopped\n' "$s"
    fi
  done
}

build_models() {
  node "$ROOT/dist/apps/recommender/src/build-models.js" ${1:+--store "$1"}
}

case ${1:-} in
  up) up ;; down) down ;; status) status ;; build-models) build_models "${2:-}" ;;
  *) echo "usage: $0 up|down|status|build-models [storeId]" >&2; exit 2 ;;
esac
