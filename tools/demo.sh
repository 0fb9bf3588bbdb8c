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
