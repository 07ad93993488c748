#!/usr/bin/env bash
# Development helper: compile the api and runner into another folder (default dist), e.g. to run the e2e tests of
# one change while another is being built:  bash scripts/build-to.sh /tmp/my-dist && SEMAPHORE_TEST_DIST=/tmp/my-dist npm test -- e2e
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-dist}")
status=0
for app in api runner; do
  npx tsc -p "apps/$app/tsconfig.app.json" --outDir "$out" || status=1
  npx tsc-alias -p "apps/$app/tsconfig.app.json" --outDir "$out"
done
# Outside the workspace, Node would not find the dependencies: link them.
[ -e "$out/node_modules" ] || ln -s "$PWD/node_modules" "$out/node_modules"
[ -e "$out/package.json" ] || ln -s "$PWD/package.json" "$out/package.json"
exit $status
