#!/usr/bin/env bash
# One command for a newcomer: build, real infrastructure, every service, and a small demo store
# with products and shopper events. Prints the keys and curl commands to try next.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run -s build
bash deploy/local/infra.sh up
bash tools/services.sh up
ADMIN_TOKEN=${ADMIN_TOKEN:-$(cat .cache/run/admin-token)} node tools/seed-demo.mjs
# The recommender learns item-to-item models in its own job (running every minute under
# services.sh); one run now, once the recommender has taken in the demo's events.
for _ in $(seq 1 60); do
  [ "$(curl -fsS http://127.0.0.1:3003/v1/stores/demo/recommendations/status | node -pe 'JSON.parse(require("fs").readFileSync(0)).interactions')" -ge 35 ] && break
  sleep 0.5
done
bash tools/services.sh build-models demo > .cache/run/logs/demo-models.log
node tools/seed-demo.mjs recommendations
node tools/seed-demo.mjs search
ADMIN_TOKEN=${ADMIN_TOKEN:-$(cat .cache/run/admin-token)} node tools/seed-demo.mjs campaigns
