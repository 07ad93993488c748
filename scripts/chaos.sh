#!/usr/bin/env bash
# The long chaos run: 2 api replicas, 2 runners and a dedicated Redis with AOF on loopback, 200 tasks, and kill -9 of
# a random runner, api replica or Redis at random moments (CHAOS_KILLS of them). Prints a report; exits non-zero on any
# violation. The e2e tier runs a short version of the same file (fewer tasks, one kill of each kind).
# Usage: npm run chaos    (CHAOS_TASKS, CHAOS_LINES, CHAOS_KILLS override the sizes)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
bash scripts/bootstrap-services.sh
npm run --silent build
export CHAOS_TASKS="${CHAOS_TASKS:-200}" CHAOS_LINES="${CHAOS_LINES:-50}" CHAOS_KILLS="${CHAOS_KILLS:-9}"
echo "== chaos: $CHAOS_TASKS tasks of $CHAOS_LINES lines, $CHAOS_KILLS kills"
TEST_TIER=e2e npx jest --ci apps/api/e2e/chaos.e2e-spec.ts
