#!/usr/bin/env bash
# Generates a migration from the difference between the entities and the migrated schema.
set -euo pipefail
cd "$(dirname "$0")/.."
export TS_NODE_COMPILER_OPTIONS={\"noEmit\":false}
exec npx ts-node --transpile-only -r tsconfig-paths/register -P tsconfig.json libs/persistence/tools/generate-migration.ts "$@"
