#!/usr/bin/env bash
# Lint gates: ESLint (module boundaries, no console, no focused tests), Prettier, and no import cycles (madge).
set -euo pipefail
cd "$(dirname "$0")/.."
# The module-boundary rule reads Nx's project graph; compute it first so the rule can never be silently skipped.
rm -rf .nx/workspace-data
npx nx show projects >/dev/null
test -s .nx/workspace-data/project-graph.json || { echo "lint: Nx project graph was not computed" >&2; exit 1; }
npx eslint . --max-warnings=0
npx prettier --check . --log-level warn
npx madge --circular --no-spinner --extensions ts --ts-config tsconfig.base.json apps libs
bash scripts/check-docker.sh
echo "lint: ok"
