#!/usr/bin/env bash
# The whole test suite: lint, typecheck, build, real infrastructure, unit and integration tests.
# Ends with the line "jest: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true
mkdir -p .cache
failed_steps=()
step() { echo; echo "== $1"; shift; "$@" || failed_steps+=("$1"); }

step "lint" npm run -s lint
step "typecheck" npm run -s typecheck
step "build" npm run -s build
echo; echo "== infrastructure"
if ! bash deploy/local/infra.sh up; then
  echo "infrastructure did not start"; echo "jest: 0 passed, 1 failed"; exit 1
fi
eval "$(bash deploy/local/infra.sh env)"

echo; echo "== jest (unit, then integration against the real Kafka, Postgres and OpenSearch)"
rm -f .cache/jest-results.json
npx jest --runInBand --json --outputFile=.cache/jest-results.json "$@"
echo
if [ ${#failed_steps[@]} -gt 0 ]; then echo "failed steps: ${failed_steps[*]}"; fi
node tools/jest-summary.mjs .cache/jest-results.json
rc=$?
[ ${#failed_steps[@]} -gt 0 ] && rc=1
exit $rc
