#!/usr/bin/env bash
# The whole test suite: services, lint, typecheck, build, then the unit, integration and end-to-end tiers.
# Usage: npm test            (everything)
#        npm test -- unit    (only some stages: lint typecheck build unit int e2e)
set -euo pipefail
cd "$(dirname "$0")/.."

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(lint typecheck build unit int e2e)
want() { local s; for s in "${stages[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

[ -d node_modules ] || npm ci
if want int || want e2e; then bash scripts/bootstrap-services.sh; fi

mkdir -p tmp/test-results
rm -f tmp/test-results/*.json
export SEMAPHORE_LOG_LEVEL=warn

if want lint; then echo "== lint"; npm run --silent lint; fi
if want typecheck; then echo "== typecheck"; npx tsc -p tsconfig.json; echo "typecheck: ok"; fi
if want build || want e2e; then echo "== build"; npm run --silent build; fi

run_tier() {
  local tier=$1; shift
  echo "== $tier tests"
  TEST_TIER=$tier npx jest --ci --json --outputFile="tmp/test-results/$tier.json" "$@"
}
if want unit; then run_tier unit; fi
if want int; then run_tier int --maxWorkers=2; fi
if want e2e; then run_tier e2e --maxWorkers=2; fi

# One closing line for the whole run, in the plain form CI reads.
node -e '
const fs = require("fs");
let passed = 0, failed = 0, skipped = 0;
for (const f of fs.readdirSync("tmp/test-results")) {
  const r = JSON.parse(fs.readFileSync("tmp/test-results/" + f, "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
}
if (passed + failed > 0) console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
'
